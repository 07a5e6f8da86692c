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
 */
#ifndef ASYNCTASK_QUEUE_H
#define ASYNCTASK_QUEUE_H

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

#include "php.h"
#include "src/transport/shm/lock.h"
#include "src/transport/shm/priority.h"
#include "src/transport/shm/spill.h"
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
	ASYNCTASK_JOURNAL_RETRY,     /* a worker's push of its task's next run: rollback undoes its claim's delivered too */
} asynctask_journal_op_t;

typedef struct {
	uint32_t op;                 /* asynctask_journal_op_t; written last, cleared last */
	uint32_t record_flags;       /* cancel, take out of turn: the record's flags before */
	uint64_t record;             /* cancel, take out of turn: the record's offset */
	uint32_t record_saved;       /* take: record and record_flags are to be restored */
	int64_t  claim;              /* take: offset of the taker's claim from the queue */
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

/* Largest payload stored in the ring itself; larger ones are spilled. */
size_t asynctask_queue_inline_max(const asynctask_queue_t *q);

int asynctask_queue_init(asynctask_queue_t *q, uint64_t capacity);

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
 * idle.h says how a worker waits). */
bool asynctask_queue_take(asynctask_queue_t *q, unsigned char *ring, asynctask_claim_t *claim,
	zend_string **payload, uint32_t *spilled, uint32_t *seq);

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

/* Takes and releases the lock: if its last holder died inside, its changes
 * are rolled back now (the manager does this before it reads a dead
 * worker's claim). */
void asynctask_queue_sync(asynctask_queue_t *q, unsigned char *ring);

/* Delayed tasks (above; src/pool/delay.h) ------------------------------ */

/* Cancels a delayed task dispatched with due time due_ns: marks it in the
 * ring if it is still there, else, while it is not yet due, asks the manager
 * to drop it. 1: it will never run; 0: too late; EAGAIN: the manager's list
 * of cancellations is full (wake it, try again). */
int asynctask_queue_cancel_delayed(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id, uint64_t due_ns);

/* Manager: takes the oldest delayed record out of the ring into a malloc'd
 * copy (header, then payload), or returns NULL when there is none. */
asynctask_record_t *asynctask_queue_take_delayed(asynctask_queue_t *q, unsigned char *ring);

/* Manager: moves the cancellation requests into ids (at most max); returns how many. */
uint32_t asynctask_queue_take_cancels(asynctask_queue_t *q, unsigned char *ring, uint64_t *ids, uint32_t max);

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

/* Manager: lists task_id as a retry it holds (its own crash retries). */
void asynctask_queue_hold_retry(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id);

/* Manager: it no longer holds task_id (the pool stops). */
void asynctask_queue_release_retry(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id);

/* The spill file name a record carries into name, "" when it has none. */
void asynctask_record_spill_name(const asynctask_record_t *record, char name[ASYNCTASK_SPILL_NAME_MAX]);

/* Does a queued record refer to the spill file name? */
bool asynctask_queue_refers_to(asynctask_queue_t *q, unsigned char *ring, const char *name);

#endif
