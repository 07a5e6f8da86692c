/*
 * Mailboxes: results delivered through shared memory.
 *
 * A dispatching process takes one of the pool's mailboxes when it opens its
 * result FIFO (result.h) and gives it back when it closes it. Posters
 * (workers, the manager) copy their messages into the owner's mailbox
 * instead of writing them to its FIFO: no system call on either side while
 * the owner is awake. An owner about to sleep says so (sleeping) and sleeps
 * on the mailbox's bell, a futex word; a poster that sees it rings: bumps
 * the bell and wakes it (one system call, and the owner is woken at once).
 *
 * A mailbox is a byte ring of whole messages. Posters append under the
 * mailbox's robust lock and publish by advancing tail last (a poster that
 * dies midway published nothing); the owner alone consumes, without the
 * lock, and advances head. A process without a mailbox (all taken) gets its
 * results through the FIFO, as before.
 *
 * A message too large for one pipe message (a result over 4 KB) puts its
 * data in the mailbox's bulk ring instead, in the same critical section
 * that publishes the message, which says where the data is, always in one
 * piece (data that would wrap starts at the ring's beginning): after its
 * memory_limit check (result_spilled.c) the owner decodes a value in the
 * compact encoding straight from shared memory, or copies anything else
 * once into the result it keeps, then frees it. A bulk post never
 * waits: without room now (or for data larger than the bulk ring) the
 * poster uses a spill file, as before. Bulk data is freed in the order it
 * was posted; the pages of a freed mailbox's bulk ring go back to the system.
 */
#ifndef ASYNCTASK_MAILBOX_H
#define ASYNCTASK_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "php.h"
#include "zend_smart_str.h"
#include "src/transport/shm/lock.h"

#define ASYNCTASK_MAILBOXES      64
#define ASYNCTASK_MAILBOX_SIZE   (64 * 1024)   /* as much as a pipe holds */
/* Bulk data per mailbox. Address space only until used: its pages are
 * touched by the results that pass and given back when the mailbox is freed. */
#define ASYNCTASK_MAILBOX_BULK   (4 * 1024 * 1024)
#define ASYNCTASK_MAILBOX_PAGE   4096

/* What a worker's post is about to publish, written under the lock before
 * the message is published and cleared with the worker's note that it was:
 * should the worker die in between, the next holder of the lock (told so
 * by the robust mutex) sees whether tail got to where the message ends and,
 * if it did, makes the note for it. So whether a worker's result reached
 * its caller's mailbox is never in doubt (the manager syncs the lock before
 * it reads a dead worker's claim). */
typedef struct {
	uint64_t task_id;            /* 0: no post under way */
	uint64_t tail;               /* tail once the message is published */
	int64_t  delivered;          /* the poster's note (a uint32_t), as an offset from the mailbox; 0: none */
	uint64_t bulk_tail;          /* a bulk post: bulk_tail before it (restored if the message did not get out) */
	uint32_t bulk;
} asynctask_mailbox_journal_t;

/* Positions only grow (head <= tail <= head + size); the owner's head on
 * a cache line of its own, away from what posters write. */
typedef struct _asynctask_mailbox_t {
	asynctask_lock_t lock;       /* posters, and whoever frees the mailbox */
	int32_t  owner;              /* the dispatching process it serves; 0: free */
	uint32_t sleeping;           /* the owner sleeps on bell: ring it */
	uint32_t bell;               /* futex word: bumped by a poster that wakes the owner */
	/* the owner waits on its event stream (result_events.h): the first
	 * poster to see it clears it and writes a wake-up to the owner's FIFO */
	uint32_t listening;
	uint64_t tail;               /* bytes posted */
	uint64_t bulk_tail;          /* bulk bytes posted (moved before tail, under the lock) */
	uint64_t bulk_used;          /* bulk_tail when the bulk pages were last given back */
	asynctask_mailbox_journal_t journal;
	_Alignas(64) uint64_t head;  /* bytes the owner consumed */
	uint64_t bulk_head;          /* bulk bytes the owner freed */
	_Alignas(64) unsigned char ring[ASYNCTASK_MAILBOX_SIZE];
	_Alignas(ASYNCTASK_MAILBOX_PAGE) unsigned char bulk[ASYNCTASK_MAILBOX_BULK];
} asynctask_mailbox_t;

int asynctask_mailbox_init(asynctask_mailbox_t *box);

