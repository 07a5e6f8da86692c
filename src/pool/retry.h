/*
 * Retries (Task::withRetries(), README "Jobs"): a task whose run threw, died
 * (a crash, a fatal error, exit()) or passed its time limit runs again, up
 * to the times it asked, after its backoff (src/codec/retry.h), in the pool:
 * nobody has to wait on its Future. The Future settles once, with the first
 * success or the last failure (which says how many attempts there were).
 *
 * A task with retries travels in a spill file that begins with its plan
 * (codec/retry.h) and outlives each run: its worker reads it without
 * removing it (the claim names it, claim.retry_file), so that the task can
 * be queued again whoever notices the failure:
 *   - the worker, for an exception (or a fatal error, or exit(), which it
 *     reports itself): it counts the attempt "retried" and pushes the next
 *     run, a DELAYED|RETRY record naming the same file with the attempt one
 *     higher, onto the queue's delayed list, in the critical section that
 *     marks its claim delivered (asynctask_queue_push_next()): a worker
 *     killed anywhere in between either queued the next run or left its
 *     claim for the manager, never both;
 *   - the manager, for a worker that died or was killed past its time limit
 *     (src/pool/manager_claims.c): it reads the plan from the file and holds
 *     the next run itself (asynctask_delay_hold()).
 * Either way the next run waits in the manager's heap of delayed tasks
 * (delay.h) until due, then is queued for the workers as an ordinary task of
 * its priority with the same task id, owner and dispatch time; a retry is not
 * a new dispatch (stats()' "dispatched" does not move; "retried" does).
 * The last run removes the file. Cancelling a task that waits for its next
 * run works as for a delayed task (queue.h: the ids the manager holds).
 */
#ifndef ASYNCTASK_POOL_RETRY_H
#define ASYNCTASK_POOL_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "php.h"

#include "src/codec/retry.h"
#include "src/transport/shm/region.h"

/* Whether a run that ended with status (a result status) may be retried:
 * a throw, a crash, a time limit; not a task that could not be decoded or
 * whose value could not be encoded (it would fail the same way again). */
bool asynctask_retry_status(uint32_t status);

/* Whether the plan leaves another run after the claim's (its attempt). */
bool asynctask_retry_left(const asynctask_claim_t *claim, const asynctask_retry_plan_t *plan);

/* Worker: queues the next run of the claim's task (it failed), marking the
 * claim delivered; *delay_s gets its backoff. 0, or EAGAIN when the queue has
 * no room now (the caller leaves the retry to the manager: it exits). */
int asynctask_retry_requeue(asynctask_pool_t *pool, asynctask_claim_t *claim, const asynctask_retry_plan_t *plan,
	double *delay_s);

/* Manager: the claim's worker died or was killed (status: crashed or timed
 * out) before its task reported an outcome. true: the next run is held
 * (*delay_s its backoff); false: no run is left (or the file cannot be read:
 * *why says so, else ""), the task fails. */
bool asynctask_retry_after_death(const asynctask_claim_t *claim, double *delay_s,
	char *why, size_t why_size);

#endif
