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

/* task id => due time (ns), for this process's delayed tasks; entries past
 * due are pruned as it grows (cancel() of those no longer needs them) */
static HashTable *due_times;
static uint32_t prune_above = 1024;

static void prune(void)
{
	uint64_t now = asynctask_now_ns();
	zend_ulong id;
	zval *due;

	ZEND_HASH_FOREACH_NUM_KEY_VAL(due_times, id, due) {
		if ((uint64_t) Z_LVAL_P(due) <= now) {
			zend_hash_index_del(due_times, id);
		}
	} ZEND_HASH_FOREACH_END();
	if (zend_hash_num_elements(due_times) * 2 > prune_above) {
		prune_above *= 2;
	}
}

void asynctask_delayed_sent(asynctask_pool_t *pool, uint64_t task_id, uint64_t due_ns)
{
	zval due;

	if (!due_times) {
		due_times = pemalloc(sizeof(HashTable), 1);
		zend_hash_init(due_times, 8, NULL, NULL, 1);
	}
	if (zend_hash_num_elements(due_times) >= prune_above) {
		prune();
	}
	ZVAL_LONG(&due, (zend_long) due_ns);
	zend_hash_index_update(due_times, task_id, &due);
	/* without the signal (the manager is not ours to signal, say) its next
	 * tick, within 0.1 s, takes the task: later, never earlier */
	if (__atomic_exchange_n(&pool->queue.delays.wake, 1, __ATOMIC_SEQ_CST) == 0 && pool->manager > 0) {
		kill(pool->manager, SIGUSR2);
	}
}

bool asynctask_delayed_cancel(asynctask_pool_t *pool, uint64_t task_id, bool *delayed)
{
	zval *due = due_times ? zend_hash_index_find(due_times, task_id) : NULL;

	*delayed = due != NULL;
	if (!due) {
		return false;
	}
	int cancelled;
	for (;;) {
		cancelled = asynctask_queue_cancel_delayed(&pool->queue, asynctask_region_ring(pool), task_id,
			(uint64_t) Z_LVAL_P(due));
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
