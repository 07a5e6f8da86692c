/*
 * The task queue's ring in shared memory (queue.h says how it works): the
 * layout every process shares (a record and its flags, the priority levels'
 * lists, the journal, the queue's header), and its lock with the journal
 * (queue_ring.c): what the queue's critical sections are made of.
 */
#ifndef ASYNCTASK_QUEUE_RING_H
#define ASYNCTASK_QUEUE_RING_H

#include <stdint.h>
#include <stdbool.h>

#include "src/transport/shm/lock.h"
#include "src/transport/shm/priority.h"
#include "src/transport/transport.h"

#define ASYNCTASK_RECORD_PAD       (1u << 0)  /* filler up to the end of the ring */
#define ASYNCTASK_RECORD_CANCELLED (1u << 1)  /* Future::cancel() got it first */
#define ASYNCTASK_RECORD_SPILLED   (1u << 2)  /* payload is the name of a spill file (spill.h) */
#define ASYNCTASK_RECORD_TAKEN     (1u << 3)  /* taken out of turn (priorities, below): only its room is left */
#define ASYNCTASK_RECORD_DELAYED   (1u << 4)  /* for the manager to hold until due_ns (src/pool/delay.h) */
#define ASYNCTASK_RECORD_RETRY     (1u << 5)  /* with retries: SPILLED, its file begins with its plan (codec/retry.h) */
#define ASYNCTASK_RECORD_CHAIN     (1u << 6)  /* a link of a chain: its payload begins (behind a plan) with codec/chain.h's block */
/* A task with retries: which run it is (1 the first), bits 16-31 of flags
 * (0 reads as 1: every other record is a first run). */
#define ASYNCTASK_RECORD_ATTEMPT_SHIFT 16
#define ASYNCTASK_ATTEMPT_MAX 0xFFFFu

static inline uint32_t asynctask_record_attempt(uint32_t flags)
{
	uint32_t attempt = flags >> ASYNCTASK_RECORD_ATTEMPT_SHIFT;
	return attempt ? attempt : 1;
}

static inline uint32_t asynctask_record_attempt_flags(uint32_t attempt)
{
	return (attempt > ASYNCTASK_ATTEMPT_MAX ? ASYNCTASK_ATTEMPT_MAX : attempt) << ASYNCTASK_RECORD_ATTEMPT_SHIFT;
}

/* The record's priority level (priority.h), bits 8-9 of flags: 0 is
 * NORMAL, so that a record made without a priority (the Redis bridge's,
 * say) is an ordinary task; 1 HIGH, 2 LOW. */
#define ASYNCTASK_RECORD_LEVEL_SHIFT 8

static inline uint32_t asynctask_record_level(uint32_t flags)
{
	uint32_t bits = (flags >> ASYNCTASK_RECORD_LEVEL_SHIFT) & 3u;
	return bits == 1 ? ASYNCTASK_LEVEL_HIGH : bits == 2 ? ASYNCTASK_LEVEL_LOW : ASYNCTASK_LEVEL_NORMAL;
}

static inline uint32_t asynctask_record_level_flags(uint32_t level)
{
	return (level == ASYNCTASK_LEVEL_HIGH ? 1u : level == ASYNCTASK_LEVEL_LOW ? 2u : 0u) << ASYNCTASK_RECORD_LEVEL_SHIFT;
}

typedef struct {
	uint64_t size;        /* whole record with this header, a multiple of 8 */
	uint32_t flags;
	uint32_t timeout_ms;  /* the task's time limit, 0 = none */
	uint64_t task_id;
	int32_t  owner;       /* pid of the process that waits for the result */
	uint32_t length;      /* payload bytes that follow (or the spill file name's length) */
	uint64_t queued_ns;   /* when it was sent (asynctask_now_ns), for the queue-wait histogram */
	uint64_t next;        /* the next record of its priority level (priority.h) */
	uint64_t due_ns;      /* a delayed task: not to be queued for workers before this (asynctask_now_ns) */
} asynctask_record_t;

typedef enum {
	ASYNCTASK_JOURNAL_NONE = 0,
	ASYNCTASK_JOURNAL_PUSH,
	ASYNCTASK_JOURNAL_TAKE,
	ASYNCTASK_JOURNAL_CANCEL,
	ASYNCTASK_JOURNAL_DROP,
	ASYNCTASK_JOURNAL_RETRY,     /* a worker's push of its task's next run or link: rollback undoes its claim's delivered too */
} asynctask_journal_op_t;

