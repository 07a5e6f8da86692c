/*
 * The pool's shared region, as every process of the pool maps it: a header
 * (the manager's pid and heartbeat, the stopping and reload flags, the
 * counters stats() shows), one slot per worker (its pid and the claim on the
 * task it holds, queue.h), the mailboxes (mailbox.h) and the queue's ring
 * (queue.h), one per named queue (asynctask.queues, src/base/queues.h),
 * each with its own ring and its own workers' slots. Made by the process that starts the pool (the CLI script, or a
 * php-fpm pool's manager) and mapped by every process that uses the pool.
 */
#ifndef ASYNCTASK_REGION_H
#define ASYNCTASK_REGION_H

#include <stdint.h>
#include <sys/types.h>

#include "php.h"
#include "php_asynctask.h"
#include "src/transport/shm/queue.h"
#include "src/transport/shm/mailbox.h"
#include "src/transport/shm/watch.h"
#include "src/base/queues.h"
#include "src/transport/transport.h"

#define ASYNCTASK_POOL_MAGIC 0x4C505441u /* "ATPL" */
#define ASYNCTASK_WORKERS_MAX 1024

typedef enum {
	ASYNCTASK_WORKER_EMPTY = 0,   /* no process */
	ASYNCTASK_WORKER_RUNNING,     /* forked; idle or busy as its claim says */
} asynctask_worker_state_t;

typedef struct {
	int32_t  pid;
	uint32_t state;
	uint32_t generation;          /* pool generation it was started in (reload) */
	uint32_t retiring;            /* set by the manager: leave after the current task (reload) */
	uint32_t started;             /* set by the worker once asynctask.bootstrap ran */
	uint32_t timed_out;           /* set by the manager before killing it for its time limit */
	uint64_t killed_ns;           /* when the manager sent it SIGTERM for its time limit */
	uint64_t tasks;               /* tasks this process has run */
	/* Outcomes this process counted, one counter per kind so that counting
	 * is a single store the manager can tell happened (claim.counted_before).
	 * The manager adds them to the pool's counters when it replaces it. */
	uint64_t counted_completed;
	uint64_t counted_failed;      /* failed, not crashed */
	uint64_t counted_crashed;
	uint64_t counted_retried;     /* attempts that failed and run again (Task::withRetries()) */
	/* busy, searching or sleeping (idle.h): changed by the worker, by a
	 * producer that wakes it and by the manager when it is gone */
	uint32_t idle;
	uint32_t queue;               /* the index of the queue it serves (set once, when the region is made) */
	asynctask_claim_t claim;      /* the task it holds */
	asynctask_slot_watch_t watch; /* its tasks' times, what it runs (watch.h); never reset */
} asynctask_worker_slot_t;

/* (stats()' "dispatched" is the queues' count of commits, queue.pushed) */
typedef struct {
	uint64_t completed;
	uint64_t failed;              /* every task that did not return a value */
	uint64_t crashed;             /* ... of which the worker died */
	uint64_t timed_out;           /* ... of which were killed past their time limit */
	uint64_t cancelled;
	uint64_t respawned;
	uint64_t dropped_results;     /* results whose dispatcher was gone */
	uint64_t retried;             /* runs that failed and were queued to run again (Task::withRetries(),
	                               * src/pool/retry.h): not in the sums above; counted as an outcome
	                               * (ASYNCTASK_RESULT_RETRIED) by the worker, or by the manager for a
	                               * dead one; /metrics shows it as asynctask_tasks_total{outcome="retried"} */
} asynctask_counters_t;

/* A node's backend figures (the Redis bridge of its manager, pool/bridge.c),
 * refreshed by the manager about once a second for stats(). */
