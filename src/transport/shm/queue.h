/*
 * The task queue: a bounded multi-producer multi-consumer ring of
 * variable-size records in shared memory.
 *
 * Records are contiguous in the ring (a padding record fills the end when
 * one does not fit there). All offsets are relative to the ring, so the
 * queue means the same thing in every process. Changes are made under the
 * robust lock; producers and consumers sleep on futex words outside it.
 *
 * A process may be killed anywhere, also inside the lock. Every critical
 * section first writes a journal of what it is about to change and clears
 * it with its last store; the next process to take the lock is told the
 * holder died and rolls its changes back. A task whose producer died before
 * the journal was cleared is not queued; a take rolled back puts the task
 * back and clears the dead worker's claim, so it runs once, elsewhere.
 *
 * The ring's layout and its lock with the journal are queue_ring.h's
 * (queue_ring.c), below the files that make the changes: queue.c (pushes,
 * takes), queue_cancel.c and queue_held.c (what the manager holds), listed
 * in queue_internal.h.
 */
#ifndef ASYNCTASK_QUEUE_H
#define ASYNCTASK_QUEUE_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#include "php.h"
#include "src/transport/shm/priority.h"
#include "src/transport/shm/queue_ring.h"
#include "src/transport/shm/queue_held.h"
#include "src/transport/shm/spill.h"
#include "src/transport/transport.h"

/* Largest payload stored in the ring itself; larger ones are spilled. */
size_t asynctask_queue_inline_max(const asynctask_queue_t *q);

int asynctask_queue_init(asynctask_queue_t *q, uint32_t index, uint64_t capacity);

/* Called while a producer waits for room, so it can drain its own results
 * and let signal handlers run; false: give up. */
typedef bool (*asynctask_queue_idle_fn)(void);

/* Appends a record. Returns 0, ETIMEDOUT when there was no room within
 * timeout seconds, E2BIG when the record can never fit, or ECANCELED when
 * idle said to give up. It wakes no worker: the caller does, if need be
 * (asynctask_idle_kick(), idle.h). */
int asynctask_queue_push(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record,
	const char *payload, double timeout, asynctask_queue_idle_fn idle);

/* Takes the oldest live record of the highest priority level waiting (HIGH,
 * then NORMAL, then LOW) into *payload and fills claim, or returns
 * false with *seq set to the value to sleep on (seq NULL: does not sleep;
 * idle.h says how a worker waits). The payload is copied into reuse when
 * its length (which says its room) is enough (then *payload is reuse, its
 * length the payload's, and the caller holds no more references than
 * before), else into a new string. */
bool asynctask_queue_take(asynctask_queue_t *q, unsigned char *ring, asynctask_claim_t *claim,
	zend_string *reuse, zend_string **payload, uint32_t *spilled, uint32_t *seq);

/* The longest a consumer sleeps (seconds) before it looks around: an idle
 * worker closes the pipes of callers that have gone (result.h). */
#define ASYNCTASK_QUEUE_SLEEP_MAX 1.0

/* Wakes every sleeping consumer (stop, reload, a worker died): it moves
 * items_seq, on which they sleep, and wakes them all whatever their bit
 * (idle.h). */
void asynctask_queue_wake_all(asynctask_queue_t *q);

/* Marks a queued record cancelled, or asks the manager to drop a task with
 * retries it holds until its next run. 1: it will never run (again); 0:
 * too late; EAGAIN: the manager's list of cancellations is full (wake it,
 * try again). */
int asynctask_queue_cancel(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id);

/* Removes every record (the pool is stopping for good); spill files are deleted.
 * Returns how many live tasks were dropped. */
uint64_t asynctask_queue_discard(asynctask_queue_t *q, unsigned char *ring);

/* Delayed tasks (above; src/pool/delay.h) ------------------------------ */

/* Cancels a delayed task dispatched with due time due_ns: marks it in the
 * ring if it is still there, else, while it is not yet due, asks the manager
 * to drop it. 1: it will never run; 0: too late; EAGAIN: the manager's list
 * of cancellations is full (wake it, try again). */
int asynctask_queue_cancel_delayed(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id, uint64_t due_ns);

/* Manager: takes the oldest delayed record out of the ring into a malloc'd
 * copy (header, then payload), or returns NULL when there is none. */
asynctask_record_t *asynctask_queue_take_delayed(asynctask_queue_t *q, unsigned char *ring);

/* (the manager's cancellation requests: queue_held.h) */

/* Manager: queues a due delayed task (a copy from asynctask_queue_take_delayed)
 * for the workers, without waiting: 0, ECANCELED when it was cancelled
 * meanwhile, or EAGAIN when there is no room now. */
int asynctask_queue_push_due(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record);

/* Retries (src/pool/retry.h) ------------------------------------------- */

/* Worker: pushes what comes after its task's run (the next run of a task
 * with retries, a DELAYED|RETRY record naming its file, onto the delayed
 * list; or the next link of a chain, for the workers) and marks its claim
 * delivered, in one critical section (a rollback undoes both). Not counted
 * as dispatched. 0, or EAGAIN when there is no room now. */
int asynctask_queue_push_next(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record,
	const char *payload, asynctask_claim_t *claim);

/* (the retries the manager holds: queue_held.h) */

/* The spill file name a record carries into name, "" when it has none. */
void asynctask_record_spill_name(const asynctask_record_t *record, char name[ASYNCTASK_SPILL_NAME_MAX]);

/* Does a queued record refer to the spill file name? */
bool asynctask_queue_refers_to(asynctask_queue_t *q, unsigned char *ring, const char *name);

#endif
