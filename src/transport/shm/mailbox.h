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
	int64_t  delivered;          /* the poster's note (a uint32_t), as an offset from the mailbox */
} asynctask_mailbox_journal_t;

/* Positions only grow (head <= tail <= head + size); the owner's head on
 * a cache line of its own, away from what posters write. */
typedef struct _asynctask_mailbox_t {
	asynctask_lock_t lock;       /* posters, and whoever frees the mailbox */
	int32_t  owner;              /* the dispatching process it serves; 0: free */
	uint32_t sleeping;           /* the owner sleeps on bell: ring it */
	uint32_t bell;               /* futex word: bumped by a poster that wakes the owner */
	uint64_t tail;               /* bytes posted */
	asynctask_mailbox_journal_t journal;
	_Alignas(64) uint64_t head;  /* bytes the owner consumed */
	_Alignas(64) unsigned char ring[ASYNCTASK_MAILBOX_SIZE];
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

/* Takes and releases the lock: a post its holder died in the middle of is
 * settled now (the manager, before it reads a dead worker's claim). */
void asynctask_mailbox_sync(asynctask_mailbox_t *box);

#endif
