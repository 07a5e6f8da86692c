/*
 * A task worker: takes tasks off the queue, runs them and posts results.
 */
#ifndef ASYNCTASK_WORKER_H
#define ASYNCTASK_WORKER_H

#include "php_asynctask.h"

/* Runs in the freshly forked worker of slot `index`; never returns. */
ZEND_NORETURN void asynctask_worker_run(asynctask_pool_t *pool, uint32_t index);

#endif
