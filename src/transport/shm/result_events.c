/*
 * Results, the caller's event stream (result_events.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/base/process.h"
#include "src/transport/shm/result_events.h"

bool asynctask_results_events_on(void)
{
	return ASYNCTASK_G(events_fd) >= 0 && ASYNCTASK_G(events_pid) == asynctask_self();
}

void asynctask_results_events_watch(int result_fd)
{
	if (!asynctask_results_events_on() || result_fd < 0 || ASYNCTASK_G(events_watched) == result_fd) {
		return;
	}
	struct epoll_event ev = { .events = EPOLLIN };
	ev.data.fd = result_fd;
	if (epoll_ctl(ASYNCTASK_G(events_fd), EPOLL_CTL_ADD, result_fd, &ev) != 0 && errno != EEXIST) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "events_unwatched",
			"cannot watch the result pipe for AsyncTask\\events(): epoll_ctl: %s", strerror(errno));
		return;
	}
	ASYNCTASK_G(events_watched) = result_fd;
}

void asynctask_results_events_unwatch(void)
{
	if (asynctask_results_events_on() && ASYNCTASK_G(events_watched) >= 0) {
		(void) epoll_ctl(ASYNCTASK_G(events_fd), EPOLL_CTL_DEL, ASYNCTASK_G(events_watched), NULL);
	}
	ASYNCTASK_G(events_watched) = -1;
}

int asynctask_results_events(void)
{
	if (ASYNCTASK_G(events_fd) >= 0 && ASYNCTASK_G(events_pid) != asynctask_self()) {
		/* inherited: our parent's epoll set, which we must neither change nor poll */
		close(ASYNCTASK_G(events_fd));
		ASYNCTASK_G(events_fd) = -1;
	}
	if (ASYNCTASK_G(events_fd) < 0) {
		int fd = epoll_create1(EPOLL_CLOEXEC);
		if (fd < 0) {
			return -1;
		}
		ASYNCTASK_G(events_fd) = fd;
		ASYNCTASK_G(events_pid) = asynctask_self();
		ASYNCTASK_G(events_watched) = -1;
	}
	return fcntl(ASYNCTASK_G(events_fd), F_DUPFD_CLOEXEC, 0);
}
