/*
 * The task queue (queue.h): records into the ring and out of it. Pushing
 * one (a dispatcher's, a worker's next run or link, the manager's due
 * delayed task), taking one out (by priority level; the delayed ones, by
 * the manager), discarding them all, and the priority levels' lists and the
 * ring's room that these keep. Each change is made under the lock, journaled
 * first: queue_ring.c's, below it. Calls queue_held.c (the retries the
 * manager holds); queue_cancel.c and queue_held.c call nothing here.
 */
#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "src/transport/shm/queue.h"
#include "src/transport/shm/queue_internal.h"
#include "src/base/fault.h"
#include "src/transport/shm/rundir.h"
#include "src/base/clock.h"

#define RECORD_ALIGN 8

static uint64_t record_size(uint64_t length)
{
	return (ASYNCTASK_RECORD_HEADER_SIZE + length + RECORD_ALIGN - 1) & ~(uint64_t) (RECORD_ALIGN - 1);
}

size_t asynctask_queue_inline_max(const asynctask_queue_t *q)
{
	/* A quarter of the ring: one large task never monopolises the queue. */
	return (size_t) (q->capacity / 4 - ASYNCTASK_RECORD_HEADER_SIZE);
}

int asynctask_queue_init(asynctask_queue_t *q, uint32_t index, uint64_t capacity)
{
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->capacity = capacity & ~(uint64_t) (RECORD_ALIGN - 1);
	return asynctask_lock_init(&q->lock);
}

/* --- the priority levels' lists (priority.h) ---------------------------- */

/* The list a record is in: its level's, or the delayed tasks'. */
static uint32_t record_list(uint32_t flags)
{
	return (flags & ASYNCTASK_RECORD_DELAYED) ? ASYNCTASK_LIST_DELAYED : asynctask_record_level(flags);
}

/* Appends the record at pos, of level `level`, to its list. Lock held. */
static void priority_link(asynctask_queue_t *q, unsigned char *ring, uint64_t pos, uint32_t level)
{
	asynctask_queue_level_t *l = &q->levels[level];

	if (l->count == 0) {
		l->first = pos;
	} else {
		asynctask_record_at(ring, l->last)->next = pos;
	}
	l->last = pos;
	l->count++;
}

/* Unlinks the first record of a level (there is one). Lock held. */
static void priority_unlink_first(asynctask_queue_t *q, unsigned char *ring, uint32_t level)
{
	asynctask_queue_level_t *l = &q->levels[level];

	l->first = asynctask_record_at(ring, l->first)->next;
	l->count--;
}

/* Is the record at offset still in its level's list? Only asked of the
 * ring's head, the oldest record: it is linked if and only if it is its
 * level's first. Lock held. */
static bool priority_linked(const asynctask_queue_t *q, uint64_t offset, uint32_t level)
{
	return q->levels[level].count > 0 && q->levels[level].first == offset;
}

/* Finds room for `need` bytes: *pos is where the record goes, *pad the bytes
 * skipped at the end of the ring to get there. Lock held. */
static bool find_room(asynctask_queue_t *q, uint64_t need, uint64_t *pos, uint64_t *pad)
{
	if (q->count == 0) {
		q->head = q->tail = q->used = 0;
	}
	*pad = 0;
	if (q->used == 0 || q->tail > q->head) {
		/* free: [tail, capacity) and [0, head) */
		if (q->capacity - q->tail >= need) {
			*pos = q->tail;
			return true;
		}
		if (q->head >= need) {
			*pos = 0;
			*pad = q->capacity - q->tail;
			return true;
		}
		return false;
	}
	/* free: [tail, head) */
	if (q->head - q->tail >= need) {
		*pos = q->tail;
		return true;
	}
	return false;
}

/* Moves head past padding at the end of the ring. Lock held. */
static void skip_padding(asynctask_queue_t *q, unsigned char *ring)
{
	if (q->count == 0) {
		return;
	}
	uint64_t rest = q->capacity - q->head;
	if (rest < ASYNCTASK_RECORD_HEADER_SIZE || (asynctask_record_at(ring, q->head)->flags & ASYNCTASK_RECORD_PAD)) {
		q->used -= rest;
		q->head = 0;
	}
}

