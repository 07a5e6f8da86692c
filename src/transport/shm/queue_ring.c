/*
 * The task queue's lock and its journal (queue_ring.h): a critical section
 * journals what it is about to change and clears the journal with its last
 * store; the next process to take the lock after a holder died rolls those
 * changes back (and clears the dead worker's claim). Also the wake-ups of
 * the futex words producers and consumers sleep on. queue.c and its
 * neighbours above (queue_internal.h) call these; they call nothing of them.
 */
#include <limits.h>
#include <string.h>

#include "src/transport/shm/queue_ring.h"

/* What a journal keeps of the queue, besides the levels' lists: saved by
 * asynctask_queue_journal_begin(), put back by roll_back(). One list for
 * both, so that what is put back is what was saved. */
#define JOURNALED(field) field(head) field(tail) field(used) field(count) field(live) field(pushed)
#define SAVE(name)       j->name = q->name;
#define PUT_BACK(name)   q->name = j->name;

void asynctask_queue_journal_begin(asynctask_queue_t *q, asynctask_journal_op_t op, const asynctask_claim_t *claim)
{
	asynctask_journal_t *j = &q->journal;

	JOURNALED(SAVE)
	memcpy(j->levels, q->levels, sizeof(j->levels));
	j->record_saved = 0;
	j->claim = claim ? (int64_t) ((const char *) claim - (const char *) q) : 0;
	__atomic_store_n(&j->op, op, __ATOMIC_RELEASE);
}

void asynctask_queue_journal_end(asynctask_queue_t *q)
{
	__atomic_store_n(&q->journal.op, ASYNCTASK_JOURNAL_NONE, __ATOMIC_RELEASE);
}

/* Wakes every sleeping consumer, whatever its bit: each one that wakes
 * counts itself as searching again (idle.c). */
void asynctask_queue_wake_consumers(asynctask_queue_t *q)
{
	asynctask_futex_wake(&q->items_seq, INT_MAX);
}

/* The same for producers waiting for room. */
void asynctask_queue_wake_producers(asynctask_queue_t *q)
{
	int woken = asynctask_futex_wake(&q->space_seq, INT_MAX);
	if (woken > 0) {
		__atomic_sub_fetch(&q->producers_sleeping, (uint32_t) woken, __ATOMIC_SEQ_CST);
	}
}

static void roll_back(asynctask_queue_t *q, unsigned char *ring)
{
	asynctask_journal_t *j = &q->journal;

	if (j->op != ASYNCTASK_JOURNAL_NONE) {
		JOURNALED(PUT_BACK)
		memcpy(q->levels, j->levels, sizeof(q->levels));
		if (j->op == ASYNCTASK_JOURNAL_CANCEL || (j->op == ASYNCTASK_JOURNAL_TAKE && j->record_saved)) {
			((asynctask_record_t *) (ring + j->record))->flags = j->record_flags;
		}
		if (j->claim) {
			asynctask_claim_t *claim = (asynctask_claim_t *) ((char *) q + j->claim);
			if (j->op == ASYNCTASK_JOURNAL_RETRY) {
				/* the next run (or link) is not queued: the task is still the worker's */
				__atomic_store_n(&claim->delivered, 0, __ATOMIC_SEQ_CST);
			} else {
				__atomic_store_n(&claim->task_id, 0, __ATOMIC_SEQ_CST);
			}
		}
		q->rollbacks++;
		asynctask_queue_journal_end(q);
	}
	/* whoever slept waiting for the dead holder looks again */
	__atomic_add_fetch(&q->items_seq, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&q->space_seq, 1, __ATOMIC_SEQ_CST);
	asynctask_queue_wake_consumers(q);
	asynctask_queue_wake_producers(q);
}

void asynctask_queue_lock(asynctask_queue_t *q, unsigned char *ring)
{
	if (asynctask_lock_acquire(&q->lock)) {
		roll_back(q, ring);
	}
}

void asynctask_queue_sync(asynctask_queue_t *q, unsigned char *ring)
{
	asynctask_queue_lock(q, ring);
	asynctask_lock_release(&q->lock);
}
