/*
 * A task worker: takes tasks off the queue, runs them and posts results.
 */
#ifndef ASYNCTASK_WORKER_H
#define ASYNCTASK_WORKER_H

#include "php_asynctask.h"
#include "src/transport/shm/region.h"

/* A worker's exit status when it cannot start (its bootstrap failed). */
#define ASYNCTASK_EXIT_STARTUP_FAILED 70

/* Runs in the freshly forked worker of slot `index`; never returns.
 * close_inherited (a server pool's, else NULL) closes what the worker
 * inherited of its manager's plumbing. */
ZEND_NORETURN void asynctask_worker_run(asynctask_pool_t *pool, uint32_t index, void (*close_inherited)(void));

#endif
