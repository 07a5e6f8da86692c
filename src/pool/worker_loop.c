/*
 * A task worker (worker.h): its state (worker_internal.h), the loop that
 * takes a task, runs it and looks whether to retire, and the memory a large
 * task leaves handed back. asynctask_worker_run() boots the worker
 * (worker_boot.c) and runs each task (worker_task.c); the files of the
 * worker each call only those below them.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <unistd.h>
#ifdef HAVE_MALLOC_H
# include <malloc.h>
#endif

#include "php.h"

#include "src/pool/worker_internal.h"
#include "src/pool/recycle.h"
#include "src/pool/worker_server.h"
#include "src/pool/status/record.h"
#include "src/base/log.h"
#include "src/transport/transport.h"

asynctask_worker_self_t asynctask_wkr;

/* A task that needed much memory leaves it with the worker: the Zend heap
 * keeps its emptied 2 MB chunks cached and glibc keeps what PHP's
 * non-request allocations freed. After such a task (its peak went more than
 * ASYNCTASK_GIVE_BACK_ABOVE past what the worker held before its first
 * task), both are handed back to the system; a small task costs the two
 * reads of the peak and nothing else. */
#define ASYNCTASK_GIVE_BACK_ABOVE (4 * 1024 * 1024)

static size_t worker_memory_base;

static void give_memory_back(void)
{
	if (zend_memory_peak_usage(true) <= worker_memory_base + ASYNCTASK_GIVE_BACK_ABOVE) {
		return;
	}
	zend_mm_gc(zend_mm_get_heap());
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
	zend_memory_reset_peak_usage();
}

static bool should_retire(void)
{
	asynctask_pool_t *pool = asynctask_wkr.pool;

	if (__atomic_load_n(&asynctask_wkr.slot->retiring, __ATOMIC_SEQ_CST)) {
		return true;
	}
	if (__atomic_load_n(&pool->stopping, __ATOMIC_SEQ_CST)
			&& __atomic_load_n(&asynctask_region_slot_queue(pool, asynctask_wkr.slot)->queue.live, __ATOMIC_SEQ_CST) == 0) {
		return true;
	}
	return pool->max_requests > 0 && asynctask_wkr.slot->tasks >= pool->max_requests;
}

ZEND_NORETURN void asynctask_worker_run(asynctask_pool_t *pool, uint32_t index, void (*close_inherited)(void))
{
	const asynctask_transport_t *transport = ASYNCTASK_G(transport);

	asynctask_wkr.pool = pool;
	asynctask_wkr.slot = &pool->slots[index];
	asynctask_wkr.pid = asynctask_self();
	asynctask_log_set_role("worker");
	asynctask_log_set_task(&asynctask_wkr.slot->claim.task_id);
	ASYNCTASK_G(mailbox) = NULL;  /* the owner's */
	if (ASYNCTASK_G(result_fd) >= 0) {
		close(ASYNCTASK_G(result_fd)); /* the owner's result pipe */
		ASYNCTASK_G(result_fd) = -1;
	}
	ASYNCTASK_G(in_pool_process) = true;
	if (pool->server) {
		if (close_inherited) {
			close_inherited();
		}
		asynctask_worker_start_server_request();
	}
	asynctask_worker_boot();
	asynctask_worker_leave_if_forked(false);  /* the bootstrap forked */
	zend_memory_reset_peak_usage();
	worker_memory_base = zend_memory_usage(true);
	asynctask_status_worker_idle(asynctask_wkr.slot);
	__atomic_store_n(&asynctask_wkr.slot->started, 1, __ATOMIC_RELEASE);

	for (;;) {
		zend_string *payload;
		uint32_t wait_token;

		asynctask_worker_leave_if_forked(false);  /* forked in the destructor of a task's value, say */
		if (should_retire()) {
			_exit(0);
		}
		if (!transport->take(&asynctask_wkr.slot->claim, &payload, &wait_token)) {
			/* Asked to leave since we looked? A stop or a reload sets its flag,
			 * then wakes the sleepers by moving what wait_token was read from
			 * (the queue's items_seq): if the token already has that move,
			 * only this look sees the flag, and the wait below would last
			 * until the next task. */
			if (should_retire()) {
				_exit(0);
			}
			transport->wait(wait_token);
			continue;
		}
		uint64_t task_id = asynctask_wkr.slot->claim.task_id;
		asynctask_worker_run_task(payload);
		asynctask_worker_release_claim();
		asynctask_wkr.slot->tasks++;
		give_memory_back();
		if (asynctask_recycle_over_memory(task_id)) {
			_exit(0);  /* the manager forks its replacement (recycle.h) */
		}
		asynctask_status_worker_idle(asynctask_wkr.slot);
	}
}
