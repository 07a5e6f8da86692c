/*
 * The dispatching side of delayed tasks (delayed.h).
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "php.h"

#include "src/transport/shm/delayed.h"
#include "src/base/clock.h"
#include "src/transport/shm/queue.h"

/* task id => its due time (ns) and queue, for this process's delayed
 * tasks; entries past due are pruned as it grows (cancel() of those no
 * longer needs them) */
typedef struct {
	uint64_t due_ns;
	uint32_t queue;
} delayed_t;

static HashTable *due_times;
static uint32_t prune_above = 1024;

static void delayed_dtor(zval *zv)
{
	pefree(Z_PTR_P(zv), 1);
}

static void prune(void)
{
	uint64_t now = asynctask_now_ns();
	zend_ulong id;
	zval *due;

	ZEND_HASH_FOREACH_NUM_KEY_VAL(due_times, id, due) {
		if (((delayed_t *) Z_PTR_P(due))->due_ns <= now) {
			zend_hash_index_del(due_times, id);
		}
	} ZEND_HASH_FOREACH_END();
	if (zend_hash_num_elements(due_times) * 2 > prune_above) {
		prune_above *= 2;
	}
}

void asynctask_delayed_sent(asynctask_pool_t *pool, uint32_t queue, uint64_t task_id, uint64_t due_ns)
{
	delayed_t *entry = pemalloc(sizeof(*entry), 1);

	if (!due_times) {
		due_times = pemalloc(sizeof(HashTable), 1);
		zend_hash_init(due_times, 8, NULL, delayed_dtor, 1);
	}
	if (zend_hash_num_elements(due_times) >= prune_above) {
		prune();
	}
	entry->due_ns = due_ns;
	entry->queue = queue;
	zend_hash_index_update_ptr(due_times, task_id, entry);
	/* without the signal (the manager is not ours to signal, say) its next
	 * tick, within 0.1 s, takes the task: later, never earlier */
	if (__atomic_exchange_n(&asynctask_region_queue(pool, queue)->queue.delays.wake, 1, __ATOMIC_SEQ_CST) == 0
			&& pool->manager > 0) {
		kill(pool->manager, SIGUSR2);
	}
}

bool asynctask_delayed_cancel(asynctask_pool_t *pool, uint64_t task_id, bool *delayed, uint32_t *queue)
{
	delayed_t *due = due_times ? zend_hash_index_find_ptr(due_times, task_id) : NULL;

	*delayed = due != NULL;
	if (!due) {
		return false;
	}
	/* the cancellation goes to the task's own queue: the manager checks that
	 * queue's list before it pushes the task there (queue.h) */
	asynctask_region_queue_t *rq = asynctask_region_queue(pool, due->queue);
	int cancelled;
	*queue = due->queue;
	for (;;) {
		cancelled = asynctask_queue_cancel_delayed(&rq->queue, asynctask_region_queue_ring(pool, rq), task_id,
			due->due_ns);
		if (cancelled != EAGAIN) {
			break;
		}
		/* the manager's list is full: it empties it when it looks (and the
		 * answer stays "too late" once the task is due, whatever the wait) */
		if (pool->manager > 0) {
			kill(pool->manager, SIGUSR2);
		}
		usleep(1000);
	}
	zend_hash_index_del(due_times, task_id);
	return cancelled == 1;
}

void asynctask_delayed_forget(void)
{
	if (due_times) {
		zend_hash_destroy(due_times);
		pefree(due_times, 1);
		due_times = NULL;
	}
}
