/*
 * The manager: a process forked from the pool's owner that runs a libevent
 * loop. It forks the workers, reaps them, respawns them, enforces time
 * limits, reports the task a dead worker held, and stops when asked to.
 */
#ifndef ASYNCTASK_MANAGER_H
#define ASYNCTASK_MANAGER_H

#include "php_asynctask.h"

#include <signal.h>

/* The number of workers asynctask.workers asks for (0: one per online CPU). */
uint32_t asynctask_manager_default_workers(void);

/* The signals the manager handles (blocked across its fork until it can). */
void asynctask_manager_signals(sigset_t *set);

/* Runs in the freshly forked manager; never returns. */
ZEND_NORETURN void asynctask_manager_run(asynctask_pool_t *pool);

#endif
