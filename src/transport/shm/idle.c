/*
 * Idle workers (idle.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/transport/shm/idle.h"
#include "src/base/fault.h"
#include "src/transport/shm/lock.h"

/* The longest a worker sleeps before it looks again by itself. A test build
 * takes ASYNCTASK_IDLE_SLEEP_MAX (seconds) from the environment, so that a
 * lost wake-up hangs a test (tests/transport/shm/queue/wake_bursts.phpt,
 * tests/transport/shm/faults/worker_killed_idle.phpt) instead of costing a
 * second. */
static double sleep_max(void)
{
#ifdef ASYNCTASK_FAULT_INJECTION
	const char *env = getenv("ASYNCTASK_IDLE_SLEEP_MAX");
	if (env && atof(env) > 0) {
		return atof(env);
	}
#endif
	return ASYNCTASK_QUEUE_SLEEP_MAX;
}

/* A test build widens the windows between the steps of the handshake
 * (idle.h) by a random pause of up to ASYNCTASK_IDLE_WIDEN_US microseconds,
 * so that a stress test meets the interleavings a real machine meets once
 * in a million. */
#ifdef ASYNCTASK_FAULT_INJECTION
static void widen(void)
{
	const char *env = getenv("ASYNCTASK_IDLE_WIDEN_US");
	long us = env ? atol(env) : 0;
	if (us > 0 && rand() % 2) {
		usleep((useconds_t) (rand() % us));
	}
}
#else
# define widen() ((void) 0)
#endif

/* A worker's spinning (lock.h): one wait lasts from a take that found
 * nothing to the next that found a task, across looks that lost the task
 * to another worker. */
static asynctask_spinner_t consumer = ASYNCTASK_SPINNER_INIT;

static uint32_t bit_of(asynctask_pool_t *pool, asynctask_worker_slot_t *slot)
{
	return 1u << ((uint32_t) (slot - pool->slots) % 32);
}

