/*
 * Fault points (fault.h): a test build's process kills itself where the
 * environment asks it to.
 */
#include "src/base/fault.h"

#ifdef ASYNCTASK_FAULT_INJECTION

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The environment is read again in every process: a test sets the variable
 * in one forked producer (or before the pool forks its workers). */
static struct {
	pid_t pid;
	char  point[64];
	long  remaining;
} armed;

static void arm(void)
{
	const char *spec = getenv("ASYNCTASK_FAULT");
	const char *colon;

	armed.pid = getpid();
	armed.point[0] = '\0';
	armed.remaining = 1;
	if (!spec || !spec[0]) {
		return;
	}
	colon = strchr(spec, ':');
	size_t len = colon ? (size_t) (colon - spec) : strlen(spec);
	if (len >= sizeof(armed.point)) {
		return;
	}
	memcpy(armed.point, spec, len);
	armed.point[len] = '\0';
	if (colon) {
		armed.remaining = strtol(colon + 1, NULL, 10);
	}
}

void asynctask_fault_point(const char *point)
{
	if (armed.pid != getpid()) {
		arm();
	}
	if (armed.point[0] && strcmp(armed.point, point) == 0 && --armed.remaining == 0) {
		kill(getpid(), SIGKILL);
	}
}

#endif
