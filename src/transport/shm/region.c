/*
 * The pool's shared region (region.h): laid out, made, attached, counted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/transport/shm/memory.h"
#include "src/transport/shm/region.h"

#define RING_ALIGN 64
#define ALIGNED(n) (((n) + RING_ALIGN - 1) & ~(uint64_t) (RING_ALIGN - 1))

/* header and slots, the queues' table, mailboxes, the queues' rings (pages
 * of mailboxes nobody uses, and of a ring's unused end, are never touched) */
static size_t region_size(uint32_t workers, uint32_t nqueues, uint64_t ring, uint64_t *queues_offset,
	uint64_t *mailbox_offset, uint64_t *rings_offset)
{
	/* on a page: each mailbox's bulk ring is whole pages, given back when it is freed (mailbox.h) */
	uint64_t page = ASYNCTASK_MAILBOX_PAGE;
	*queues_offset = ALIGNED(sizeof(asynctask_pool_t) + workers * sizeof(asynctask_worker_slot_t));
	*mailbox_offset = (*queues_offset + nqueues * sizeof(asynctask_region_queue_t) + page - 1) & ~(page - 1);
	*rings_offset = ALIGNED(*mailbox_offset + ASYNCTASK_MAILBOXES * sizeof(asynctask_mailbox_t));
	return (size_t) (*rings_offset + nqueues * ring);
}

asynctask_pool_t *asynctask_region_create(const asynctask_queues_t *layout, int *memfd, char *error, size_t error_size)
{
	uint64_t queues_offset, rings_offset, mailbox_offset;
	uint64_t ring = (uint64_t) ASYNCTASK_G(queue_size) & ~(uint64_t) (RING_ALIGN - 1);
	uint32_t workers = 0;

	for (uint32_t i = 0; i < layout->count; i++) {
		workers += layout->queues[i].workers;
	}
	size_t size = region_size(workers, layout->count, ring, &queues_offset, &mailbox_offset, &rings_offset);
	asynctask_pool_t *pool = asynctask_memory_map(size, memfd);

	if (!pool) {
		snprintf(error, error_size, "cannot map %zu bytes of shared memory for %u queue(s) of %" PRIu64 " bytes "
			"(asynctask.queue_size each): %s", size, layout->count, ring, strerror(errno));
		return NULL;
	}
	pool->magic = ASYNCTASK_POOL_MAGIC;
	pool->workers = workers;
	pool->owner = (int32_t) asynctask_self();
	/* ids never repeat within a process, so a Future of a stopped pool can
	 * never take the result of a task of the next one */
	pool->next_task_id = ASYNCTASK_G(next_task_id) + 1;
	pool->max_requests = (uint64_t) ASYNCTASK_G(max_requests);
	pool->nqueues = layout->count;
	pool->default_queue = asynctask_queues_find(layout, ZEND_STRL(ASYNCTASK_QUEUE_DEFAULT));
	pool->queues_offset = queues_offset;
	pool->mailbox_offset = mailbox_offset;
	pool->mailboxes = ASYNCTASK_MAILBOXES;
	int err = 0;
	uint32_t slot = 0;
	for (uint32_t i = 0; err == 0 && i < layout->count; i++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
		memcpy(rq->name, layout->queues[i].name, sizeof(rq->name));
		rq->first_slot = slot;
		rq->workers = layout->queues[i].workers;
		rq->ring_offset = rings_offset + i * ring;
		for (uint32_t k = 0; k < rq->workers; k++) {
			pool->slots[slot++].queue = i;
		}
		err = asynctask_queue_init(&rq->queue, i, ring);
	}
	for (uint32_t i = 0; err == 0 && i < pool->mailboxes; i++) {
		err = asynctask_mailbox_init(&asynctask_region_mailboxes(pool)[i]);
	}
	if (err != 0) {
		asynctask_memory_unmap(pool, size);
		if (memfd) {
			close(*memfd);
			*memfd = -1;
		}
		snprintf(error, error_size, "cannot initialise a queue's or a mailbox's lock: %s", strerror(err));
		return NULL;
	}
	ASYNCTASK_G(pool) = pool;
	ASYNCTASK_G(pool_size) = size;
	return pool;
}

asynctask_pool_t *asynctask_region_attach(int memfd, size_t size, char *error, size_t error_size)
{
	uint64_t queues_offset, rings_offset, mailbox_offset;
	asynctask_pool_t *pool = size >= sizeof(asynctask_pool_t) ? asynctask_memory_attach(memfd, size) : NULL;

	if (!pool) {
		snprintf(error, error_size, "cannot map the pool's shared memory (%zu bytes): %s", size,
			size >= sizeof(asynctask_pool_t) ? strerror(errno) : "too small");
		return NULL;
	}
	/* made by our own user's manager: checked for sense, not for malice */
	if (pool->magic != ASYNCTASK_POOL_MAGIC || pool->workers > ASYNCTASK_WORKERS_MAX
			|| pool->nqueues == 0 || pool->nqueues > ASYNCTASK_QUEUES_MAX
			|| region_size(pool->workers, pool->nqueues, 0, &queues_offset, &mailbox_offset, &rings_offset) > size
			|| pool->queues_offset != queues_offset || pool->mailbox_offset != mailbox_offset
			|| region_size(pool->workers, pool->nqueues, asynctask_region_queue(pool, 0)->queue.capacity,
				&queues_offset, &mailbox_offset, &rings_offset) != size) {
		asynctask_memory_unmap(pool, size);
		snprintf(error, error_size, "the pool's shared memory is not laid out as this build expects");
		return NULL;
	}
	ASYNCTASK_G(pool) = pool;
	ASYNCTASK_G(pool_size) = size;
	return pool;
}

