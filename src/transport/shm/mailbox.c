/*
 * Mailboxes (see mailbox.h).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "src/transport/shm/mailbox.h"
#include "src/base/process.h"
#include "src/base/fault.h"
#include "src/base/clock.h"

int asynctask_mailbox_init(asynctask_mailbox_t *box)
{
	memset(&box->journal, 0, sizeof(box->journal));
	box->owner = 0;
	box->sleeping = 0;
	box->bell = 0;
	box->listening = 0;
	box->head = box->tail = 0;
	box->bulk_head = box->bulk_tail = box->bulk_used = 0;
	return asynctask_lock_init(&box->lock);
}

asynctask_mailbox_t *asynctask_mailbox_take(asynctask_mailbox_t *boxes, uint32_t n, pid_t owner)
{
	for (uint32_t i = 0; i < n; i++) {
		int32_t expected = 0;
		if (__atomic_load_n(&boxes[i].owner, __ATOMIC_RELAXED) == 0
				&& __atomic_compare_exchange_n(&boxes[i].owner, &expected, (int32_t) owner, false,
					__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
			return &boxes[i];  /* empty: freed under its lock with head == tail */
		}
	}
	return NULL;
}

/* The lock's last holder died inside: if it was publishing a worker's
 * message, note for the worker whether it got out (tail moves only under
 * the lock, so it is where the dead holder left it). */
static void settle_journal(asynctask_mailbox_t *box)
{
	asynctask_mailbox_journal_t *j = &box->journal;

	if (j->task_id && box->tail == j->tail) {
		/* (an offset forged by a process of our own user could only hurt that user's pool) */
		if (j->delivered) {
			__atomic_store_n((uint32_t *) ((char *) box + j->delivered), 1, __ATOMIC_SEQ_CST);
		}
	} else if (j->task_id && j->bulk) {
		/* its bulk data was reserved, its message never got out: the room is free again */
		__atomic_store_n(&box->bulk_tail, j->bulk_tail, __ATOMIC_SEQ_CST);
	}
	j->task_id = 0;
	j->bulk = 0;
}

static void lock_mailbox(asynctask_mailbox_t *box)
{
	if (asynctask_lock_acquire(&box->lock)) {
		settle_journal(box);
	}
}

void asynctask_mailbox_sync(asynctask_mailbox_t *box)
{
	lock_mailbox(box);
	asynctask_lock_release(&box->lock);
}

void asynctask_mailbox_free(asynctask_mailbox_t *box, pid_t owner, smart_str *left)
{
	lock_mailbox(box);
	if (box->owner == (int32_t) owner) {
		if (left) {
			asynctask_mailbox_collect(box, left);
		}
		box->sleeping = 0;
		box->listening = 0;
		/* empty with one store: a holder killed here leaves it consistent */
		__atomic_store_n(&box->head, box->tail, __ATOMIC_RELEASE);
		__atomic_store_n(&box->bulk_head, box->bulk_tail, __ATOMIC_RELEASE);
		if (box->bulk_used != box->bulk_tail) {
			/* the pages large results touched go back to the system (shared
			 * memory: whoever maps it may give them back) */
			(void) madvise(box->bulk, ASYNCTASK_MAILBOX_BULK, MADV_REMOVE);
			box->bulk_used = box->bulk_tail;
		}
		__atomic_store_n(&box->owner, 0, __ATOMIC_SEQ_CST);
	}
	asynctask_lock_release(&box->lock);
}

/* Copies len bytes at position `at` (modulo size) of a ring into dst, or
 * from src: in two pieces where the ring wraps. */
static void wrapped_read(const char *ring, size_t size, uint64_t at, char *dst, size_t len)
{
	size_t start = (size_t) (at % size);
	size_t first = MIN(len, size - start);
	memcpy(dst, ring + start, first);
	memcpy(dst + first, ring, len - first);
}

static void wrapped_write(char *ring, size_t size, uint64_t at, const char *src, size_t len)
{
	size_t start = (size_t) (at % size);
	size_t first = MIN(len, size - start);
	memcpy(ring + start, src, first);
	memcpy(ring, src + first, len - first);
}

