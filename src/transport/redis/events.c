/*
 * The dispatching side's event stream over Redis (events.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/base/process.h"
#include "src/transport/redis/conn.h"
#include "src/transport/redis/dispatcher.h"
#include "src/transport/redis/events.h"

/* How long a read of an answer that has come, or a write of a BLMOVE, may take. */
#define EVENTS_IO_SECONDS 1

static struct {
	int           epoll;      /* -1: no event stream */
	pid_t         pid;        /* the process that made it */
	redisContext *ctx;        /* the connection it watches, or NULL */
	char         *backend;    /* the asynctask.backend it connected for (malloc'ed) */
	bool          blocked;    /* a BLMOVE was sent and its answer not read */
} events = { .epoll = -1 };

static void drop_connection(void)
{
	if (events.ctx) {
		if (events.pid == asynctask_self()) {
			(void) epoll_ctl(events.epoll, EPOLL_CTL_DEL, events.ctx->fd, NULL);
		}
		redisFree(events.ctx);  /* in a forked child: closes the child's copy only */
		events.ctx = NULL;
	}
	free(events.backend);
	events.backend = NULL;
	events.blocked = false;
}

static bool connect_events(const char *backend)
{
	char error[1024];

	events.ctx = asynctask_redis_connect_own(backend, ASYNCTASK_G(dispatch_timeout), error, sizeof(error));
	if (!events.ctx) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "events_unconnected",
			"AsyncTask\\events(): cannot connect its own connection to Redis: %s", error);
		return false;
	}
	struct timeval tv = { EVENTS_IO_SECONDS, 0 };
	struct epoll_event ev = { .events = EPOLLIN };
	ev.data.fd = events.ctx->fd;
	events.backend = strdup(backend);
	if (!events.backend || redisSetTimeout(events.ctx, tv) != REDIS_OK
			|| epoll_ctl(events.epoll, EPOLL_CTL_ADD, events.ctx->fd, &ev) != 0) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "events_unconnected",
			"AsyncTask\\events(): cannot watch its connection to Redis: %s", strerror(errno));
		drop_connection();
		return false;
	}
	return true;
}

/* The answer to the BLMOVE sent, if it came: read (a result is in the list,
 * which the collect that follows or came before takes). */
static void read_answer(void)
{
	struct pollfd pfd = { .fd = events.ctx->fd, .events = POLLIN };

	if (!events.blocked || poll(&pfd, 1, 0) <= 0) {
		return;
	}
	void *reply = NULL;
	if (redisGetReply(events.ctx, &reply) != REDIS_OK) {
		drop_connection();  /* lost: a new one on the next send */
		return;
	}
	freeReplyObject(reply);
	events.blocked = false;
}

/* Sends BLMOVE key key LEFT LEFT 0 without reading its answer; SIGPIPE (a
 * connection the server closed) taken as conn.c does. */
static void send_blmove(const char *key)
{
	const char *argv[] = {"BLMOVE", key, key, "LEFT", "LEFT", "0"};
	size_t argv_len[] = {6, strlen(key), strlen(key), 4, 4, 1};
	sigset_t pipe_only, saved, pending;
	struct timespec no_wait = {0, 0};
	int done = 0;

	if (redisAppendCommandArgv(events.ctx, 6, argv, argv_len) != REDIS_OK) {
		drop_connection();
		return;
	}
	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_only, &saved);
	bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
	int rc = REDIS_OK;
	while (!done && (rc = redisBufferWrite(events.ctx, &done)) == REDIS_OK) {
	}
	if (!was_pending) {
		while (sigtimedwait(&pipe_only, NULL, &no_wait) < 0 && errno == EINTR) {
		}
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (rc != REDIS_OK) {
		drop_connection();
		return;
	}
	events.blocked = true;
}

bool asynctask_redis_events_quiet(void)
{
	struct pollfd pfd;

	if (events.epoll < 0 || events.pid != asynctask_self() || !events.ctx || events.ctx->err || !events.blocked) {
		return false;
	}
	pfd.fd = events.ctx->fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) == 0;
}

void asynctask_redis_events_rearm(void)
{
	char key[ASYNCTASK_REDIS_KEY_MAX];
	const char *backend = asynctask_redis_dispatcher_backend();

	if (events.epoll < 0 || events.pid != asynctask_self()) {
		return;
	}
	if (events.ctx && (events.ctx->err || !backend || strcmp(events.backend, backend) != 0)) {
		drop_connection();
	}
	if (events.ctx) {
		read_answer();
	}
	if (events.blocked || asynctask_redis_sent_pending() == 0 || !asynctask_redis_dispatcher_reply_key(key)
			|| !backend || !backend[0]) {
		return;  /* waiting already, or nothing owed */
	}
	if (!events.ctx && !connect_events(backend)) {
		return;
	}
	/* the LTRIM of the results just booked goes first (replies.c queues it for the
	 * next command): else this BLMOVE would answer at once with one of them */
	asynctask_redis_command_flush();
	send_blmove(key);
}

int asynctask_redis_events(void)
{
	if (events.epoll >= 0 && events.pid != asynctask_self()) {
		/* inherited: our parent's stream and connection, which we must neither use nor change */
		drop_connection();
		close(events.epoll);
		events.epoll = -1;
	}
	if (events.epoll < 0) {
		int fd = epoll_create1(EPOLL_CLOEXEC);
		if (fd < 0) {
			return -1;
		}
		events.epoll = fd;
		events.pid = asynctask_self();
	}
	asynctask_redis_events_rearm();
	return fcntl(events.epoll, F_DUPFD_CLOEXEC, 0);
}
