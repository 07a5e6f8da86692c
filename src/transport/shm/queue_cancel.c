/*
 * Cancelling a queued task (queue.h): finding its record in the ring and
 * marking it cancelled, journaled; a task the manager holds (a delayed one,
 * a retry waiting for its next run) is asked of the manager instead
 * (queue_held.c). Also whether a queued record names a spill file. Calls
 * queue_held.c and queue_ring.c; nothing calls back.
 */
#include <errno.h>
#include <string.h>

#include "src/transport/shm/queue.h"
#include "src/transport/shm/queue_internal.h"
#include "src/base/clock.h"

/* The first queued record, padding skipped, for which match(record, arg)
 * holds, or NULL; *at is its offset. Lock held. */
static asynctask_record_t *find_record(asynctask_queue_t *q, unsigned char *ring,
	bool (*match)(const asynctask_record_t *, const void *), const void *arg, uint64_t *at)
{
	uint64_t offset = q->head;

	for (uint64_t seen = 0; seen < q->count; ) {
		if (q->capacity - offset < ASYNCTASK_RECORD_HEADER_SIZE) {
			offset = 0;
			continue;
		}
		asynctask_record_t *record = asynctask_record_at(ring, offset);
		if (record->flags & ASYNCTASK_RECORD_PAD) {
			offset = 0;
			continue;
		}
		if (match(record, arg)) {
			*at = offset;
			return record;
		}
		offset += record->size;
		seen++;
	}
	return NULL;
}

/* (a taken record's room may still hold its id: not a match) */
static bool has_task_id(const asynctask_record_t *record, const void *task_id)
{
	return record->task_id == *(const uint64_t *) task_id && !(record->flags & ASYNCTASK_RECORD_TAKEN);
}

/* Marks the record at offset cancelled, journaled (a process killed halfway
 * is rolled back); one not delayed leaves the live count. Under the lock. */
static void mark_cancelled(asynctask_queue_t *q, asynctask_record_t *record, uint64_t offset)
{
	q->journal.record = offset;
	q->journal.record_flags = record->flags;
	asynctask_queue_journal_begin(q, ASYNCTASK_JOURNAL_CANCEL, NULL);
	record->flags |= ASYNCTASK_RECORD_CANCELLED;
	if (!(record->flags & ASYNCTASK_RECORD_DELAYED)) {
		q->live--;
	}
	asynctask_queue_journal_end(q);
}

int asynctask_queue_cancel(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id)
{
	int cancelled = 0;
	uint64_t offset;

	asynctask_queue_lock(q, ring);
	asynctask_record_t *record = find_record(q, ring, has_task_id, &task_id, &offset);
	if (record && !(record->flags & (ASYNCTASK_RECORD_CANCELLED | ASYNCTASK_RECORD_TAKEN))) {
		mark_cancelled(q, record, offset);
		cancelled = 1;
	} else if (!record) {
		cancelled = asynctask_queue_held_cancel(q, task_id);
	}
	asynctask_lock_release(&q->lock);
	return cancelled;
}

static bool spills_to(const asynctask_record_t *record, const void *name)
{
	size_t len = strlen(name);
	return (record->flags & ASYNCTASK_RECORD_SPILLED) && !(record->flags & ASYNCTASK_RECORD_TAKEN) && record->length == len && memcmp(record + 1, name, len) == 0;
}

bool asynctask_queue_refers_to(asynctask_queue_t *q, unsigned char *ring, const char *name)
{
	uint64_t offset;

	asynctask_queue_lock(q, ring);
	bool found = find_record(q, ring, spills_to, name, &offset) != NULL;
	asynctask_lock_release(&q->lock);
	return found;
}

int asynctask_queue_cancel_delayed(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id, uint64_t due_ns)
{
	int cancelled = 0;
	uint64_t offset;

	asynctask_queue_lock(q, ring);
	asynctask_record_t *record = find_record(q, ring, has_task_id, &task_id, &offset);
	if (record) {
		/* still in the ring: on the delayed list, or queued for workers once due */
		if (!(record->flags & ASYNCTASK_RECORD_CANCELLED)) {
			mark_cancelled(q, record, offset);
			cancelled = 1;
		}
	} else if ((cancelled = asynctask_queue_held_cancel(q, task_id)) != 0) {
		/* a task with retries and a delay, held for its next run */
	} else if (asynctask_now_ns() < due_ns && q->delays.ncancels == ASYNCTASK_DELAY_CANCELS) {
		cancelled = EAGAIN;
	} else if (asynctask_now_ns() < due_ns) {
		/* the manager holds it, and pushes nothing before it is due: it will
		 * see this before it does (asynctask_queue_push_due()). One store
		 * commits it: nothing to roll back. */
		q->delays.cancels[q->delays.ncancels] = task_id;
		__atomic_store_n(&q->delays.ncancels, q->delays.ncancels + 1, __ATOMIC_SEQ_CST);
		cancelled = 1;
	}
	asynctask_lock_release(&q->lock);
	return cancelled;
}