typedef struct {
	uint32_t active;              /* this pool is a node */
	uint32_t connected;
	uint64_t stream_length;
	uint64_t pending;
	uint64_t lag;                 /* entries not yet delivered to the nodes; UINT64_MAX: Redis cannot tell */
	uint64_t dead_length;         /* entries in the dead stream (every node's) */
	uint64_t consumers;
	uint64_t reclaimed;
	uint64_t dead_lettered;
	uint64_t reconnects;
	uint64_t results_kept;
	uint64_t delayed;
	uint64_t moved;
} asynctask_node_figures_t;

/* A node's figures of one queue (its streams and delayed set in Redis), as the manager last refreshed them. */
typedef struct {
	uint64_t stream_length;
	uint64_t pending;
	uint64_t delayed;
	uint64_t lag;                 /* UINT64_MAX: unknown */
	uint64_t consumers;
} asynctask_node_queue_figures_t;

/* A named queue: its ring (queue.h), its workers' slots and its share of
 * the counters. The pool's counters are the totals; a queue's hold what the
 * manager and its workers counted (a dispatcher's rare correction of an
 * outcome it could not take, asynctask_region_count_outcome(), shows in the
 * totals only), cancellations and respawns. */
typedef struct {
	char     name[ASYNCTASK_QUEUE_NAME_MAX + 1];
	uint32_t first_slot;          /* its workers' slots: first_slot .. first_slot + workers - 1 */
	uint32_t workers;
	uint64_t ring_offset;         /* from the start of the region */
	asynctask_counters_t counters;
	asynctask_node_queue_figures_t node;   /* a node's (asynctask_node_figures_t.active) */
	asynctask_queue_t queue;
} asynctask_region_queue_t;

struct _asynctask_pool_t {
	uint32_t magic;
	uint32_t workers;             /* slots */
	int32_t  owner;               /* the process that started the pool and stops it */
	int32_t  manager;
	uint32_t stopping;            /* drain the queue, then exit */
	uint32_t generation;          /* bumped by reload: workers of older generations retire */
	uint32_t server;              /* a php-fpm pool (server.c): outlives every request */
	uint64_t heartbeat_ns;        /* the manager's last tick (asynctask_now_ns) */
	uint64_t next_task_id;
	uint64_t max_requests;
	uint32_t nqueues;             /* named queues (asynctask.queues): at least one */
	int32_t  default_queue;       /* the index of "default", -1 when it is not declared */
	uint64_t queues_offset;       /* from the start of the region: asynctask_region_queue_t[nqueues] */
	uint64_t mailbox_offset;      /* likewise: the mailboxes (mailbox.h) */
	uint32_t mailboxes;
	asynctask_counters_t counters;
	char     startup_error[512];  /* why the last worker could not start (asynctask.bootstrap) */
	asynctask_failures_t failures; /* the last failures, for the status endpoint (watch.h) */
	asynctask_node_figures_t node;
	asynctask_worker_slot_t slots[];
};

static inline asynctask_region_queue_t *asynctask_region_queue(asynctask_pool_t *pool, uint32_t index)
{
	return (asynctask_region_queue_t *) ((unsigned char *) pool + pool->queues_offset) + index;
}

static inline unsigned char *asynctask_region_queue_ring(asynctask_pool_t *pool, const asynctask_region_queue_t *rq)
{
	return (unsigned char *) pool + rq->ring_offset;
}

/* The queue the worker of slot serves. */
static inline asynctask_region_queue_t *asynctask_region_slot_queue(asynctask_pool_t *pool,
	const asynctask_worker_slot_t *slot)
{
	return asynctask_region_queue(pool, slot->queue);
}

/* The index of the queue named name (len bytes), or -1 when the pool has none of that name. */
int asynctask_region_find_queue(asynctask_pool_t *pool, const char *name, size_t len);

/* Tasks queued in every queue, not yet taken by a worker. */
uint64_t asynctask_region_queued(asynctask_pool_t *pool);

/* asynctask_queue_wake_all() on every queue. */
void asynctask_region_wake_all(asynctask_pool_t *pool);

