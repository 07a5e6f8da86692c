/*
 * Processes: this one's pid, and whether another one is gone.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "src/base/process.h"

pid_t asynctask_self_pid;

static void note_pid(void)
{
	asynctask_self_pid = getpid();
}

bool asynctask_process_startup(void)
{
	static bool registered;

	note_pid();
	if (!registered) {
		/* glibc removes the handler when the module is unloaded */
		registered = pthread_atfork(NULL, NULL, note_pid) == 0;
	}
	return registered;
}

bool asynctask_process_is_zombie(pid_t pid)
{
	char path[64], stat[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
	FILE *f = fopen(path, "r");
	if (!f) {
		return false;
	}
	size_t n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	const char *state = strrchr(stat, ')');  /* the command name may contain anything */
	return state && state[1] == ' ' && state[2] == 'Z';
}

bool asynctask_process_gone(pid_t pid)
{
	return (kill(pid, 0) != 0 && errno == ESRCH) || asynctask_process_is_zombie(pid);
}
