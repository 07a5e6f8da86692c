/*
 * The manager's delayed tasks (delay.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "php.h"

#include "src/pool/delay.h"
#include "src/base/clock.h"
#include "src/base/log.h"
#include "src/base/queues.h"
#include "src/transport/shm/idle.h"
#include "src/transport/shm/queue.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/spill.h"

#define RETRY_NS (10ull * 1000 * 1000)  /* no room in the queue for a due task: look again after */

/* A task held: its record (header and payload; 8 bytes a task in the heap).
 * The index of its queue is kept in the record's `next`, which links a
 * record of the ring into its level's list (priority.h) and means nothing
 * in a copy the manager holds (asynctask_queue_push_due() clears it). */
typedef struct {
	asynctask_record_t *record;
} held_t;

static inline uint32_t held_queue(held_t h)
{
	return (uint32_t) h.record->next;
}

static inline held_t held(asynctask_record_t *record, uint32_t queue)
{
	record->next = queue;
	return (held_t) { record };
}

static struct {
	asynctask_pool_t *pool;
	struct event     *timer;
	held_t           *heap;          /* min-heap by (due_ns, task_id) */
	size_t            n, cap;
} delay;

static bool before(held_t a, held_t b)
{
	return a.record->due_ns < b.record->due_ns
		|| (a.record->due_ns == b.record->due_ns && a.record->task_id < b.record->task_id);
}

static void sift_up(size_t i)
{
	held_t r = delay.heap[i];

	while (i > 0 && before(r, delay.heap[(i - 1) / 2])) {
		delay.heap[i] = delay.heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	delay.heap[i] = r;
}

static void sift_down(size_t i)
{
	held_t r = delay.heap[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= delay.n) {
			break;
		}
		if (child + 1 < delay.n && before(delay.heap[child + 1], delay.heap[child])) {
			child++;
		}
		if (!before(delay.heap[child], r)) {
			break;
		}
		delay.heap[i] = delay.heap[child];
		i = child;
	}
	delay.heap[i] = r;
}

/* Room for one more entry; false when memory is short. */
static bool heap_reserve(void)
{
	if (delay.n < delay.cap) {
		return true;
	}
	size_t cap = delay.cap ? delay.cap * 2 : 64;
	held_t *heap = realloc(delay.heap, cap * sizeof(*heap));
	if (!heap) {
		return false;
	}
	delay.heap = heap;
	delay.cap = cap;
	return true;
}

static void heap_push(held_t r)
{
	delay.heap[delay.n++] = r;
	sift_up(delay.n - 1);
}

/* Removes the entry at i and returns its record. */
static asynctask_record_t *heap_remove(size_t i)
{
	asynctask_record_t *r = delay.heap[i].record;

	delay.n--;
	if (i < delay.n) {
		delay.heap[i] = delay.heap[delay.n];
		if (i > 0 && before(delay.heap[i], delay.heap[(i - 1) / 2])) {
			sift_up(i);
		} else {
			sift_down(i);
		}
	}
	return r;
}

/* A held record that will not run (cancelled, or the pool stops): a task
 * that travels in a file (one with retries, src/pool/retry.h, one larger
 * than a quarter of its queue, a chain's next link) leaves it, which is
 * then removed. Frees it. */
static void drop(asynctask_record_t *r)
{
	if (r->flags & ASYNCTASK_RECORD_SPILLED) {
		char name[ASYNCTASK_SPILL_NAME_MAX];
		asynctask_record_spill_name(r, name);
		if (name[0]) {
			asynctask_spill_remove(asynctask_rundir_fd(), name);
		}
	}
	free(r);
}

static void arm(uint64_t after_ns)
{
	struct timeval tv = { (time_t) (after_ns / 1000000000ull), (suseconds_t) (after_ns % 1000000000ull / 1000) };

	/* a microsecond more than asked: the timer's own rounding never makes it early
	 * (and fire() checks the clock anyway) */
	tv.tv_usec += 1;
	if (tv.tv_usec >= 1000000) {
		tv.tv_sec++;
		tv.tv_usec -= 1000000;
	}
	evtimer_add(delay.timer, &tv);
}

static void arm_for_earliest(void)
{
	if (delay.n == 0) {
		evtimer_del(delay.timer);
		return;
	}
	uint64_t now = asynctask_now_ns(), due = delay.heap[0].record->due_ns;
	arm(due > now ? due - now : 0);
}

/* Pushes every due task into its queue; sets the timer for what is left.
 * A queue with no room keeps its due tasks in the heap, in their order, for
 * another try 10 ms later, and the other queues' due tasks go on: one full
 * queue never holds back another's. */
static void fire(evutil_socket_t fd, short what, void *arg)
{
	bool full[ASYNCTASK_QUEUES_MAX] = { false };
	held_t *aside = NULL;
	size_t naside = 0;
	bool retry = false;
	(void) fd; (void) what; (void) arg;

	asynctask_delay_look();  /* cancellations first */
	while (delay.n > 0 && delay.heap[0].record->due_ns <= asynctask_now_ns()) {
		held_t top = delay.heap[0];
		uint32_t queue = held_queue(top);
		asynctask_region_queue_t *rq = asynctask_region_queue(delay.pool, queue);
		int err = full[queue] ? EAGAIN
			: asynctask_queue_push_due(&rq->queue, asynctask_region_queue_ring(delay.pool, rq), top.record);
		if (err == EAGAIN) {
			/* its queue is full: its workers make room */
			full[queue] = true;
			retry = true;
			if (!aside && !(aside = malloc(delay.n * sizeof(*aside)))) {
				break;  /* the rest waits for the retry */
			}
			heap_remove(0);
			aside[naside++] = top;
			continue;
		}
		asynctask_record_t *r = heap_remove(0);
		if (err == 0) {
			free(r);
			asynctask_idle_kick(delay.pool, queue);
		} else {
			drop(r);  /* cancelled meanwhile */
		}
	}
	for (size_t i = 0; i < naside; i++) {
		heap_push(aside[i]);  /* (room: each was in the heap) */
	}
	free(aside);
	if (retry) {
		arm(RETRY_NS);
	} else {
		arm_for_earliest();
	}
}

