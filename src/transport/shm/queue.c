/*
 * The task queue.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "src/transport/shm/queue.h"
#include "src/base/fault.h"
#include "src/transport/shm/rundir.h"
#include "src/base/clock.h"

/* A worker's spinning (lock.h): one wait lasts from a take that found
 * nothing to the next that found a task, across looks that lost the task
 * to another worker. */
static asynctask_spinner_t consumer = ASYNCTASK_SPINNER_INIT;

#define RECORD_ALIGN 8
#define HEADER_SIZE  sizeof(asynctask_record_t)

static uint64_t record_size(uint64_t length)
{
	return (HEADER_SIZE + length + RECORD_ALIGN - 1) & ~(uint64_t) (RECORD_ALIGN - 1);
}

size_t asynctask_queue_inline_max(const asynctask_queue_t *q)
{
	/* A quarter of the ring: one large task never monopolises the queue. */
	return (size_t) (q->capacity / 4 - HEADER_SIZE);
}

int asynctask_queue_init(asynctask_queue_t *q, uint64_t capacity)
{
	memset(q, 0, sizeof(*q));
	q->capacity = capacity & ~(uint64_t) (RECORD_ALIGN - 1);
	return asynctask_lock_init(&q->lock);
}

static asynctask_record_t *record_at(unsigned char *ring, uint64_t offset)
{
	return (asynctask_record_t *) (ring + offset);
}

/* --- the journal (see queue.h) ------------------------------------------ */

static void journal_begin(asynctask_queue_t *q, asynctask_journal_op_t op, const asynctask_claim_t *claim)
{
	asynctask_journal_t *j = &q->journal;

	j->head = q->head;
	j->tail = q->tail;
	j->used = q->used;
	j->count = q->count;
	j->live = q->live;
	j->pushed = q->pushed;
	j->claim = claim ? (int64_t) ((const char *) claim - (const char *) q) : 0;
	__atomic_store_n(&j->op, op, __ATOMIC_RELEASE);
}

static void journal_end(asynctask_queue_t *q)
{
	__atomic_store_n(&q->journal.op, ASYNCTASK_JOURNAL_NONE, __ATOMIC_RELEASE);
}

/* Wakes up to n sleeping consumers and takes those it woke off the count
 * (see asynctask_queue_sleep). */
static void wake_consumers(asynctask_queue_t *q, int n)
{
	int woken = asynctask_futex_wake(&q->items_seq, n);
	if (woken > 0) {
		__atomic_sub_fetch(&q->consumers_sleeping, (uint32_t) woken, __ATOMIC_SEQ_CST);
	}
}

/* The same for producers waiting for room. */
static void wake_producers(asynctask_queue_t *q)
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
		q->head = j->head;
		q->tail = j->tail;
		q->used = j->used;
		q->count = j->count;
		q->live = j->live;
		q->pushed = j->pushed;
		if (j->op == ASYNCTASK_JOURNAL_CANCEL) {
			record_at(ring, j->record)->flags = j->record_flags;
		}
		if (j->claim) {
			asynctask_claim_t *claim = (asynctask_claim_t *) ((char *) q + j->claim);
			__atomic_store_n(&claim->task_id, 0, __ATOMIC_SEQ_CST);
		}
		q->rollbacks++;
		journal_end(q);
	}
	/* whoever slept waiting for the dead holder looks again */
	__atomic_add_fetch(&q->items_seq, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&q->space_seq, 1, __ATOMIC_SEQ_CST);
	wake_consumers(q, INT_MAX);
	wake_producers(q);
}

static void lock_queue(asynctask_queue_t *q, unsigned char *ring)
{
	if (asynctask_lock_acquire(&q->lock)) {
		roll_back(q, ring);
	}
}

void asynctask_queue_sync(asynctask_queue_t *q, unsigned char *ring)
{
	lock_queue(q, ring);
	asynctask_lock_release(&q->lock);
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
	if (rest < HEADER_SIZE || (record_at(ring, q->head)->flags & ASYNCTASK_RECORD_PAD)) {
		q->used -= rest;
		q->head = 0;
	}
}