/* counted: a new task (stats()' "dispatched"), not a delayed one the
 * manager queues once due. retried: a worker's claim whose task's next run
 * this is, marked delivered in the same commit. */
static bool try_push(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record,
	const char *payload, bool counted, asynctask_claim_t *retried)
{
	uint64_t need = record_size(record->length), pos, pad;

	asynctask_queue_journal_begin(q, retried ? ASYNCTASK_JOURNAL_RETRY : ASYNCTASK_JOURNAL_PUSH, retried);
	if (!find_room(q, need, &pos, &pad)) {
		asynctask_queue_journal_end(q);
		return false;
	}
	ASYNCTASK_FAULT("queue.push.reserved");
	if (pad >= ASYNCTASK_RECORD_HEADER_SIZE) {
		asynctask_record_t *filler = asynctask_record_at(ring, q->tail);
		memset(filler, 0, ASYNCTASK_RECORD_HEADER_SIZE);
		filler->size = pad;
		filler->flags = ASYNCTASK_RECORD_PAD;
	}
	asynctask_record_t *slot = asynctask_record_at(ring, pos);
	*slot = *record;
	slot->size = need;
	memcpy(slot + 1, payload, record->length);
	priority_link(q, ring, pos, record_list(record->flags));
	ASYNCTASK_FAULT("queue.push.copied");

	q->tail = pos + need;
	q->used += pad + need;
	q->count++;
	/* seq_cst, as the take's decrement: a worker that stops searching reads
	 * live outside the lock (idle.c); a delayed task is not for workers yet */
	if (!(record->flags & ASYNCTASK_RECORD_DELAYED)) {
		__atomic_add_fetch(&q->live, 1, __ATOMIC_SEQ_CST);
	}
	if (counted) {
		q->pushed++;
	}
	if (retried) {
		__atomic_store_n(&retried->delivered, 1, __ATOMIC_SEQ_CST);
		ASYNCTASK_FAULT("queue.next.delivered");  /* (only workers pass here: a test kills them alone) */
	}
	ASYNCTASK_FAULT("queue.push.published");
	asynctask_queue_journal_end(q);  /* the commit */
	/* seq_cst: ordered before the producer's look at the idle workers
	 * (asynctask_idle_kick(), idle.c) */
	__atomic_add_fetch(&q->items_seq, 1, __ATOMIC_SEQ_CST);
	return true;
}

int asynctask_queue_push(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record,
	const char *payload, double timeout, asynctask_queue_idle_fn idle)
{
	uint64_t deadline = asynctask_now_ns() + (uint64_t) (timeout * 1e9);

	if (record_size(record->length) > q->capacity) {
		return E2BIG;
	}
	for (;;) {
		asynctask_queue_lock(q, ring);
		bool pushed = try_push(q, ring, record, payload, true, NULL);
		uint32_t seq = q->space_seq;
		if (!pushed) {
			/* (atomic: taken off outside the lock) */
			__atomic_add_fetch(&q->producers_sleeping, 1, __ATOMIC_SEQ_CST);
		}
		asynctask_lock_release(&q->lock);

		if (pushed) {
			return 0;  /* the caller wakes a worker if need be (idle.h) */
		}

		uint64_t now = asynctask_now_ns();
		bool woken = false;
		if (now < deadline) {
			/* Short sleeps: while it waits the producer must keep reading its
			 * own results, or workers blocked on its full pipe never make room. */
			double left = (double) (deadline - now) / 1e9;
			woken = asynctask_futex_wait(&q->space_seq, seq, left < 0.05 ? left : 0.05) == 0;
		}
		if (!woken) {
			/* a waker takes those it woke off the count (see asynctask_queue_sleep) */
			__atomic_sub_fetch(&q->producers_sleeping, 1, __ATOMIC_SEQ_CST);
		}
		if (idle && !idle()) {
			return ECANCELED;
		}
		if (now >= deadline) {
			return ETIMEDOUT;
		}
	}
}