/* The message ring, and the bulk ring for large results. */
static void ring_read(const asynctask_mailbox_t *box, uint64_t at, char *dst, size_t len)
{
	wrapped_read((const char *) box->ring, ASYNCTASK_MAILBOX_SIZE, at, dst, len);
}

static void ring_write(asynctask_mailbox_t *box, uint64_t at, const char *src, size_t len)
{
	wrapped_write((char *) box->ring, ASYNCTASK_MAILBOX_SIZE, at, src, len);
}

static void bulk_read(const asynctask_mailbox_t *box, uint64_t at, char *dst, size_t len)
{
	wrapped_read((const char *) box->bulk, ASYNCTASK_MAILBOX_BULK, at, dst, len);
}

static void bulk_write(asynctask_mailbox_t *box, uint64_t at, const char *src, size_t len)
{
	wrapped_write((char *) box->bulk, ASYNCTASK_MAILBOX_BULK, at, src, len);
}

void asynctask_mailbox_collect(asynctask_mailbox_t *box, smart_str *out)
{
	uint64_t head = box->head;
	uint64_t tail = __atomic_load_n(&box->tail, __ATOMIC_ACQUIRE);
	size_t len = (size_t) (tail - head);

	if (len == 0) {
		return;
	}
	if (tail < head || len > ASYNCTASK_MAILBOX_SIZE) {
		/* cannot happen (positions change by single stores under the lock): drop rather than overrun */
		__atomic_store_n(&box->head, tail, __ATOMIC_RELEASE);
		return;
	}
	smart_str_alloc(out, len, 0);
	ring_read(box, head, ZSTR_VAL(out->s) + ZSTR_LEN(out->s), len);
	ZSTR_LEN(out->s) += len;
	/* the bytes are ours: posters may reuse them */
	__atomic_store_n(&box->head, tail, __ATOMIC_RELEASE);
}

int asynctask_mailbox_sleep(asynctask_mailbox_t *box, int timeout_ms)
{
	/* Dekker's handshake, all seq_cst: we store sleeping, then load tail; a
	 * poster stores tail, then loads sleeping. One of us sees the other's
	 * store: either we see the message and do not sleep, or the poster sees
	 * sleeping (and clears it: only one poster rings) and bumps the bell,
	 * after our read of it below, so that the futex wait either finds it
	 * changed or is woken. */
	uint32_t bell = __atomic_load_n(&box->bell, __ATOMIC_SEQ_CST);
	__atomic_store_n(&box->sleeping, 1, __ATOMIC_SEQ_CST);
	int err = 0;
	if (__atomic_load_n(&box->tail, __ATOMIC_SEQ_CST) == box->head) {
		err = asynctask_futex_wait(&box->bell, bell, timeout_ms < 0 ? -1 : timeout_ms / 1000.0);
	}
	__atomic_store_n(&box->sleeping, 0, __ATOMIC_RELAXED);
	return err;
}

bool asynctask_mailbox_listen(asynctask_mailbox_t *box)
{
	__atomic_store_n(&box->listening, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&box->tail, __ATOMIC_SEQ_CST) != box->head;
}

asynctask_mailbox_t *asynctask_mailbox_of(asynctask_mailbox_t *boxes, uint32_t n, pid_t owner)
{
	/* one poster mostly serves one or a few owners: remember where the last one was */
	static uint32_t last;

	if (last < n && __atomic_load_n(&boxes[last].owner, __ATOMIC_RELAXED) == (int32_t) owner) {
		return &boxes[last];
	}
	for (uint32_t i = 0; i < n; i++) {
		if (__atomic_load_n(&boxes[i].owner, __ATOMIC_RELAXED) == (int32_t) owner) {
			last = i;
			return &boxes[i];
		}
	}
	return NULL;
}

/* A poster waits for room with naps from 50 µs doubling to 5 ms (a full
 * mailbox is an owner busy elsewhere, perhaps for long), and looks whether
 * the owner still lives every 100 ms. */
#define ROOM_NAP_MIN_NS   (50 * 1000)
#define ROOM_NAP_MAX_NS   (5 * 1000 * 1000)
#define OWNER_CHECK_NS    (100 * 1000 * 1000)

