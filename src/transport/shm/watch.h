/*
 * What the pool's HTTP status endpoint (src/pool/status/) reads in the
 * shared region, besides the counters stats() shows: per worker slot, the
 * histograms of its tasks' run time and queue wait and what it runs now;
 * for the pool, a ring of the last failures.
 *
 * No lock anywhere. A slot's histograms have one writer at a time (the
 * worker that holds the slot, or the manager once that worker is dead) and
 * are never reset: a replaced worker's successor goes on counting in them,
 * so each bucket only grows, as a Prometheus counter must. The endpoint
 * sums the slots when it is scraped. The failure ring is written by any
 * process with a failure (rare, never on a task's success path), each entry
 * under a sequence number that a reader checks before and after its copy.
 */
#ifndef ASYNCTASK_WATCH_H
#define ASYNCTASK_WATCH_H

#include <stdint.h>
#include <string.h>

/* Upper bounds of the histograms' buckets, in seconds (and ns, for the
 * writer); one more bucket holds what is above the last (+Inf). */
#define ASYNCTASK_WATCH_BOUNDS 14
#define ASYNCTASK_WATCH_BOUNDS_SECONDS \
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
#define ASYNCTASK_WATCH_BOUNDS_NS \
	1000000ull, 2500000ull, 5000000ull, 10000000ull, 25000000ull, 50000000ull, 100000000ull, \
	250000000ull, 500000000ull, 1000000000ull, 2500000000ull, 5000000000ull, 10000000000ull, \
	30000000000ull

#define ASYNCTASK_WATCH_NAME_MAX 128
#define ASYNCTASK_FAILURES_MAX 100

typedef struct {
	uint64_t buckets[ASYNCTASK_WATCH_BOUNDS + 1];  /* per bucket, not cumulative; the count is their sum */
	uint64_t sum_ns;
} asynctask_histogram_t;

typedef struct {
	asynctask_histogram_t duration;  /* from take to outcome */
	asynctask_histogram_t wait;      /* from dispatch to take */
	uint64_t observed;               /* the last task whose times are in (the manager adds a dead worker's) */
	uint64_t memory;                 /* bytes the worker's PHP heap held after its last task */
	uint64_t name_task;              /* the task `callable` names; 0 while it is rewritten */
	char     callable[ASYNCTASK_WATCH_NAME_MAX];
} asynctask_slot_watch_t;

typedef struct {
	uint64_t seq;                    /* 0: empty or being written; else its number + 1 */
	uint64_t task_id;
	uint64_t time_ms;                /* wall clock, ms since the epoch */
	uint32_t status;                 /* a result status (transport.h) */
	uint32_t line;
	uint32_t attempt;
	char     callable[ASYNCTASK_WATCH_NAME_MAX];
	char     remote_class[128];
	char     file[256];
	char     message[512];
} asynctask_failure_t;

typedef struct {
	uint64_t next;                   /* failures ever recorded */
	asynctask_failure_t entries[ASYNCTASK_FAILURES_MAX];
} asynctask_failures_t;

/* Counts one observation of ns into h: the caller is its only writer. */
static inline void asynctask_histogram_observe(asynctask_histogram_t *h, uint64_t ns)
{
	static const uint64_t bounds[ASYNCTASK_WATCH_BOUNDS] = { ASYNCTASK_WATCH_BOUNDS_NS };
	unsigned i = 0;

	while (i < ASYNCTASK_WATCH_BOUNDS && ns > bounds[i]) {
		i++;
	}
	__atomic_add_fetch(&h->sum_ns, ns, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->buckets[i], 1, __ATOMIC_RELAXED);
}

/* Copies s into a field of size bytes, cut to fit, always terminated. */
static inline void asynctask_watch_copy(char *field, size_t size, const char *s, size_t len)
{
	if (len >= size) {
		len = size - 1;
	}
	memcpy(field, s, len);
	field[len] = '\0';
}

#endif