/* Removes the record at head. Lock held. */
static void drop_head(asynctask_queue_t *q, asynctask_record_t *record)
{
	q->head += record->size;
	q->used -= record->size;
	q->count--;
	if (q->count == 0) {
		q->head = q->tail = q->used = 0;
	}
	q->space_seq++;
}

/* The spill file name a record carries, "" when it has none (or a bad one). */
static void record_spill_name(const asynctask_record_t *record, char name[ASYNCTASK_SPILL_NAME_MAX])
{
	name[0] = '\0';
	if ((record->flags & ASYNCTASK_RECORD_SPILLED) && record->length < ASYNCTASK_SPILL_NAME_MAX) {
		memcpy(name, record + 1, record->length);
		name[record->length] = '\0';
	}
}

void asynctask_record_spill_name(const asynctask_record_t *record, char name[ASYNCTASK_SPILL_NAME_MAX])
{
	record_spill_name(record, name);
}

static void remove_spill(const asynctask_record_t *record)
{
	char name[ASYNCTASK_SPILL_NAME_MAX];

	record_spill_name(record, name);
	if (name[0]) {
		asynctask_spill_remove(asynctask_rundir_fd(), name);
	}
}

/* Drops the records at the ring's head that will not run (taken out of
 * turn, cancelled), unlinking a cancelled one still in its level's list
 * (priority.h). Whether it made room. Lock held. */
static bool reclaim_head(asynctask_queue_t *q, unsigned char *ring)
{
	bool dropped = false;

	for (;;) {
		skip_padding(q, ring);
		if (q->count == 0) {
			return dropped;
		}
		asynctask_record_t *record = asynctask_record_at(ring, q->head);
		if (!(record->flags & (ASYNCTASK_RECORD_CANCELLED | ASYNCTASK_RECORD_TAKEN))) {
			return dropped;
		}
		uint32_t list = record_list(record->flags);
		if (priority_linked(q, q->head, list)) {
			priority_unlink_first(q, ring, list);
		}
		if (!(record->flags & ASYNCTASK_RECORD_TAKEN)) {
			remove_spill(record);  /* a taken one's file is its taker's */
		}
		drop_head(q, record);
		dropped = true;
	}
}

/* Takes record (at offset, already unlinked from its level) out of the ring:
 * at the head it is dropped at once, with the taken or cancelled records
 * behind it (true: room was made); out of turn it is marked taken, its flags
 * journaled first, and keeps its room until the head reaches it. */
static bool remove_taken(asynctask_queue_t *q, unsigned char *ring, asynctask_record_t *record, uint64_t offset)
{
	if (offset == q->head) {
		drop_head(q, record);
		reclaim_head(q, ring);
		return true;
	}
	q->journal.record = offset;
	q->journal.record_flags = record->flags;
	__atomic_store_n(&q->journal.record_saved, 1, __ATOMIC_SEQ_CST);
	record->flags |= ASYNCTASK_RECORD_TAKEN;
	return false;
}

/* Unlinks the first records of a list (a level's, or the delayed tasks')
 * up to its first live one, and returns that one (at *offset), or NULL when
 * there is none; the cancelled ones unlinked keep their room until the head
 * reaches them. Lock held. */
static inline asynctask_record_t *unlink_first_live(asynctask_queue_t *q, unsigned char *ring, uint32_t list,
	uint64_t *offset)
{
	while (q->levels[list].count > 0) {
		asynctask_record_t *record = asynctask_record_at(ring, q->levels[list].first);
		*offset = q->levels[list].first;
		priority_unlink_first(q, ring, list);
		if (!(record->flags & ASYNCTASK_RECORD_CANCELLED)) {
			return record;
		}
	}
	return NULL;
}