/* asynctask_queue_discard() on every queue: how many live tasks were dropped. */
uint64_t asynctask_region_discard(asynctask_pool_t *pool);

/* Does a record of any queue refer to the spill file name? */
bool asynctask_region_refers_to(asynctask_pool_t *pool, const char *name);

static inline asynctask_mailbox_t *asynctask_region_mailboxes(asynctask_pool_t *pool)
{
	return (asynctask_mailbox_t *) ((unsigned char *) pool + pool->mailbox_offset);
}

#define ASYNCTASK_COUNT(pool, name) __atomic_add_fetch(&(pool)->counters.name, 1, __ATOMIC_RELAXED)
/* The same in the pool's totals and in the queue of that index. */
#define ASYNCTASK_COUNT_IN(pool, index, name) do { \
		ASYNCTASK_COUNT(pool, name); \
		__atomic_add_fetch(&asynctask_region_queue(pool, index)->counters.name, 1, __ATOMIC_RELAXED); \
	} while (0)

/* Counts (delta 1) or uncounts (delta -1) a task's outcome, a result status:
 * completed, or failed and, for a crash or a time limit, crashed/timed_out;
 * or (ASYNCTASK_RESULT_RETRIED) an attempt that runs again, retried only. */
void asynctask_region_count_outcome(asynctask_pool_t *pool, uint32_t status, int delta);

/* The same in the pool's totals and in the counters of queue `index` (the
 * manager: it knows the queue of every task it reports, claim.queue). */
void asynctask_region_count_queue_outcome(asynctask_pool_t *pool, uint32_t index, uint32_t status, int delta);

/* A worker's own count of the outcomes it counted. */
static inline uint64_t asynctask_slot_counted(const asynctask_worker_slot_t *slot)
{
	return __atomic_load_n(&slot->counted_completed, __ATOMIC_SEQ_CST)
		+ __atomic_load_n(&slot->counted_failed, __ATOMIC_SEQ_CST)
		+ __atomic_load_n(&slot->counted_crashed, __ATOMIC_SEQ_CST)
		+ __atomic_load_n(&slot->counted_retried, __ATOMIC_SEQ_CST);
}

/* The slot's counter for outcome status (a result status). */
static inline uint64_t *asynctask_slot_counter(asynctask_worker_slot_t *slot, uint32_t status)
{
	return status == ASYNCTASK_RESULT_VALUE ? &slot->counted_completed
		: status == ASYNCTASK_RESULT_CRASHED ? &slot->counted_crashed
		: status == ASYNCTASK_RESULT_RETRIED ? &slot->counted_retried : &slot->counted_failed;
}

/* The pool's counts as stats() shows them (the live workers' own counts
 * included) into c; returns how many tasks were dispatched. */
uint64_t asynctask_region_counts(asynctask_pool_t *pool, asynctask_counters_t *c);

/* The same for the queue of that index. */
uint64_t asynctask_region_queue_counts(asynctask_pool_t *pool, uint32_t index, asynctask_counters_t *c);

/* Adds a replaced worker's counts to the pool's counters and zeroes them. */
void asynctask_region_fold_slot_counts(asynctask_pool_t *pool, asynctask_worker_slot_t *slot);

/* Maps and initialises a pool's shared region and makes it this process's
 * pool, with the queues of layout (each with its workers given: none 0), a
 * ring of asynctask.queue_size bytes each; NULL with error filled in when it
 * cannot (never throws: a php-fpm pool's manager calls it outside any
 * request). With memfd non-NULL the region is a memfd (memory.h) whose fd
 * goes there. */
asynctask_pool_t *asynctask_region_create(const asynctask_queues_t *layout, int *memfd, char *error, size_t error_size);

/* Maps the region of a pool made by another process (a memfd of size
 * bytes, server.c) and makes it this process's pool; NULL with error. */
asynctask_pool_t *asynctask_region_attach(int memfd, size_t size, char *error, size_t error_size);

#endif