static bool try_push(asynctask_queue_t *q, unsigned char *ring, const asynctask_record_t *record,
	const char *payload)
{
	uint64_t need = record_size(record->length), pos, pad;

	journal_begin(q, ASYNCTASK_JOURNAL_PUSH, NULL);
	if (!find_room(q, need, &pos, &pad)) {
		journal_end(q);
		return false;
	}
	ASYNCTASK_FAULT("queue.push.reserved");
	if (pad >= HEADER_SIZE) {
		asynctask_record_t *filler = record_at(ring, q->tail);
		memset(filler, 0, HEADER_SIZE);
		filler->size = pad;
		filler->flags = ASYNCTASK_RECORD_PAD;
	}
	asynctask_record_t *slot = record_at(ring, pos);
	*slot = *record;
	slot->size = need;
	memcpy(slot + 1, payload, record->length);
	ASYNCTASK_FAULT("queue.push.copied");

	q->tail = pos + need;
	q->used += pad + need;
	q->count++;
	q->live++;
	q->pushed++;
	ASYNCTASK_FAULT("queue.push.published");
	journal_end(q);  /* the commit */
	/* seq_cst: ordered before the push's look at consumers_sleeping (see
	 * asynctask_queue_sleep) */
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
		lock_queue(q, ring);
		bool pushed = try_push(q, ring, record, payload);
		uint32_t seq = q->space_seq;
		if (!pushed) {
			/* (atomic: taken off outside the lock) */
			__atomic_add_fetch(&q->producers_sleeping, 1, __ATOMIC_SEQ_CST);
		}
		asynctask_lock_release(&q->lock);

		if (pushed) {
			if (__atomic_load_n(&q->consumers_sleeping, __ATOMIC_SEQ_CST) > 0) {
				wake_consumers(q, 1);
			}
			return 0;
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

static void remove_spill(const asynctask_record_t *record)
{
	char name[ASYNCTASK_SPILL_NAME_MAX];

	record_spill_name(record, name);
	if (name[0]) {
		asynctask_spill_remove(asynctask_rundir_fd(), name);
	}
}

bool asynctask_queue_take(asynctask_queue_t *q, unsigned char *ring, asynctask_claim_t *claim,
	zend_string **payload, uint32_t *spilled, uint32_t *seq)
{
	bool taken = false;
	bool made_room = false;

	lock_queue(q, ring);
	journal_begin(q, ASYNCTASK_JOURNAL_TAKE, claim);
	for (;;) {
		skip_padding(q, ring);
		if (q->count == 0) {
			break;
		}
		asynctask_record_t *record = record_at(ring, q->head);
		made_room = true;
		if (record->flags & ASYNCTASK_RECORD_CANCELLED) {
			remove_spill(record);
			drop_head(q, record);
			continue;
		}
		*payload = zend_string_init((const char *) (record + 1), record->length, 0);
		*spilled = record->flags & ASYNCTASK_RECORD_SPILLED;
		claim->owner = record->owner;
		claim->timeout_ms = record->timeout_ms;
		claim->dispatched_us = record->dispatched_us;
		claim->started_ns = asynctask_now_ns();
		claim->outcome = 0;
		claim->delivered = 0;
		record_spill_name(record, claim->spill);
		/* the task id last: from here on the manager treats the task as held */
		__atomic_store_n(&claim->task_id, record->task_id, __ATOMIC_SEQ_CST);
		ASYNCTASK_FAULT("queue.take.claimed");
		q->live--;
		drop_head(q, record);
		taken = true;
		break;
	}
	ASYNCTASK_FAULT("queue.take.done");
	journal_end(q);
	if (!taken && seq) {
		*seq = __atomic_load_n(&q->items_seq, __ATOMIC_ACQUIRE);  /* see the worker loop */
	}
	asynctask_lock_release(&q->lock);

	if (made_room && __atomic_load_n(&q->producers_sleeping, __ATOMIC_SEQ_CST) > 0) {
		wake_producers(q);
	}
	if (taken) {
		asynctask_spin_end(&consumer);
	}
	return taken;
}

typedef struct {
	const uint32_t *word;
	uint32_t seq;
} seq_wait_t;

static bool seq_unchanged(const void *arg)
{
	const seq_wait_t *w = arg;
	return __atomic_load_n(w->word, __ATOMIC_ACQUIRE) == w->seq;
}

void asynctask_queue_sleep(asynctask_queue_t *q, uint32_t seq)
{
	seq_wait_t wait = { &q->items_seq, seq };

	/* work often comes back within microseconds (a caller that dispatches
	 * again as soon as it has its result, a stream of tasks that workers
	 * take faster than it comes): look for it, spinning, while that pays */
	if (asynctask_spin(&consumer, seq_unchanged, &wait)) {
		return;
	}
	asynctask_spin_slept(&consumer);
	/* Counted as sleeping only now, so that producers make no futex call for
	 * a consumer that spins. A producer bumps items_seq, then reads the
	 * count (both seq_cst): either it sees us here and wakes us, or it came
	 * first, and then the futex wait finds items_seq changed and returns at
	 * once.
	 * Whoever wakes us takes us off the count: a woken worker may wait a
	 * while for a CPU, and producers that still counted it made a futex
	 * call per push meanwhile. A wait that returns 0 was woken (and taken
	 * off by its waker); any other return is ours to take off. */
	__atomic_add_fetch(&q->consumers_sleeping, 1, __ATOMIC_SEQ_CST);
	if (asynctask_futex_wait(&q->items_seq, seq, ASYNCTASK_QUEUE_SLEEP_MAX) != 0) {
		__atomic_sub_fetch(&q->consumers_sleeping, 1, __ATOMIC_SEQ_CST);
	}
}

void asynctask_queue_wake_all(asynctask_queue_t *q)
{
	__atomic_add_fetch(&q->items_seq, 1, __ATOMIC_SEQ_CST);
	wake_consumers(q, INT_MAX);
	__atomic_add_fetch(&q->space_seq, 1, __ATOMIC_SEQ_CST);
	wake_producers(q);
}

/* The first queued record, padding skipped, for which match(record, arg)
 * holds, or NULL; *at is its offset. Lock held. */
static asynctask_record_t *find_record(asynctask_queue_t *q, unsigned char *ring,
	bool (*match)(const asynctask_record_t *, const void *), const void *arg, uint64_t *at)
{
	uint64_t offset = q->head;

	for (uint64_t seen = 0; seen < q->count; ) {
		if (q->capacity - offset < HEADER_SIZE) {
			offset = 0;
			continue;
		}
		asynctask_record_t *record = record_at(ring, offset);
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

static bool has_task_id(const asynctask_record_t *record, const void *task_id)
{
	return record->task_id == *(const uint64_t *) task_id;
}

bool asynctask_queue_cancel(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id)
{
	bool cancelled = false;
	uint64_t offset;

	lock_queue(q, ring);
	asynctask_record_t *record = find_record(q, ring, has_task_id, &task_id, &offset);
	if (record && !(record->flags & ASYNCTASK_RECORD_CANCELLED)) {
		q->journal.record = offset;
		q->journal.record_flags = record->flags;
		journal_begin(q, ASYNCTASK_JOURNAL_CANCEL, NULL);
		record->flags |= ASYNCTASK_RECORD_CANCELLED;
		q->live--;
		journal_end(q);
		cancelled = true;
	}
	asynctask_lock_release(&q->lock);
	return cancelled;
}

uint64_t asynctask_queue_discard(asynctask_queue_t *q, unsigned char *ring)
{
	uint64_t dropped;

	lock_queue(q, ring);
	dropped = q->live;
	for (;;) {
		journal_begin(q, ASYNCTASK_JOURNAL_DROP, NULL);
		skip_padding(q, ring);
		if (q->count == 0) {
			journal_end(q);
			break;
		}
		asynctask_record_t *record = record_at(ring, q->head);
		if (!(record->flags & ASYNCTASK_RECORD_CANCELLED)) {
			q->live--;
		}
		remove_spill(record);
		drop_head(q, record);
		journal_end(q);
	}
	asynctask_lock_release(&q->lock);
	asynctask_queue_wake_all(q);
	return dropped;
}

static bool spills_to(const asynctask_record_t *record, const void *name)
{
	size_t len = strlen(name);
	return (record->flags & ASYNCTASK_RECORD_SPILLED) && record->length == len && memcmp(record + 1, name, len) == 0;
}

bool asynctask_queue_refers_to(asynctask_queue_t *q, unsigned char *ring, const char *name)
{
	uint64_t offset;

	lock_queue(q, ring);
	bool found = find_record(q, ring, spills_to, name, &offset) != NULL;
	asynctask_lock_release(&q->lock);
	return found;
}