bool asynctask_queue_take(asynctask_queue_t *q, unsigned char *ring, asynctask_claim_t *claim,
	zend_string *reuse, zend_string **payload, uint32_t *spilled, uint32_t *seq)
{
	asynctask_record_t *record = NULL;
	uint64_t offset;
	bool taken = false;
	bool made_room;

	asynctask_queue_lock(q, ring);
	asynctask_queue_journal_begin(q, ASYNCTASK_JOURNAL_TAKE, claim);
	made_room = reclaim_head(q, ring);
	/* HIGH, then NORMAL, then LOW; the first live record of a level is its oldest */
	for (uint32_t level = 0; level < ASYNCTASK_QUEUE_LEVELS && !record; level++) {
		record = unlink_first_live(q, ring, level, &offset);
	}
	if (record) {
		if (reuse && ZSTR_LEN(reuse) >= record->length) {
			memcpy(ZSTR_VAL(reuse), record + 1, record->length);
			ZSTR_LEN(reuse) = record->length;
			ZSTR_VAL(reuse)[record->length] = '\0';
			zend_string_forget_hash_val(reuse);
			*payload = reuse;
		} else {
			*payload = zend_string_init((const char *) (record + 1), record->length, 0);
		}
		*spilled = record->flags & ASYNCTASK_RECORD_SPILLED;
		claim->owner = record->owner;
		claim->timeout_ms = record->timeout_ms;
		claim->started_ns = asynctask_now_ns();
		claim->queued_ns = record->queued_ns;
		claim->outcome = 0;
		claim->delivered = 0;
		claim->queue = q->index;
		claim->attempt = asynctask_record_attempt(record->flags);
		claim->record_flags = record->flags;
		claim->link = claim->links = 0;  /* the worker reads them from a chain's block */
		claim->handing_on = 0;
		if (record->flags & ASYNCTASK_RECORD_RETRY) {
			/* its file stays while the task may run again (src/pool/retry.h) */
			claim->retry = record->flags;
			claim->spill[0] = '\0';
			record_spill_name(record, claim->retry_file);
		} else {
			claim->retry = 0;
			claim->retry_file[0] = '\0';
			record_spill_name(record, claim->spill);
		}
		/* the task id last: from here on the manager treats the task as held */
		__atomic_store_n(&claim->task_id, record->task_id, __ATOMIC_SEQ_CST);
		ASYNCTASK_FAULT("queue.take.claimed");
		__atomic_sub_fetch(&q->live, 1, __ATOMIC_SEQ_CST);
		if (remove_taken(q, ring, record, offset)) {
			made_room = true;
		} else {
			ASYNCTASK_FAULT("queue.take.out_of_turn");
		}
		taken = true;
	}
	ASYNCTASK_FAULT("queue.take.done");
	asynctask_queue_journal_end(q);
	if (!taken && seq) {
		*seq = __atomic_load_n(&q->items_seq, __ATOMIC_ACQUIRE);  /* see the worker loop */
	}
	asynctask_lock_release(&q->lock);

	if (made_room && __atomic_load_n(&q->producers_sleeping, __ATOMIC_SEQ_CST) > 0) {
		asynctask_queue_wake_producers(q);
	}
	return taken;
}

void asynctask_queue_wake_all(asynctask_queue_t *q)
{
	__atomic_add_fetch(&q->items_seq, 1, __ATOMIC_SEQ_CST);
	asynctask_queue_wake_consumers(q);
	__atomic_add_fetch(&q->space_seq, 1, __ATOMIC_SEQ_CST);
	asynctask_queue_wake_producers(q);
}

int asynctask_queue_push_next(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record,
	const char *payload, asynctask_claim_t *claim)
{
	asynctask_queue_lock(q, ring);
	bool pushed = try_push(q, ring, record, payload, false, claim);
	asynctask_lock_release(&q->lock);
	return pushed ? 0 : EAGAIN;
}