/* The owner's side. Takes a free mailbox for `owner`, or NULL when none is free. */
asynctask_mailbox_t *asynctask_mailbox_take(asynctask_mailbox_t *boxes, uint32_t n, pid_t owner);
/* Frees it, in one critical section with appending what is left in it to
 * `left` (NULL: dropped). Also how the manager frees the mailbox of a
 * process that died. Does nothing unless `owner` holds it. */
void asynctask_mailbox_free(asynctask_mailbox_t *box, pid_t owner, smart_str *left);
/* Whether messages wait. */
static inline bool asynctask_mailbox_pending(const asynctask_mailbox_t *box)
{
	return __atomic_load_n(&box->tail, __ATOMIC_ACQUIRE) != __atomic_load_n(&box->head, __ATOMIC_RELAXED);
}
/* Appends every waiting message to out and consumes them (the owner, or
 * whoever holds the lock of a dead owner's mailbox). */
void asynctask_mailbox_collect(asynctask_mailbox_t *box, smart_str *out);
/* Sleeps until a poster rings, at most timeout_ms (< 0: no limit); returns
 * at once when a message waits. 0, ETIMEDOUT or EINTR (a signal). */
int asynctask_mailbox_sleep(asynctask_mailbox_t *box, int timeout_ms);

/* The posters' side. The mailbox `owner` holds, or NULL. */
asynctask_mailbox_t *asynctask_mailbox_of(asynctask_mailbox_t *boxes, uint32_t n, pid_t owner);
/* Appends one message. timeout < 0: wait for room as long as the owner
 * lives; 0: do not wait. Returns 0, ENXIO (the owner gave the mailbox up),
 * ESRCH (the owner died), EAGAIN (no room in time) or EMSGSIZE; an owner
 * asleep is woken. delivered (a worker's claim, in the same shared region;
 * NULL for others) is set to 1 in the critical section that publishes the
 * message of task task_id, journaled as said above. */
int asynctask_mailbox_post(asynctask_mailbox_t *box, pid_t owner, const char *message, size_t len,
	double timeout, uint64_t task_id, uint32_t *delivered);

/* Appends one message of header_len bytes followed by where its data is,
 * two uint64_t (its position in the bulk ring and its length: the header
 * must count these 16 bytes), and puts data_len bytes of data in the bulk
 * ring, all published at once. Never waits. Returns 0, ENXIO, ESRCH (as
 * asynctask_mailbox_post()), EAGAIN (no room now) or EMSGSIZE (larger than
 * the bulk ring); delivered as for asynctask_mailbox_post(). */
int asynctask_mailbox_post_bulk(asynctask_mailbox_t *box, pid_t owner, const char *header, size_t header_len,
	const char *data, size_t data_len, uint64_t task_id, uint32_t *delivered);
/* The owner: copies the bulk data a message named (position, length) into
 * dst, or false when the message names data that is not there. */
bool asynctask_mailbox_bulk_read(asynctask_mailbox_t *box, uint64_t pos, uint64_t len, char *dst);
/* The owner: where the bulk data a message named (position, length) is, in
 * one piece (posters never wrap it), for reading in place until it is
 * freed; NULL when the message names data that is not there. */
const char *asynctask_mailbox_bulk_at(const asynctask_mailbox_t *box, uint64_t pos, uint64_t len);
/* The owner: the bulk data up to position `end` is read (or dropped): posters may reuse it. */
void asynctask_mailbox_bulk_free(asynctask_mailbox_t *box, uint64_t end);

/* The owner, with an event stream (result_events.h): says it listens,
 * then looks again. true: a message came before the word was out (a
 * poster may not have seen it): collect and listen again. Dekker's
 * handshake, as for sleeping: a poster that publishes after this look sees
 * listening (asynctask_mailbox_take_listener). */
bool asynctask_mailbox_listen(asynctask_mailbox_t *box);
/* A poster, after a post: true when the owner listened and this poster is
 * the one to wake it (the word is cleared: one wake-up per listen). */
static inline bool asynctask_mailbox_take_listener(asynctask_mailbox_t *box)
{
	uint32_t listening = 1;
	return __atomic_load_n(&box->listening, __ATOMIC_SEQ_CST) != 0
		&& __atomic_compare_exchange_n(&box->listening, &listening, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Takes and releases the lock: a post its holder died in the middle of is
 * settled now (the manager, before it reads a dead worker's claim). */
void asynctask_mailbox_sync(asynctask_mailbox_t *box);

#endif
