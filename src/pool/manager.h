/*
 * The manager: a process forked from the pool's owner that runs a libevent
 * loop. It forks the workers, reaps them, respawns them, enforces time
 * limits, reports the task a dead worker held, and stops when asked to.
 */
#ifndef ASYNCTASK_MANAGER_H
#define ASYNCTASK_MANAGER_H

#include "php_asynctask.h"
#include "src/transport/shm/region.h"

#include <signal.h>

/* The number of workers asynctask.workers asks for (0: one per online CPU). */
uint32_t asynctask_manager_default_workers(void);

/* The signals the manager handles (blocked across its fork until it can). */
void asynctask_manager_signals(sigset_t *set);

/* What a server pool's maker (server_manager.c) hands its manager, so that
 * the manager needs to know nothing of php-fpm; a CLI pool's has none. */
typedef struct {
	int    link;                                     /* readable: FPM children forwarded by the supervisor */
	bool (*answer_clients)(asynctask_pool_t *pool);  /* false once the link closed: the php-fpm master is gone */
	void (*close_inherited)(void);                   /* in each new worker, before it runs PHP code */
} asynctask_manager_hooks_t;

/* Runs in the freshly forked manager; never returns. hooks: a server
 * pool's (NULL for a CLI pool's). */
ZEND_NORETURN void asynctask_manager_run(asynctask_pool_t *pool, const asynctask_manager_hooks_t *hooks);

#endif