typedef struct {
	uint32_t op;                 /* asynctask_journal_op_t; written last, cleared last */
	uint32_t record_flags;       /* cancel, take out of turn: the record's flags before */
	uint64_t record;             /* cancel, take out of turn: the record's offset */
	uint32_t record_saved;       /* take: record and record_flags are to be restored */
	int64_t  claim;              /* take, retry: offset of the worker's claim from the queue */
	uint64_t head, tail, used, count, live, pushed;
	asynctask_queue_level_t levels[ASYNCTASK_QUEUE_LISTS];
} asynctask_journal_t;

/* Delayed tasks (src/pool/delay.h): a dispatcher pushes one onto the
 * delayed list and wakes the manager when `wake` was 0; the manager takes
 * it out of the ring into its own memory and pushes it back, as a task
 * workers take, once due. Cancelling one the manager holds appends its id
 * to `cancels` (under the lock, before it is due); the manager drops those,
 * and a push back checks them first. */
#define ASYNCTASK_DELAY_CANCELS 256
/* Tasks waiting for a retry that the manager holds (src/pool/retry.h) are
 * listed by id in `held`, so that Future::cancel() knows it may still ask
 * the manager to drop one; past this many, a held retry cannot be cancelled. */
#define ASYNCTASK_RETRY_HELD 4096

typedef struct {
	uint32_t wake;               /* the manager has been asked to look */
	uint32_t ncancels;
	uint64_t cancels[ASYNCTASK_DELAY_CANCELS];
	uint32_t nheld;
	uint32_t held_dropped;       /* held retries that did not fit in held[] (not cancellable) */
	uint64_t held[ASYNCTASK_RETRY_HELD];
} asynctask_queue_delays_t;

typedef struct {
	asynctask_lock_t lock;
	asynctask_journal_t journal;
	uint64_t rollbacks;          /* critical sections rolled back after their holder died */
	uint32_t items_seq;          /* futex word: changes when there may be work (or news) */
	uint32_t space_seq;          /* futex word: changes when room was made */
	/* Idle workers (idle.h): how many look for work, as a bound that is never
	 * above the truth, and how many may sleep, never below it. */
	int32_t  searching;
	uint32_t sleepers;
	uint32_t producers_sleeping;
	uint32_t index;              /* its place among the pool's named queues (region.h): a take notes it in the claim */
	uint64_t capacity;           /* bytes of ring */
	uint64_t head;               /* offset of the oldest record */
	uint64_t tail;               /* offset for the next record */
	uint64_t used;               /* bytes in use, padding included */
	uint64_t count;              /* records in the ring, cancelled ones included */
	uint64_t live;               /* records that will still run */
	uint64_t pushed;             /* records ever committed: stats()' "dispatched" */
	asynctask_queue_level_t levels[ASYNCTASK_QUEUE_LISTS];  /* HIGH, NORMAL, LOW, delayed (priority.h) */
	asynctask_queue_delays_t delays;  /* delayed tasks' wake-ups and cancellations (below) */
} asynctask_queue_t;

/* Takes and releases the lock: if its last holder died inside, its changes
 * are rolled back now (the manager does this before it reads a dead
 * worker's claim). */
void asynctask_queue_sync(asynctask_queue_t *q, unsigned char *ring);

/* --- queue_ring.c, for the queue's critical sections (queue_internal.h) */

/* Takes the lock; when its last holder died inside, rolls its changes back first. */
void asynctask_queue_lock(asynctask_queue_t *q, unsigned char *ring);
/* Journals the change about to be made (claim: the taker's claim, cleared
 * if it is rolled back, or, for ASYNCTASK_JOURNAL_RETRY, the claim whose
 * delivered is reset; NULL: none). Lock held. */
void asynctask_queue_journal_begin(asynctask_queue_t *q, asynctask_journal_op_t op, const asynctask_claim_t *claim);
/* The change is complete: the journal is cleared, with the last store. */
void asynctask_queue_journal_end(asynctask_queue_t *q);
/* Wakes every sleeping consumer, whatever its bit: each one that wakes
 * counts itself as searching again (idle.c). */
void asynctask_queue_wake_consumers(asynctask_queue_t *q);
/* Wakes every producer waiting for room. */
void asynctask_queue_wake_producers(asynctask_queue_t *q);

#endif