uint64_t asynctask_queue_discard(asynctask_queue_t *q, unsigned char *ring)
{
	uint64_t dropped;

	asynctask_queue_lock(q, ring);
	dropped = q->live;
	for (;;) {
		asynctask_queue_journal_begin(q, ASYNCTASK_JOURNAL_DROP, NULL);
		skip_padding(q, ring);
		if (q->count == 0) {
			asynctask_queue_journal_end(q);
			break;
		}
		asynctask_record_t *record = asynctask_record_at(ring, q->head);
		uint32_t list = record_list(record->flags);
		if (priority_linked(q, q->head, list)) {
			priority_unlink_first(q, ring, list);
		}
		if (!(record->flags & (ASYNCTASK_RECORD_CANCELLED | ASYNCTASK_RECORD_TAKEN | ASYNCTASK_RECORD_DELAYED))) {
			q->live--;
		}
		if (!(record->flags & ASYNCTASK_RECORD_TAKEN)) {
			remove_spill(record);
		}
		drop_head(q, record);
		asynctask_queue_journal_end(q);
	}
	asynctask_lock_release(&q->lock);
	asynctask_queue_wake_all(q);
	return dropped;
}

/* --- delayed tasks (queue.h; src/pool/delay.h) -------------------------- */

asynctask_record_t *asynctask_queue_take_delayed(asynctask_queue_t *q, unsigned char *ring)
{
	asynctask_record_t *copy = NULL;
	uint64_t offset;
	bool made_room;

	asynctask_queue_lock(q, ring);
	asynctask_queue_journal_begin(q, ASYNCTASK_JOURNAL_TAKE, NULL);
	made_room = reclaim_head(q, ring);
	asynctask_record_t *record = unlink_first_live(q, ring, ASYNCTASK_LIST_DELAYED, &offset);
	if (record) {
		copy = malloc(ASYNCTASK_RECORD_HEADER_SIZE + record->length);
		if (!copy) {
			/* leave the queue as it was: this one is taken on a later look */
			asynctask_journal_t *j = &q->journal;
			q->head = j->head;
			q->tail = j->tail;
			q->used = j->used;
			q->count = j->count;
			memcpy(q->levels, j->levels, sizeof(q->levels));
			made_room = false;
		} else {
			memcpy(copy, record, ASYNCTASK_RECORD_HEADER_SIZE + record->length);
			if (record->flags & ASYNCTASK_RECORD_RETRY) {
				asynctask_queue_held_add(q, record->task_id);  /* cancellable while the manager holds it */
			}
			if (remove_taken(q, ring, record, offset)) {
				made_room = true;
			}
		}
	}
	asynctask_queue_journal_end(q);
	asynctask_lock_release(&q->lock);

	if (made_room && __atomic_load_n(&q->producers_sleeping, __ATOMIC_SEQ_CST) > 0) {
		asynctask_queue_wake_producers(q);
	}
	return copy;
}

int asynctask_queue_push_due(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record)
{
	asynctask_record_t due = *record;
	int err = 0;

	due.flags &= ~(ASYNCTASK_RECORD_DELAYED | ASYNCTASK_RECORD_TAKEN | ASYNCTASK_RECORD_CANCELLED);
	due.next = 0;  /* (what a holder kept there, src/pool/delay.c) */
	asynctask_queue_lock(q, ring);
	for (uint32_t i = 0; i < q->delays.ncancels; i++) {
		if (q->delays.cancels[i] == record->task_id) {
			q->delays.cancels[i] = q->delays.cancels[q->delays.ncancels - 1];
			__atomic_store_n(&q->delays.ncancels, q->delays.ncancels - 1, __ATOMIC_SEQ_CST);
			err = ECANCELED;
			break;
		}
	}
	if (!err && !try_push(q, ring, &due, (const char *) (record + 1), false, NULL)) {
		err = EAGAIN;
	}
	if (err != EAGAIN && (record->flags & ASYNCTASK_RECORD_RETRY)) {
		asynctask_queue_held_drop(q, record->task_id);
	}
	asynctask_lock_release(&q->lock);
	return err;
}
