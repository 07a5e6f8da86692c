/*
 * The pool processes' log (log.h).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"

static bool log_may_create = true;
static const char *log_role = "php";
static const uint64_t *log_task;

void asynctask_log_set_task(const uint64_t *task_id)
{
	log_task = task_id;
}

void asynctask_log_set_role(const char *role)
{
	log_role = role;
}

/* Appends s to line at *n as a JSON string's contents, within size. */
static void json_escape(char *line, size_t size, int *n, const char *s)
{
	for (; *s && (size_t) *n + 7 < size; s++) {
		unsigned char ch = (unsigned char) *s;
		if (ch == '"' || ch == '\\') {
			line[(*n)++] = '\\';
			line[(*n)++] = (char) ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			*n += snprintf(line + *n, size - (size_t) *n, "\\u%04x", ch);
		} else {
			line[(*n)++] = (char) ch;
		}
	}
}

/* The first "task N" of a message: the task the line is about (0: none). */
static unsigned long long task_named(const char *message)
{
	for (const char *p = strstr(message, "task "); p; p = strstr(p + 1, "task ")) {
		if (p[5] >= '1' && p[5] <= '9') {
			return strtoull(p + 5, NULL, 10);
		}
	}
	return 0;
}

bool asynctask_log_json(void)
{
	return ASYNCTASK_G(log_format) && strcmp(ASYNCTASK_G(log_format), "json") == 0;
}

const char *asynctask_log_level_name(asynctask_log_level_t level)
{
	switch (level) {
		case ASYNCTASK_LOG_ERROR: return "error";
		case ASYNCTASK_LOG_WARNING: return "warning";
		case ASYNCTASK_LOG_NOTICE: return "notice";
		default: return "info";
	}
}

/* One JSON object (asynctask.log_format=json) for message into line. */
static int json_line(char *line, size_t size, asynctask_log_level_t level, const char *event, const char *message)
{
	struct timespec ts;
	struct tm tm;
	unsigned long long task = task_named(message);

	if (!task && log_task) {
		task = __atomic_load_n(log_task, __ATOMIC_RELAXED);
	}

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = (int) strftime(line, size, "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
	n += snprintf(line + n, size - (size_t) n, ".%03ldZ\",\"level\":\"%s\",\"pid\":%d,\"role\":\"%s\",\"event\":\"",
		ts.tv_nsec / 1000000, asynctask_log_level_name(level), (int) asynctask_self(), log_role);
	json_escape(line, size - 3, &n, event);
	n += snprintf(line + n, size - (size_t) n, "\",\"task_id\":");
	n += task ? snprintf(line + n, size - (size_t) n, "\"%llu\"", task) : snprintf(line + n, size - (size_t) n, "null");
	n += snprintf(line + n, size - (size_t) n, ",\"message\":\"");
	json_escape(line, size - 3, &n, message);
	line[n++] = '"';
	line[n++] = '}';
	return n;
}

void asynctask_log_existing_only(void)
{
	log_may_create = false;
}

static void log_line(asynctask_log_level_t level, const char *event, const char *format, va_list args)
{
	char line[2048];
	time_t now = time(NULL);
	struct tm tm;
	const char *path = ASYNCTASK_G(log);

	int n;
	if (asynctask_log_json()) {
		char message[1536];
		vsnprintf(message, sizeof(message), format, args);
		n = json_line(line, sizeof(line) - 1, level, event, message);
	} else {
		localtime_r(&now, &tm);
		n = (int) strftime(line, sizeof(line), "[%Y-%m-%d %H:%M:%S] ", &tm);
		n += snprintf(line + n, sizeof(line) - (size_t) n, "asynctask[%d]: ", (int) asynctask_self());
		n += vsnprintf(line + n, sizeof(line) - (size_t) n, format, args);
		if (n >= (int) sizeof(line) - 1) {
			n = (int) sizeof(line) - 2;
		}
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

void asynctask_log_event(asynctask_log_level_t level, const char *event, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_line(level, event, format, args);
	va_end(args);
}

void asynctask_log(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_line(ASYNCTASK_LOG_NOTICE, "log", format, args);
	va_end(args);
}
