/*
 * pool/: who runs what. It owns the processes: the pool as its owner sees
 * it (pool.c, this header: start, stop, reload, stats, the pool a dispatch
 * goes to), php-fpm's pools (server.c: the master's and an FPM child's
 * part; supervisor.c: the root process in the middle; server_manager.c: a
 * server pool's manager; server_messages.h: what they say), the manager's
 * libevent loop (manager_*.c: forks, reaps and respawns workers, time limits,
 * a dead worker's task reported) and the workers (worker_*.c: take a task,
 * run it, post its outcome). Files call downwards in that order: pool.c,
 * server.c, supervisor.c, server_manager.c, manager_*.c, worker_*.c; the manager
 * learns of php-fpm only through the hooks its maker hands it. It may call
 * the transport (tasks and results through ASYNCTASK_G(transport); the shm
 * region, rundir and recovery primitives directly, for making a pool and
 * settling a dead worker's claim), codec/ and base/; never api/.
 */
#ifndef ASYNCTASK_POOL_H
#define ASYNCTASK_POOL_H

#include <stdint.h>
#include <sys/types.h>

#include "php.h"
#include "php_asynctask.h"
#include "src/transport/shm/region.h"

/* The pool this process can dispatch to, starting it if this process may
 * (CLI). Throws and returns NULL otherwise. */
asynctask_pool_t *asynctask_pool_get(void);

/* Forks the manager of pool; its pid, or -1 with errno set. */
pid_t asynctask_pool_fork_manager(asynctask_pool_t *pool);

/* Starts the pool with `workers` processes (0: asynctask.workers). No-op when running. */
zend_result asynctask_pool_start(zend_long workers);

/* Drains the queue (at most timeout seconds), then stops the pool. Only the owner stops it. */
void asynctask_pool_stop(double timeout);

/* Asks every worker to finish its current task and be replaced. */
void asynctask_pool_reload(void);

/* Fills return_value with the stats array. */
void asynctask_pool_stats(zval *return_value);

/* Request end: the owner drains and stops its pool; others forget theirs. */
void asynctask_pool_request_shutdown(void);

#endif