int asynctask_mailbox_post(asynctask_mailbox_t *box, pid_t owner, const char *message, size_t len,
	double timeout, uint64_t task_id, uint32_t *delivered)
{
	uint64_t start = asynctask_now_ns(), next_check = start + OWNER_CHECK_NS;
	uint64_t deadline = timeout > 0 ? start + (uint64_t) (timeout * 1e9) : 0;
	long nap = ROOM_NAP_MIN_NS;

	if (len > ASYNCTASK_MAILBOX_SIZE) {
		return EMSGSIZE;
	}
	for (;;) {
		lock_mailbox(box);
		if (box->owner != (int32_t) owner) {
			asynctask_lock_release(&box->lock);
			return ENXIO;
		}
		uint64_t tail = box->tail;
		if (ASYNCTASK_MAILBOX_SIZE - (tail - __atomic_load_n(&box->head, __ATOMIC_ACQUIRE)) >= len) {
			ring_write(box, tail, message, len);
			if (delivered) {
				box->journal.tail = tail + len;
				box->journal.delivered = (int64_t) ((char *) delivered - (char *) box);
				__atomic_store_n(&box->journal.task_id, task_id, __ATOMIC_SEQ_CST);
			}
			__atomic_store_n(&box->tail, tail + len, __ATOMIC_SEQ_CST);  /* published */
			if (delivered) {
				ASYNCTASK_FAULT("mailbox.published");
				__atomic_store_n(delivered, 1, __ATOMIC_SEQ_CST);
				__atomic_store_n(&box->journal.task_id, 0, __ATOMIC_SEQ_CST);
			}
			/* the first poster to see the owner asleep rings, once per sleep:
			 * the owner may wait a while for a CPU (see asynctask_mailbox_sleep) */
			uint32_t asleep = 1;
			bool ring = __atomic_load_n(&box->sleeping, __ATOMIC_SEQ_CST) != 0
				&& __atomic_compare_exchange_n(&box->sleeping, &asleep, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			asynctask_lock_release(&box->lock);
			if (ring) {
				__atomic_add_fetch(&box->bell, 1, __ATOMIC_SEQ_CST);
				asynctask_futex_wake(&box->bell, 1);
			}
			return 0;
		}
		asynctask_lock_release(&box->lock);
		/* full: the owner reads it as it dispatches and waits, as it would a pipe */
		uint64_t now = asynctask_now_ns();
		if (timeout == 0 || (timeout > 0 && now >= deadline)) {
			return EAGAIN;
		}
		if (now >= next_check) {
			if (asynctask_process_gone(owner)) {
				return ESRCH;
			}
			next_check = now + OWNER_CHECK_NS;
		}
		struct timespec ts = { 0, nap };
		nanosleep(&ts, NULL);
		nap = MIN(nap * 2, ROOM_NAP_MAX_NS);
	}
}

/* The owner asleep on the bell is woken by the first poster that sees it (see asynctask_mailbox_post). */
static void ring_bell(asynctask_mailbox_t *box, bool ring)
{
	if (ring) {
		__atomic_add_fetch(&box->bell, 1, __ATOMIC_SEQ_CST);
		asynctask_futex_wake(&box->bell, 1);
	}
}

int asynctask_mailbox_post_bulk(asynctask_mailbox_t *box, pid_t owner, const char *header, size_t header_len,
	const char *data, size_t data_len, uint64_t task_id, uint32_t *delivered)
{
	size_t len = header_len + 2 * sizeof(uint64_t);

	if (data_len > ASYNCTASK_MAILBOX_BULK || len > ASYNCTASK_MAILBOX_SIZE) {
		return EMSGSIZE;
	}
	lock_mailbox(box);
	if (box->owner != (int32_t) owner) {
		asynctask_lock_release(&box->lock);
		return ENXIO;
	}
	uint64_t tail = box->tail, bulk_tail = box->bulk_tail;
	/* in one piece: data that would wrap starts at the ring's beginning
	 * instead (the bytes skipped are freed with it), so that the owner can
	 * decode it where it is */
	uint64_t start = bulk_tail;
	size_t offset = (size_t) (bulk_tail % ASYNCTASK_MAILBOX_BULK);
	if (data_len > ASYNCTASK_MAILBOX_BULK - offset) {
		start += ASYNCTASK_MAILBOX_BULK - offset;
	}
	if (ASYNCTASK_MAILBOX_SIZE - (tail - __atomic_load_n(&box->head, __ATOMIC_ACQUIRE)) < len
			|| ASYNCTASK_MAILBOX_BULK - (bulk_tail - __atomic_load_n(&box->bulk_head, __ATOMIC_ACQUIRE))
				< data_len + (start - bulk_tail)) {
		asynctask_lock_release(&box->lock);
		return EAGAIN;  /* the poster spills to a file instead of waiting */
	}
	/* the copy is made under the lock: other posters to this owner wait for
	 * it, as they would for the owner to read a full mailbox */
	bulk_write(box, start, data, data_len);
	uint64_t where[2] = { start, data_len };
	ring_write(box, tail, header, header_len);
	ring_write(box, tail + header_len, (const char *) where, sizeof(where));
	box->journal.tail = tail + len;
	box->journal.delivered = delivered ? (int64_t) ((char *) delivered - (char *) box) : 0;
	box->journal.bulk_tail = bulk_tail;
	box->journal.bulk = 1;
	__atomic_store_n(&box->journal.task_id, task_id ? task_id : UINT64_MAX, __ATOMIC_SEQ_CST);
	/* the data's room first, then the message that names it: a poster
	 * killed between the two has its room given back (settle_journal) */
	__atomic_store_n(&box->bulk_tail, start + data_len, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("mailbox.bulk.reserved");
	__atomic_store_n(&box->tail, tail + len, __ATOMIC_SEQ_CST);  /* published */
	if (delivered) {
		ASYNCTASK_FAULT("mailbox.published");
		__atomic_store_n(delivered, 1, __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&box->journal.task_id, 0, __ATOMIC_SEQ_CST);
	box->journal.bulk = 0;
	uint32_t asleep = 1;
	bool ring = __atomic_load_n(&box->sleeping, __ATOMIC_SEQ_CST) != 0
		&& __atomic_compare_exchange_n(&box->sleeping, &asleep, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	asynctask_lock_release(&box->lock);
	ring_bell(box, ring);
	return 0;
}

/* Whether (pos, len) names bulk data published with its message and not yet freed. */
static bool bulk_published(const asynctask_mailbox_t *box, uint64_t pos, uint64_t len)
{
	uint64_t head = __atomic_load_n(&box->bulk_head, __ATOMIC_RELAXED);
	uint64_t tail = __atomic_load_n(&box->bulk_tail, __ATOMIC_ACQUIRE);

	return pos >= head && pos <= tail && len <= tail - pos && len <= ASYNCTASK_MAILBOX_BULK;
}

bool asynctask_mailbox_bulk_read(asynctask_mailbox_t *box, uint64_t pos, uint64_t len, char *dst)
{
	if (!bulk_published(box, pos, len)) {
		return false;
	}
	bulk_read(box, pos, dst, (size_t) len);
	return true;
}

const char *asynctask_mailbox_bulk_at(const asynctask_mailbox_t *box, uint64_t pos, uint64_t len)
{
	size_t offset = (size_t) (pos % ASYNCTASK_MAILBOX_BULK);

	if (!bulk_published(box, pos, len) || len > ASYNCTASK_MAILBOX_BULK - offset) {
		return NULL;
	}
	return (const char *) box->bulk + offset;
}

void asynctask_mailbox_bulk_free(asynctask_mailbox_t *box, uint64_t end)
{
	uint64_t tail = __atomic_load_n(&box->bulk_tail, __ATOMIC_ACQUIRE);

	if (end > __atomic_load_n(&box->bulk_head, __ATOMIC_RELAXED) && end <= tail) {
		/* the bytes are read: posters may reuse them */
		__atomic_store_n(&box->bulk_head, end, __ATOMIC_RELEASE);
	}
}
