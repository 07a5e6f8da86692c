/*
 * What the manager holds outside the ring (queue_held.h): the tasks with retries
 * it holds until their next run, listed so that Future::cancel() knows it
 * may still ask for one to be dropped, and those requests (for a held retry
 * or a delayed task not yet due), which the manager takes. Called by
 * queue.c and queue_cancel.c; calls only queue_ring.c's lock.
 */
#include <errno.h>
#include <string.h>

#include "src/transport/shm/queue_held.h"

/* --- the retries the manager holds (src/pool/retry.h) ----------------- */

static int32_t held_index(const asynctask_queue_t *q, uint64_t task_id)
{
	for (uint32_t i = 0; i < q->delays.nheld; i++) {
		if (q->delays.held[i] == task_id) {
			return (int32_t) i;
		}
	}
	return -1;
}

/* Lock held: lists task_id as held (one store commits it). */
void asynctask_queue_held_add(asynctask_queue_t *q, uint64_t task_id)
{
	if (q->delays.nheld == ASYNCTASK_RETRY_HELD) {
		q->delays.held_dropped++;
		return;
	}
	q->delays.held[q->delays.nheld] = task_id;
	__atomic_store_n(&q->delays.nheld, q->delays.nheld + 1, __ATOMIC_SEQ_CST);
}

/* Lock held. Only the manager releases: if it dies in between, the pool is gone. */
void asynctask_queue_held_drop(asynctask_queue_t *q, uint64_t task_id)
{
	int32_t i = held_index(q, task_id);
	if (i >= 0) {
		q->delays.held[i] = q->delays.held[q->delays.nheld - 1];
		__atomic_store_n(&q->delays.nheld, q->delays.nheld - 1, __ATOMIC_SEQ_CST);
	}
}

/* Lock held: a task the manager holds until its next run is cancelled as a
 * delayed one is (the manager sees the request before it pushes anything).
 * 1, 0 (not held), or EAGAIN. */
int asynctask_queue_held_cancel(asynctask_queue_t *q, uint64_t task_id)
{
	if (held_index(q, task_id) < 0) {
		return 0;
	}
	if (q->delays.ncancels == ASYNCTASK_DELAY_CANCELS) {
		return EAGAIN;
	}
	q->delays.cancels[q->delays.ncancels] = task_id;
	__atomic_store_n(&q->delays.ncancels, q->delays.ncancels + 1, __ATOMIC_SEQ_CST);
	return 1;
}

void asynctask_queue_hold_retry(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id)
{
	asynctask_queue_lock(q, ring);
	asynctask_queue_held_add(q, task_id);
	asynctask_lock_release(&q->lock);
}

void asynctask_queue_release_retry(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id)
{
	asynctask_queue_lock(q, ring);
	asynctask_queue_held_drop(q, task_id);
	asynctask_lock_release(&q->lock);
}

/* --- the cancellations asked of the manager (src/pool/delay.h) -------- */

uint32_t asynctask_queue_take_cancels(asynctask_queue_t *q, unsigned char *ring, uint64_t *ids, uint32_t max)
{
	uint32_t n;

	asynctask_queue_lock(q, ring);
	n = q->delays.ncancels < max ? q->delays.ncancels : max;
	memcpy(ids, q->delays.cancels + (q->delays.ncancels - n), n * sizeof(*ids));
	__atomic_store_n(&q->delays.ncancels, q->delays.ncancels - n, __ATOMIC_SEQ_CST);
	for (uint32_t i = 0; i < n; i++) {
		asynctask_queue_held_drop(q, ids[i]);  /* (a retry the manager drops now) */
	}
	asynctask_lock_release(&q->lock);
	return n;
}