void asynctask_delay_start(asynctask_pool_t *pool, struct event_base *base)
{
	delay.pool = pool;
	delay.timer = evtimer_new(base, fire, NULL);
	if (!delay.timer) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "manager_setup_failed",
			"the pool manager cannot set up its timer for delayed tasks");
		_exit(70);
	}
}

/* Drops from the heap the tasks whose dispatchers cancelled them (on the
 * cancellation list of their queue). */
static void apply_cancels(asynctask_region_queue_t *rq)
{
	uint64_t ids[ASYNCTASK_DELAY_CANCELS];
	asynctask_queue_t *q = &rq->queue;
	uint32_t n;

	if (__atomic_load_n(&q->delays.ncancels, __ATOMIC_SEQ_CST) == 0) {
		return;
	}
	n = asynctask_queue_take_cancels(q, asynctask_region_queue_ring(delay.pool, rq), ids, ASYNCTASK_DELAY_CANCELS);
	for (uint32_t k = 0; k < n; k++) {
		for (size_t i = 0; i < delay.n; i++) {
			if (delay.heap[i].record->task_id == ids[k]) {
				drop(heap_remove(i));
				break;
			}
		}
	}
}

/* Takes what dispatchers left on one queue's delayed list; whether it took any. */
static bool look_at(uint32_t queue)
{
	asynctask_region_queue_t *rq = asynctask_region_queue(delay.pool, queue);
	asynctask_queue_t *q = &rq->queue;
	unsigned char *ring = asynctask_region_queue_ring(delay.pool, rq);
	asynctask_record_t *r;
	bool taken = false;

	/* cleared first: a dispatcher that pushes after our look wakes us again */
	__atomic_store_n(&q->delays.wake, 0, __ATOMIC_SEQ_CST);
	/* room in the heap first: what cannot be held stays on the list for the next look */
	while (__atomic_load_n(&q->levels[ASYNCTASK_LIST_DELAYED].count, __ATOMIC_ACQUIRE) > 0 && heap_reserve()
			&& (r = asynctask_queue_take_delayed(q, ring))) {
		heap_push(held(r, queue));
		taken = true;
	}
	apply_cancels(rq);
	return taken;
}

void asynctask_delay_look(void)
{
	bool taken = false;

	for (uint32_t i = 0; i < delay.pool->nqueues; i++) {
		taken |= look_at(i);
	}
	if (taken && delay.timer) {
		arm_for_earliest();
	}
}

size_t asynctask_delay_held(void)
{
	return delay.n;
}

bool asynctask_delay_due_by(uint64_t deadline_ns)
{
	return delay.n > 0 && delay.heap[0].record->due_ns <= deadline_ns;
}

bool asynctask_delay_hold(asynctask_record_t *record, uint32_t queue)
{
	if (!heap_reserve()) {
		return false;
	}
	if (record->flags & ASYNCTASK_RECORD_RETRY) {
		asynctask_region_queue_t *rq = asynctask_region_queue(delay.pool, queue);
		asynctask_queue_hold_retry(&rq->queue, asynctask_region_queue_ring(delay.pool, rq), record->task_id);
	}
	heap_push(held(record, queue));
	if (delay.timer) {
		arm_for_earliest();
	}
	return true;
}

bool asynctask_delay_refers_to(const char *name)
{
	char held[ASYNCTASK_SPILL_NAME_MAX];

	for (size_t i = 0; i < delay.n; i++) {
		if (delay.heap[i].record->flags & ASYNCTASK_RECORD_SPILLED) {
			asynctask_record_spill_name(delay.heap[i].record, held);
			if (strcmp(held, name) == 0) {
				return true;
			}
		}
	}
	return false;
}

void asynctask_delay_fail_all(asynctask_delay_fail_fn fail, const char *why)
{
	if (!delay.pool) {
		return;
	}
	asynctask_delay_look();
	for (uint32_t i = 0; i < delay.pool->nqueues; i++) {
		apply_cancels(asynctask_region_queue(delay.pool, i));
	}
	if (delay.n) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "delayed_dropped",
			"the pool stopped with %zu delayed task(s) not yet due: they fail, never run", delay.n);
	}
	for (size_t i = 0; i < delay.n; i++) {
		fail(delay.heap[i].record, held_queue(delay.heap[i]), why);
		if (delay.heap[i].record->flags & ASYNCTASK_RECORD_RETRY) {
			asynctask_region_queue_t *rq = asynctask_region_queue(delay.pool, held_queue(delay.heap[i]));
			asynctask_queue_release_retry(&rq->queue, asynctask_region_queue_ring(delay.pool, rq),
				delay.heap[i].record->task_id);
		}
		drop(delay.heap[i].record);
	}
	free(delay.heap);
	delay.heap = NULL;
	delay.n = delay.cap = 0;
	if (delay.timer) {
		event_free(delay.timer);
		delay.timer = NULL;
	}
}
