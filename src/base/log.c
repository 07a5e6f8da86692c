/*
 * The pool processes' log (log.h).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"

static bool log_may_create = true;

void asynctask_log_existing_only(void)
{
	log_may_create = false;
}

void asynctask_log(const char *format, ...)
{
	char line[2048];
	va_list args;
	time_t now = time(NULL);
	struct tm tm;
	const char *path = ASYNCTASK_G(log);

	localtime_r(&now, &tm);
	int n = (int) strftime(line, sizeof(line), "[%Y-%m-%d %H:%M:%S] ", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t) n, "asynctask[%d]: ", (int) asynctask_self());
	va_start(args, format);
	n += vsnprintf(line + n, sizeof(line) - (size_t) n, format, args);
	va_end(args);
	if (n >= (int) sizeof(line) - 1) {
		n = (int) sizeof(line) - 2;
	}
	line[n++] = '\n';

	/* never through a symlink: a pool of root's would append to its target */
	int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | (log_may_create ? O_CREAT : 0);
	int fd = path && path[0] ? open(path, flags, 0600) : -1;
	ssize_t ignored = write(fd >= 0 ? fd : STDERR_FILENO, line, (size_t) n);
	(void) ignored;
	if (fd >= 0) {
		close(fd);
	}
}
