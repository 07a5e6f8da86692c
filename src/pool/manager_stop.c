/*
 * The manager stopping: draining (the queue empty and every worker idle),
 * a reload worker by worker, stopping now, and what it does when the
 * script that owns the pool or the php-fpm master is gone.
 *
 * It calls down to manager_claims.c (a killed worker's claim and report),
 * never up to manager_workers.c.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/pool/manager_internal.h"
#include "src/pool/server_messages.h"

bool asynctask_manager_stopping(void)
{
	return __atomic_load_n(&asynctask_mgr.pool->stopping, __ATOMIC_SEQ_CST) != 0;
}

bool asynctask_manager_queue_has_work(void)
{
	return asynctask_region_queued(asynctask_mgr.pool) > 0;
}

/* Stops the loop once a requested stop has drained everything. */
void asynctask_manager_check_drained(void)
{
	if (!asynctask_manager_stopping()) {
		return;
	}
	for (uint32_t i = 0; i < asynctask_mgr.pool->workers; i++) {
		if (asynctask_mgr.pool->slots[i].state != ASYNCTASK_WORKER_EMPTY) {
			return;
		}
	}
	if (asynctask_manager_queue_has_work()) {
		/* every worker left while tasks were queued (they crashed): run them */
		return;
	}
	if (asynctask_mgr.master_gone && asynctask_delay_due_by(asynctask_mgr.drain_deadline)) {
		/* php-fpm reloads or stops: the delayed tasks (and retries) that come due
		 * within asynctask.shutdown_timeout still run here (the next pool does not
		 * inherit them); spawn_missing() starts a worker for each when it is due */
		return;
	}
#ifdef HAVE_ASYNCTASK_REDIS
	if (!asynctask_bridge_idle()) {
		return;  /* a node: results still on their way to Redis */
	}
#endif
	event_base_loopbreak(asynctask_mgr.base);
}

/* Reload: replaces the workers of older generations one at a time, idle
 * ones first, each after its current task. The pool never lacks more than
 * one worker, no task fails, and each new worker includes asynctask.bootstrap
 * and compiles task code afresh. */
void asynctask_manager_continue_reload(void)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	uint32_t generation = __atomic_load_n(&pool->generation, __ATOMIC_SEQ_CST);
	int pick = -1;

	if (asynctask_manager_stopping()) {
		return;
	}
	for (uint32_t i = 0; i < pool->workers; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		if (slot->state == ASYNCTASK_WORKER_EMPTY || slot->generation == generation) {
			continue;
		}
		if (slot->retiring) {
			return;  /* one at a time */
		}
		bool idle = __atomic_load_n(&slot->claim.task_id, __ATOMIC_SEQ_CST) == 0;
		if (pick < 0 || (idle && pool->slots[pick].claim.task_id != 0)) {
			pick = (int) i;
		}
	}
	if (pick >= 0) {
		__atomic_store_n(&pool->slots[pick].retiring, 1, __ATOMIC_SEQ_CST);
		asynctask_queue_wake_all(&asynctask_region_slot_queue(pool, &pool->slots[pick])->queue);
	}
}

