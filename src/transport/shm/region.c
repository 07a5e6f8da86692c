/*
 * The pool's shared region (region.h): laid out, made, attached, counted.
 */
#include <errno.h>
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

/* header and slots, mailboxes, ring (pages of mailboxes nobody uses are never touched) */
static size_t region_size(uint32_t workers, uint64_t ring, uint64_t *mailbox_offset, uint64_t *ring_offset)
{
	/* on a page: each mailbox's bulk ring is whole pages, given back when it is freed (mailbox.h) */
	uint64_t page = ASYNCTASK_MAILBOX_PAGE;
	*mailbox_offset = (sizeof(asynctask_pool_t) + workers * sizeof(asynctask_worker_slot_t) + page - 1) & ~(page - 1);
	*ring_offset = ALIGNED(*mailbox_offset + ASYNCTASK_MAILBOXES * sizeof(asynctask_mailbox_t));
	return (size_t) (*ring_offset + ring);
}

asynctask_pool_t *asynctask_region_create(uint32_t workers, int *memfd, char *error, size_t error_size)
{
	uint64_t ring_offset, mailbox_offset;
	uint64_t ring = (uint64_t) ASYNCTASK_G(queue_size) & ~(uint64_t) (RING_ALIGN - 1);
	size_t size = region_size(workers, ring, &mailbox_offset, &ring_offset);
	asynctask_pool_t *pool = asynctask_memory_map(size, memfd);

	if (!pool) {
		snprintf(error, error_size, "cannot map %zu bytes of shared memory for the queue "
			"(asynctask.queue_size): %s", size, strerror(errno));
		return NULL;
	}
	pool->magic = ASYNCTASK_POOL_MAGIC;
	pool->workers = workers;
	pool->owner = (int32_t) asynctask_self();
	/* ids never repeat within a process, so a Future of a stopped pool can
	 * never take the result of a task of the next one */
	pool->next_task_id = ASYNCTASK_G(next_task_id) + 1;
	pool->max_requests = (uint64_t) ASYNCTASK_G(max_requests);
	pool->ring_offset = ring_offset;
	pool->mailbox_offset = mailbox_offset;
	pool->mailboxes = ASYNCTASK_MAILBOXES;
	int err = asynctask_queue_init(&pool->queue, ring);
	for (uint32_t i = 0; err == 0 && i < pool->mailboxes; i++) {
		err = asynctask_mailbox_init(&asynctask_region_mailboxes(pool)[i]);
	}
	if (err != 0) {
		asynctask_memory_unmap(pool, size);
		if (memfd) {
			close(*memfd);
			*memfd = -1;
		}
		snprintf(error, error_size, "cannot initialise the queue's or a mailbox's lock: %s", strerror(err));
		return NULL;
	}
	ASYNCTASK_G(pool) = pool;
	ASYNCTASK_G(pool_size) = size;
	return pool;
}

asynctask_pool_t *asynctask_region_attach(int memfd, size_t size, char *error, size_t error_size)
{
	uint64_t ring_offset, mailbox_offset;
	asynctask_pool_t *pool = size >= sizeof(asynctask_pool_t) ? asynctask_memory_attach(memfd, size) : NULL;

	if (!pool) {
		snprintf(error, error_size, "cannot map the pool's shared memory (%zu bytes): %s", size,
			size >= sizeof(asynctask_pool_t) ? strerror(errno) : "too small");
		return NULL;
	}
	/* made by our own user's manager: checked for sense, not for malice */
	if (pool->magic != ASYNCTASK_POOL_MAGIC || pool->workers > ASYNCTASK_WORKERS_MAX
			|| region_size(pool->workers, pool->queue.capacity, &mailbox_offset, &ring_offset) != size
			|| pool->mailbox_offset != mailbox_offset || pool->ring_offset != ring_offset) {
		asynctask_memory_unmap(pool, size);
		snprintf(error, error_size, "the pool's shared memory is not laid out as this build expects");
		return NULL;
	}
	ASYNCTASK_G(pool) = pool;
	ASYNCTASK_G(pool_size) = size;
	return pool;
}

void asynctask_region_count_outcome(asynctask_pool_t *pool, uint32_t status, int delta)
{
	asynctask_counters_t *c = &pool->counters;
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

void asynctask_region_fold_slot_counts(asynctask_pool_t *pool, asynctask_worker_slot_t *slot)
{
	uint64_t completed = __atomic_exchange_n(&slot->counted_completed, 0, __ATOMIC_SEQ_CST);
	uint64_t failed = __atomic_exchange_n(&slot->counted_failed, 0, __ATOMIC_SEQ_CST);
	uint64_t crashed = __atomic_exchange_n(&slot->counted_crashed, 0, __ATOMIC_SEQ_CST);
	uint64_t retried = __atomic_exchange_n(&slot->counted_retried, 0, __ATOMIC_SEQ_CST);

	__atomic_add_fetch(&pool->counters.completed, completed, __ATOMIC_RELAXED);
	__atomic_add_fetch(&pool->counters.retried, retried, __ATOMIC_RELAXED);
	__atomic_add_fetch(&pool->counters.failed, failed + crashed, __ATOMIC_RELAXED);
	__atomic_add_fetch(&pool->counters.crashed, crashed, __ATOMIC_RELAXED);
}

uint64_t asynctask_region_counts(asynctask_pool_t *pool, asynctask_counters_t *c)
{
	memcpy(c, &pool->counters, sizeof(*c));
	/* plus what the live workers counted (folded in when one is replaced) */
	for (uint32_t i = 0; i < pool->workers; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		uint64_t crashed = __atomic_load_n(&slot->counted_crashed, __ATOMIC_RELAXED);
		c->completed += __atomic_load_n(&slot->counted_completed, __ATOMIC_RELAXED);
		c->failed += __atomic_load_n(&slot->counted_failed, __ATOMIC_RELAXED) + crashed;
		c->crashed += crashed;
		c->retried += __atomic_load_n(&slot->counted_retried, __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&pool->queue.pushed, __ATOMIC_RELAXED);
}