/* Marks a sleeping worker of the queue searching and wakes it; false when none sleeps. */
static bool wake_one(asynctask_pool_t *pool, asynctask_region_queue_t *rq)
{
	asynctask_queue_t *q = &rq->queue;

	for (uint32_t i = rq->first_slot; i < rq->first_slot + rq->workers; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		uint32_t expected = ASYNCTASK_IDLE_SLEEPING;
		if (__atomic_load_n(&slot->idle, __ATOMIC_SEQ_CST) != ASYNCTASK_IDLE_SLEEPING
				|| !__atomic_compare_exchange_n(&slot->idle, &expected, ASYNCTASK_IDLE_SEARCHING, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			continue;
		}
		widen();
		/* marked, then counted (idle.h) */
		__atomic_add_fetch(&q->searching, 1, __ATOMIC_SEQ_CST);
		widen();
		/* it may be between its last look at items_seq and its futex wait,
		 * on the value it read: moved, the wait returns at once */
		__atomic_add_fetch(&q->items_seq, 1, __ATOMIC_SEQ_CST);
		widen();
		/* every sleeper of its bit: one woken in its place would leave it asleep though counted */
		asynctask_futex_wake_bits(&q->items_seq, INT_MAX, bit_of(pool, slot));
		return true;
	}
	return false;
}

void asynctask_idle_kick(asynctask_pool_t *pool, uint32_t queue)
{
	asynctask_region_queue_t *rq = asynctask_region_queue(pool, queue);
	asynctask_queue_t *q = &rq->queue;

	widen();
	if (__atomic_load_n(&q->searching, __ATOMIC_SEQ_CST) > 0) {
		return;  /* a searcher takes it (or sees it before it sleeps) */
	}
	if (__atomic_load_n(&q->sleepers, __ATOMIC_SEQ_CST) == 0) {
		return;  /* every worker is busy: each looks at the queue before it sleeps */
	}
	wake_one(pool, rq);
}

void asynctask_idle_found(asynctask_pool_t *pool, asynctask_worker_slot_t *slot)
{
	asynctask_queue_t *q = &asynctask_region_slot_queue(pool, slot)->queue;

	asynctask_spin_end(&consumer);
	/* only this worker changes its slot from searching (or the manager, once it is gone) */
	if (__atomic_load_n(&slot->idle, __ATOMIC_RELAXED) != ASYNCTASK_IDLE_SEARCHING) {
		return;
	}
	/* uncounted, then unmarked (idle.h) */
	__atomic_sub_fetch(&q->searching, 1, __ATOMIC_SEQ_CST);
	widen();
	__atomic_store_n(&slot->idle, ASYNCTASK_IDLE_BUSY, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("idle.found");
	widen();
	/* a producer that counted on us pushed before this look: pass it on */
	if (__atomic_load_n(&q->live, __ATOMIC_SEQ_CST) > 0) {
		asynctask_idle_kick(pool, slot->queue);
	}
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

void asynctask_idle_wait(asynctask_pool_t *pool, asynctask_worker_slot_t *slot, uint32_t token)
{
	asynctask_queue_t *q = &asynctask_region_slot_queue(pool, slot)->queue;
	seq_wait_t wait = { &q->items_seq, token };
	int32_t searching;

	if (__atomic_load_n(&slot->idle, __ATOMIC_RELAXED) != ASYNCTASK_IDLE_SEARCHING) {
		/* marked, then counted */
		__atomic_store_n(&slot->idle, ASYNCTASK_IDLE_SEARCHING, __ATOMIC_SEQ_CST);
		searching = __atomic_add_fetch(&q->searching, 1, __ATOMIC_SEQ_CST);
	} else {
		searching = __atomic_load_n(&q->searching, __ATOMIC_RELAXED);
	}
	ASYNCTASK_FAULT("idle.searching");
	/* the other queues' searchers count too (a bound, not a protocol: a
	 * moment old is fine) */
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		if (i != slot->queue) {
			searching += __atomic_load_n(&asynctask_region_queue(pool, i)->queue.searching, __ATOMIC_RELAXED);
		}
	}
	/* work often comes back within microseconds (a caller that dispatches
	 * again as soon as it has its result, a stream of tasks that workers
	 * take faster than it comes): look for it, spinning, while that pays;
	 * no more spinners than CPUs in the whole pool, the others would only
	 * take CPU time from the dispatcher and from the workers that run tasks */
	if (searching <= asynctask_spin_cpus() && asynctask_spin(&consumer, seq_unchanged, &wait)) {
		return;
	}
	asynctask_spin_slept(&consumer);

	/* counted as a sleeper, uncounted and unmarked as a searcher, marked
	 * sleeping, then the look at items_seq (idle.h) */
	__atomic_add_fetch(&q->sleepers, 1, __ATOMIC_SEQ_CST);
	widen();
	__atomic_sub_fetch(&q->searching, 1, __ATOMIC_SEQ_CST);
	widen();
	__atomic_store_n(&slot->idle, ASYNCTASK_IDLE_SLEEPING, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("idle.sleeping");
	widen();
	if (__atomic_load_n(&q->items_seq, __ATOMIC_SEQ_CST) == token) {
		widen();
		asynctask_futex_wait_bits(&q->items_seq, token, bit_of(pool, slot), sleep_max());
	}
	/* woken by a producer: it marked and counted us; otherwise (items_seq
	 * moved, the time is up, a wake-up of every sleeper or one meant for
	 * another worker of our bit) we do */
	uint32_t expected = ASYNCTASK_IDLE_SLEEPING;
	if (__atomic_compare_exchange_n(&slot->idle, &expected, ASYNCTASK_IDLE_SEARCHING, false,
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		widen();
		__atomic_add_fetch(&q->searching, 1, __ATOMIC_SEQ_CST);
	}
	widen();
	__atomic_sub_fetch(&q->sleepers, 1, __ATOMIC_SEQ_CST);
}

void asynctask_idle_forget(asynctask_pool_t *pool, asynctask_worker_slot_t *slot)
{
	asynctask_queue_t *q = &asynctask_region_slot_queue(pool, slot)->queue;

	/* Nobody but a producer that wakes it changes a dead worker's slot, and
	 * only from sleeping: a searcher is uncounted, then unmarked (one that
	 * died between marking and counting itself is uncounted all the same:
	 * the count is then below the truth, which costs wake-ups, never one). */
	for (;;) {
		uint32_t state = __atomic_load_n(&slot->idle, __ATOMIC_SEQ_CST);
		if (state == ASYNCTASK_IDLE_SEARCHING) {
			__atomic_sub_fetch(&q->searching, 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&slot->idle, ASYNCTASK_IDLE_BUSY, __ATOMIC_SEQ_CST);
			break;
		}
		if (state == ASYNCTASK_IDLE_SLEEPING) {
			uint32_t expected = ASYNCTASK_IDLE_SLEEPING;
			if (__atomic_compare_exchange_n(&slot->idle, &expected, ASYNCTASK_IDLE_BUSY, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
				/* it was counted a sleeper and will never uncount itself */
				__atomic_sub_fetch(&q->sleepers, 1, __ATOMIC_SEQ_CST);
				break;
			}
			continue;  /* a producer made it a searcher: uncount that */
		}
		break;
	}
	/* it may have been the searcher a push counted on */
	asynctask_queue_wake_all(q);
}