/* Fails every queued task, in every queue, with why (no worker can run them). */
void asynctask_manager_fail_queued_tasks(const char *why)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	asynctask_claim_t claim;
	zend_string *payload;
	uint32_t spilled;

	for (uint32_t i = 0; i < pool->nqueues; i++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
		while (asynctask_queue_take(&rq->queue, asynctask_region_queue_ring(pool, rq), &claim, NULL, &payload, &spilled, NULL)) {
			zend_string_release(payload);
			if (spilled && claim.spill[0]) {
				asynctask_spill_remove(asynctask_rundir_fd(), claim.spill);
			}
			asynctask_manager_report_failure(&claim, ASYNCTASK_RESULT_FAILED, why, 0);
		}
	}
}
/* Kills every worker now; their tasks are reported as failed. */
void asynctask_manager_stop_now(const char *why)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	char message[256];

	for (uint32_t i = 0; i < asynctask_mgr.workers; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		pid_t pid = asynctask_mgr.pids[i];
		if (pid <= 0) {
			continue;
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		asynctask_mgr.pids[i] = 0;
		bool unheard;
		asynctask_claim_t claim = asynctask_manager_dead_claim(slot, &unheard);
		asynctask_status_task_ended(slot, &claim);
		uint32_t undone = asynctask_manager_settle_counts(slot, &claim);
		if (claim.task_id != 0 && !claim.delivered) {
			snprintf(message, sizeof(message), "task %" PRIu64 " was killed: %s", claim.task_id, why);
			asynctask_manager_report_failure(&claim, ASYNCTASK_RESULT_CRASHED, message, undone);
			if (claim.spill[0] && !claim.outcome) {
				asynctask_spill_remove(asynctask_rundir_fd(), claim.spill);
			}
		}
		memset(&slot->claim, 0, sizeof(slot->claim));
		slot->state = ASYNCTASK_WORKER_EMPTY;
		slot->pid = 0;
	}
	event_base_loopbreak(asynctask_mgr.base);
}

bool asynctask_manager_owner_alive(void)
{
	if (asynctask_mgr.pool->server) {
		return !asynctask_mgr.master_gone;
	}
	return getppid() == asynctask_mgr.pool->owner;
}

/* CLI: the script that owns the pool died without stopping it (killed, ^C
 * or SIGTERM without a handler, a crash). What is queued still runs, as the
 * queued tasks of any dispatcher that dies do (fire and forget), then the
 * pool leaves and removes its runtime directory; asynctask.shutdown_timeout
 * bounds the wait, as it bounds the drain at a script's end. */
void asynctask_manager_owner_gone(void)
{
	if (asynctask_mgr.pool->server || asynctask_mgr.owner_gone || asynctask_manager_owner_alive()) {
		return;  /* a server pool's master is watched by master_gone() */
	}
	asynctask_mgr.owner_gone = true;
	asynctask_mgr.drain_deadline = asynctask_now_ns() + (uint64_t) (ASYNCTASK_G(shutdown_timeout) * 1e9);
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "owner_gone",
		"the process that owned the pool (pid %d) is gone: running the %" PRIu64 " queued task(s), "
		"then leaving", (int) asynctask_mgr.pool->owner, asynctask_region_queued(asynctask_mgr.pool));
	__atomic_store_n(&asynctask_mgr.pool->stopping, 1, __ATOMIC_SEQ_CST);
	asynctask_region_wake_all(asynctask_mgr.pool);
	asynctask_manager_check_drained();
}
/* Server pool: the master exited or re-executed itself. What is queued
 * still runs (its dispatchers may be gone, its effects are not), then the
 * pool leaves; asynctask.shutdown_timeout bounds the wait. */
void asynctask_manager_master_gone(void)
{
	if (asynctask_mgr.master_gone) {
		return;
	}
	event_del(asynctask_mgr.events[asynctask_mgr.nevents - 1]);
	asynctask_mgr.master_gone = true;
	asynctask_mgr.drain_deadline = asynctask_now_ns() + (uint64_t) (ASYNCTASK_G(shutdown_timeout) * 1e9);
	if (asynctask_mgr.pool->workers) {
		asynctask_log_event(ASYNCTASK_LOG_NOTICE, "fpm_master_gone",
			"the %s master is gone (stopped, reloaded or restarted): running the %" PRIu64 " queued task(s), "
			"then leaving", asynctask_server_master(), asynctask_region_queued(asynctask_mgr.pool));
	}
	__atomic_store_n(&asynctask_mgr.pool->stopping, 1, __ATOMIC_SEQ_CST);
	asynctask_region_wake_all(asynctask_mgr.pool);
	asynctask_manager_check_drained();
}
