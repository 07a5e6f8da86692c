/*
 * Processes: this one's pid, and whether another one is gone.
 */
#ifndef ASYNCTASK_PROCESS_H
#define ASYNCTASK_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

/* This process's pid, kept across fork() by an atfork handler: glibc's
 * getpid() is a system call, and the dispatch path asks on every task. */
extern pid_t asynctask_self_pid;

static inline pid_t asynctask_self(void)
{
	return asynctask_self_pid;
}

/* MINIT: notes the pid and installs the atfork handler; false if it cannot. */
bool asynctask_process_startup(void);

/* True when `pid` no longer runs: no such process, or a zombie its parent
 * has not reaped yet (a slow parent, or a container's non-reaping init). */
bool asynctask_process_gone(pid_t pid);

/* True when `pid` is a zombie. */
bool asynctask_process_is_zombie(pid_t pid);

#endif
