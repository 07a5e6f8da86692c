/*
 * The inside of a task worker (worker.h), shared by the files that make it
 * up; nothing outside src/pool/worker_*.c includes this. One concept a file,
 * from the top down; each calls only the files below it (scripts/layers-check
 * reads the objects' symbols and fails on a circle of calls):
 *   worker_loop.c     its state, the loop (take, run, retire), asynctask_worker_run()
 *   worker_boot.c     what a forked worker sets up before its first task
 *   worker_task.c     running one task: its plans, context, payload, the call, how it ended
 *   worker_outcome.c  the task's outcome: counted, then posted, retried or handed on
 * (worker_server.c, beside them: a worker's request state and PHP's log lines.)
 */
#ifndef ASYNCTASK_POOL_WORKER_INTERNAL_H
#define ASYNCTASK_POOL_WORKER_INTERNAL_H

#include <stdbool.h>
#include <unistd.h>

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/pool/worker.h"
#include "src/pool/chain.h"
#include "src/base/process.h"
#include "src/transport/shm/region.h"
#include "src/transport/transport.h"
#include "src/codec/remote_error.h"

typedef struct {
	asynctask_pool_t        *pool;
	asynctask_worker_slot_t *slot;
	pid_t                    pid;   /* this worker: a process a task forks is not it */
	/* The retry plan of the task running (src/pool/retry.h), a copy of the
	 * front of its payload; NULL for a task without retries. */
	zend_string             *retry_plan;
	/* A link of a chain (src/pool/chain.h): a copy of its block, and the block
	 * read from that copy; chain_block NULL for a task that is no link. */
	zend_string             *chain_block;
	asynctask_chain_t        chain;
} asynctask_worker_self_t;

/* This worker (worker_loop.c). */
extern asynctask_worker_self_t asynctask_wkr;

/* A process that a task forked (pcntl_fork()) comes back into the worker's
 * files when the task's function returns in it, or exits, throws or dies of
 * a fatal error there. It is not the worker: the slot, its claim and its
 * counts are its parent's, and so is the task's outcome. It leaves here as
 * a script would end (exit()'s status; 255 for an uncaught exception, which
 * is logged, or a fatal error), but with _exit(): like a worker, it never
 * runs the script's shutdown functions or destructors. */
static inline void asynctask_worker_leave_if_forked(bool fatal)
{
	if (EXPECTED(asynctask_self() == asynctask_wkr.pid)) {
		return;
	}
	int status = fatal ? 255 : 0;
	if (EG(exception)) {
		if (zend_is_unwind_exit(EG(exception))) {
			status = EG(exit_status);
		} else {
			zend_exception_error(EG(exception), E_ERROR);
			status = 255;
		}
	}
	_exit(status);
}

/* The task is over (its result posted): the manager no longer answers for it. */
static inline void asynctask_worker_release_claim(void)
{
	__atomic_store_n(&asynctask_wkr.slot->claim.task_id, 0, __ATOMIC_SEQ_CST);
}

/* --- worker_boot.c */

/* The forked worker's set-up, before its first task: its base frame, the
 * process state it must not share with its parent, then asynctask.bootstrap
 * (a bootstrap that fails fatally ends the worker with
 * ASYNCTASK_EXIT_STARTUP_FAILED). */
void asynctask_worker_boot(void);

/* --- worker_task.c */

/* Runs the task the transport gave us; consumes payload (NULL, with errno
 * set: the transport could not read it). */
void asynctask_worker_run_task(zend_string *payload);

/* --- worker_outcome.c */

/* The task failed (status) with error: counted and posted, or run again
 * when its retries say so. */
void asynctask_worker_post_error(asynctask_result_status_t status, asynctask_remote_error_t *error);
/* The same with a message alone. */
void asynctask_worker_post_message(asynctask_result_status_t status, const char *message);
/* Turns the pending exception into the task's failure. */
void asynctask_worker_post_exception(asynctask_result_status_t status);
/* The task returned retval: encoded, then posted, or handed on to the next
 * link of its chain. */
void asynctask_worker_post_return_value(zval *retval);

#endif