int asynctask_region_find_queue(asynctask_pool_t *pool, const char *name, size_t len)
{
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		const char *candidate = asynctask_region_queue(pool, i)->name;
		if (strlen(candidate) == len && memcmp(candidate, name, len) == 0) {
			return (int) i;
		}
	}
	return -1;
}

uint64_t asynctask_region_queued(asynctask_pool_t *pool)
{
	uint64_t queued = 0;
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		queued += __atomic_load_n(&asynctask_region_queue(pool, i)->queue.live, __ATOMIC_SEQ_CST);
	}
	return queued;
}

void asynctask_region_wake_all(asynctask_pool_t *pool)
{
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		asynctask_queue_wake_all(&asynctask_region_queue(pool, i)->queue);
	}
}

uint64_t asynctask_region_discard(asynctask_pool_t *pool)
{
	uint64_t dropped = 0;
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
		dropped += asynctask_queue_discard(&rq->queue, asynctask_region_queue_ring(pool, rq));
	}
	return dropped;
}

bool asynctask_region_refers_to(asynctask_pool_t *pool, const char *name)
{
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
		if (asynctask_queue_refers_to(&rq->queue, asynctask_region_queue_ring(pool, rq), name)) {
			return true;
		}
	}
	return false;
}

static void count_into(asynctask_counters_t *c, uint32_t status, int delta)
{
	uint64_t d = (uint64_t) (int64_t) delta;

	if (status == ASYNCTASK_RESULT_VALUE) {
		__atomic_add_fetch(&c->completed, d, __ATOMIC_RELAXED);
		return;
	}
	if (status == ASYNCTASK_RESULT_RETRIED) {
		__atomic_add_fetch(&c->retried, d, __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&c->failed, d, __ATOMIC_RELAXED);
	if (status == ASYNCTASK_RESULT_CRASHED) {
		__atomic_add_fetch(&c->crashed, d, __ATOMIC_RELAXED);
	} else if (status == ASYNCTASK_RESULT_TIMED_OUT) {
		__atomic_add_fetch(&c->timed_out, d, __ATOMIC_RELAXED);
	}
}

void asynctask_region_count_outcome(asynctask_pool_t *pool, uint32_t status, int delta)
{
	count_into(&pool->counters, status, delta);
}

void asynctask_region_count_queue_outcome(asynctask_pool_t *pool, uint32_t index, uint32_t status, int delta)
{
	count_into(&pool->counters, status, delta);
	if (index < pool->nqueues) {
		count_into(&asynctask_region_queue(pool, index)->counters, status, delta);
	}
}

void asynctask_region_fold_slot_counts(asynctask_pool_t *pool, asynctask_worker_slot_t *slot)
{
	uint64_t completed = __atomic_exchange_n(&slot->counted_completed, 0, __ATOMIC_SEQ_CST);
	uint64_t failed = __atomic_exchange_n(&slot->counted_failed, 0, __ATOMIC_SEQ_CST);
	uint64_t crashed = __atomic_exchange_n(&slot->counted_crashed, 0, __ATOMIC_SEQ_CST);
	uint64_t retried = __atomic_exchange_n(&slot->counted_retried, 0, __ATOMIC_SEQ_CST);

	asynctask_counters_t *counters[2] = { &pool->counters, &asynctask_region_slot_queue(pool, slot)->counters };

	for (int i = 0; i < 2; i++) {
		__atomic_add_fetch(&counters[i]->completed, completed, __ATOMIC_RELAXED);
		__atomic_add_fetch(&counters[i]->retried, retried, __ATOMIC_RELAXED);
		__atomic_add_fetch(&counters[i]->failed, failed + crashed, __ATOMIC_RELAXED);
		__atomic_add_fetch(&counters[i]->crashed, crashed, __ATOMIC_RELAXED);
	}
}

/* Adds what the live workers of slots first .. first + n - 1 counted. */
static void add_slot_counts(asynctask_pool_t *pool, uint32_t first, uint32_t n, asynctask_counters_t *c)
{
	for (uint32_t i = first; i < first + n; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		uint64_t crashed = __atomic_load_n(&slot->counted_crashed, __ATOMIC_RELAXED);
		c->completed += __atomic_load_n(&slot->counted_completed, __ATOMIC_RELAXED);
		c->failed += __atomic_load_n(&slot->counted_failed, __ATOMIC_RELAXED) + crashed;
		c->crashed += crashed;
		c->retried += __atomic_load_n(&slot->counted_retried, __ATOMIC_RELAXED);
	}
}

uint64_t asynctask_region_counts(asynctask_pool_t *pool, asynctask_counters_t *c)
{
	uint64_t dispatched = 0;

	memcpy(c, &pool->counters, sizeof(*c));
	/* plus what the live workers counted (folded in when one is replaced) */
	add_slot_counts(pool, 0, pool->workers, c);
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		dispatched += __atomic_load_n(&asynctask_region_queue(pool, i)->queue.pushed, __ATOMIC_RELAXED);
	}
	return dispatched;
}

uint64_t asynctask_region_queue_counts(asynctask_pool_t *pool, uint32_t index, asynctask_counters_t *c)
{
	asynctask_region_queue_t *rq = asynctask_region_queue(pool, index);

	memcpy(c, &rq->counters, sizeof(*c));
	add_slot_counts(pool, rq->first_slot, rq->workers, c);
	return __atomic_load_n(&rq->queue.pushed, __ATOMIC_RELAXED);
}
