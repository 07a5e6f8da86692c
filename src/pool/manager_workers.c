/*
 * The manager supervising its workers: forking them, reaping them (a
 * worker that exited: its claim settled, its task reported, the worker
 * replaced), respawning the missing ones (backing off while they fail to
 * start), and enforcing the tasks' time limits.
 *
 * It calls down to manager_stop.c (stopping, draining, failing what is
 * queued) and manager_claims.c (settling a claim, reporting a failure);
 * neither calls back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/pool/manager_internal.h"

void asynctask_manager_describe_exit(char *buf, size_t size, int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		snprintf(buf, size, "was killed by signal %d (%s)", sig, strsignal(sig));
	} else if (WIFEXITED(status)) {
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	} else {
		snprintf(buf, size, "ended with wait status %d", status);
	}
}

void asynctask_manager_spawn(uint32_t index)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	asynctask_worker_slot_t *slot = &pool->slots[index];
	pid_t parent = asynctask_self();

	memset(&slot->claim, 0, sizeof(slot->claim));
	slot->timed_out = 0;
	slot->killed_ns = 0;
	slot->tasks = 0;
	slot->started = 0;
	slot->generation = __atomic_load_n(&pool->generation, __ATOMIC_SEQ_CST);
	slot->retiring = 0;

	pid_t pid = fork();
	if (pid == 0) {
		/* a worker never outlives its manager */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
			_exit(1);
		}
		prctl(PR_SET_NAME, "asynctask-task");
		asynctask_status_close_in_child();
		asynctask_worker_run(pool, index, asynctask_mgr.hooks ? asynctask_mgr.hooks->close_inherited : NULL);
	}
	if (pid < 0) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "fork_failed", "cannot fork a worker: %s (retrying)", strerror(errno));
		slot->pid = 0;
		slot->state = ASYNCTASK_WORKER_EMPTY;
		asynctask_manager_set_pid(index, 0);
		return;
	}
	slot->pid = pid;
	slot->state = ASYNCTASK_WORKER_RUNNING;
	asynctask_manager_set_pid(index, pid);
}
/* Workers keep failing to start: stop forking them for a while (doubling,
 * up to 30 s), and fail what is queued rather than let callers wait. */
void asynctask_manager_back_off(void)
{
	asynctask_mgr.backoff_ns = asynctask_mgr.backoff_ns ? asynctask_mgr.backoff_ns * 2 : BACKOFF_MIN_NS;
	if (asynctask_mgr.backoff_ns > BACKOFF_MAX_NS) {
		asynctask_mgr.backoff_ns = BACKOFF_MAX_NS;
	}
	asynctask_mgr.respawn_at = asynctask_now_ns() + asynctask_mgr.backoff_ns;
	asynctask_log_event(ASYNCTASK_LOG_ERROR, "workers_cannot_start",
		"%u workers in a row could not start (%s); no new worker for %.0f s, queued tasks fail",
		asynctask_mgr.startup_failures, asynctask_mgr.pool->startup_error, asynctask_mgr.backoff_ns / 1e9);
	asynctask_manager_fail_queued_tasks(asynctask_mgr.pool->startup_error);
}

/* A worker that got through its bootstrap ends a streak of failures. */
static void note_started_workers(void)
{
	if (!asynctask_mgr.startup_failures) {
		return;
	}
	for (uint32_t i = 0; i < asynctask_mgr.pool->workers; i++) {
		asynctask_worker_slot_t *slot = &asynctask_mgr.pool->slots[i];
		if (slot->state != ASYNCTASK_WORKER_EMPTY && __atomic_load_n(&slot->started, __ATOMIC_ACQUIRE)) {
			asynctask_mgr.startup_failures = 0;
			asynctask_mgr.backoff_ns = 0;
			asynctask_mgr.respawn_at = 0;
			return;
		}
	}
}

void asynctask_manager_worker_exited(asynctask_worker_slot_t *slot, int status)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	bool unheard;
	asynctask_claim_t claim = asynctask_manager_dead_claim(slot, &unheard);
	bool timed_out = slot->timed_out;
	uint32_t index = (uint32_t) (slot - pool->slots);
	pid_t pid = asynctask_manager_pid(index);
	char how[96], message[512];

	asynctask_manager_describe_exit(how, sizeof(how), status);
	asynctask_status_task_ended(slot, &claim);  /* its run time, if the worker did not count it */
	uint32_t undone = asynctask_manager_settle_counts(slot, &claim);
	asynctask_result_status_t failure = timed_out ? ASYNCTASK_RESULT_TIMED_OUT : ASYNCTASK_RESULT_CRASHED;
	/* a task with retries runs again when it has runs left (retry.h): held
	 * for its next run before its claim goes */
	char not_retried[PATH_MAX + 128] = "";
	double backoff = 0;
	/* or its link of a chain ended and left the next one to us (chain.h): held until there is room */
	bool handed_on = asynctask_chain_held_by_manager(&claim);
	bool retried = !handed_on && claim.task_id && !claim.delivered && claim.retry
		&& asynctask_retry_after_death(&claim, &backoff, not_retried, sizeof(not_retried));
	if (claim.task_id && !claim.delivered && !handed_on) {
		/* counted as its worker's count is undone, before the claim goes (and
		 * stats() no longer sees it running): never a task neither done nor failed */
		asynctask_region_count_queue_outcome(pool, slot->queue, retried ? ASYNCTASK_RESULT_RETRIED : failure, 1);
	}
	/* a task with retries that will not run again: its file goes (one whose
	 * next run its worker queued keeps it: the queue names it now) */
	if (claim.task_id && claim.retry && claim.retry_file[0] && !retried
			&& !(claim.delivered && claim.outcome == ASYNCTASK_RESULT_RETRIED)) {
		asynctask_spill_remove(asynctask_rundir_fd(), claim.retry_file);
	}
	memset(&slot->claim, 0, sizeof(slot->claim));

	/* it may have been the worker a push counted on to take its task (idle.h) */
	asynctask_idle_forget(pool, slot);

	if (!slot->started && WIFEXITED(status) && WEXITSTATUS(status) == ASYNCTASK_EXIT_STARTUP_FAILED) {
		if (++asynctask_mgr.startup_failures >= STARTUP_FAILURES_MAX) {
			asynctask_manager_back_off();
			slot->pid = 0;
			slot->state = ASYNCTASK_WORKER_EMPTY;
			asynctask_manager_set_pid(index, 0);
			return;
		}
	}

	/* replaced before its task is reported: a caller that sees the failure
	 * finds the pool whole again. The slot goes from the old pid straight
	 * to the new one, so stats() never shows the pool a worker short. */
	if (!asynctask_manager_stopping() || asynctask_manager_queue_has_work()) {
		ASYNCTASK_COUNT_IN(pool, slot->queue, respawned);
		asynctask_manager_spawn(index);
	} else {
		slot->pid = 0;
		slot->state = ASYNCTASK_WORKER_EMPTY;
		asynctask_manager_set_pid(index, 0);
	}
	asynctask_manager_continue_reload();

	if (claim.task_id == 0) {
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "worker_exited",
				"worker (pid %d) %s while idle", (int) pid, how);
		}
		return;
	}
	/* the task's payload file, or the result file the worker was writing;
	 * once it counted its outcome it may have delivered that file, which is
	 * then the caller's to read (and remove) */
	if (claim.spill[0] && !claim.outcome && !claim.delivered && !handed_on) {
		/* (or the file of a chain's next link not yet queued: chain.h) */
		asynctask_spill_remove(asynctask_rundir_fd(), claim.spill);
	}
	if (unheard) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "worker_exited",
			"the worker (pid %d) %s after task %" PRIu64 " had ended; its caller no longer waited: "
			"counted as it ended", (int) pid, how, claim.task_id);
	}
	if (claim.delivered || handed_on) {
		return;  /* its caller has the outcome, counted, or its chain goes on: nothing was lost */
	}
	if (timed_out) {
		snprintf(message, sizeof(message), "task %" PRIu64 " exceeded its time limit of %.3g s; "
			"its worker (pid %d) was killed", claim.task_id, claim.timeout_ms / 1000.0, (int) pid);
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "task_timed_out", "%s", message);
	} else {
		snprintf(message, sizeof(message), "the worker (pid %d) running task %" PRIu64 " %s",
			(int) pid, claim.task_id, how);
		if (claim.outcome != ASYNCTASK_RESULT_RETRIED) {  /* (else it left the retry to us, and logged why) */
			asynctask_log_event(ASYNCTASK_LOG_ERROR, "task_crashed", "%s", message);
		}
	}
	if (claim.links > 1) {
		/* a chain stops at its first failure, which says where (chain.h) */
		size_t used = strlen(message);
		snprintf(message + used, sizeof(message) - used, " (link %u of %u of the chain, Task::then())",
			claim.link, claim.links);
	}
	if (retried) {
		asynctask_status_failure(pool, &claim, failure, NULL, message, NULL);
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "task_retried",
			"task %" PRIu64 ": attempt %u failed (%s); it runs again in %.3f s (Task::withRetries())",
			claim.task_id, claim.attempt, timed_out ? "time limit" : claim.outcome == ASYNCTASK_RESULT_RETRIED
				? "its worker left the retry to the manager" : "its worker died", backoff);
		return;
	}
	if (not_retried[0] && claim.retry) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "task_not_retried", "task %" PRIu64 " cannot run again: %s",
			claim.task_id, not_retried);
	}
	asynctask_manager_post_failure(&claim, failure, message, undone);
}

void asynctask_manager_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (uint32_t i = 0; i < asynctask_mgr.workers; i++) {
			if (asynctask_mgr.pids[i] == pid) {
				asynctask_manager_worker_exited(&asynctask_mgr.pool->slots[i], status);
				break;
			}
		}
	}
	asynctask_manager_check_drained();
}

/* A worker past its task's time limit gets SIGTERM (a task may clean up in
 * a pcntl handler), then SIGKILL when it is still there after the grace. */
void asynctask_manager_enforce_time_limits(void)
{
	uint64_t now = asynctask_now_ns();

	for (uint32_t i = 0; i < asynctask_mgr.workers; i++) {
		asynctask_worker_slot_t *slot = &asynctask_mgr.pool->slots[i];
		pid_t pid = asynctask_mgr.pids[i];
		uint64_t id = __atomic_load_n(&slot->claim.task_id, __ATOMIC_SEQ_CST);
		uint32_t limit = slot->claim.timeout_ms;

		if (id == 0 || limit == 0 || pid <= 0) {
			continue;
		}
		if (slot->timed_out) {
			if (now - slot->killed_ns >= KILL_GRACE_NS) {
				kill(pid, SIGKILL);
			}
			continue;
		}
		if (now - slot->claim.started_ns >= (uint64_t) limit * 1000000u
			&& __atomic_load_n(&slot->claim.task_id, __ATOMIC_SEQ_CST) == id) {
			slot->timed_out = 1;
			slot->killed_ns = now;
			kill(pid, SIGTERM);
		}
	}
}
/* Draining after the php-fpm master left: a worker for each empty slot of
 * a queue that has tasks (a delayed task came due after its queue's
 * workers had retired, check_drained() waits for those). */
static void spawn_for_due_tasks(void)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;

	for (uint32_t i = 0; i < pool->workers; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		if (slot->state == ASYNCTASK_WORKER_EMPTY
				&& __atomic_load_n(&asynctask_region_slot_queue(pool, slot)->queue.live, __ATOMIC_SEQ_CST) > 0) {
			asynctask_manager_spawn(i);
		}
	}
}

void asynctask_manager_spawn_missing(void)
{
	if (asynctask_manager_stopping()) {
		if (asynctask_mgr.master_gone && !asynctask_mgr.respawn_at) {
			spawn_for_due_tasks();
		}
		return;
	}
	note_started_workers();
	if (asynctask_mgr.respawn_at) {
		if (asynctask_now_ns() < asynctask_mgr.respawn_at) {
			/* backing off: nothing could run what is dispatched meanwhile */
			asynctask_manager_fail_queued_tasks(asynctask_mgr.pool->startup_error);
			return;
		}
		asynctask_mgr.respawn_at = 0;
	}
	for (uint32_t i = 0; i < asynctask_mgr.pool->workers; i++) {
		if (asynctask_mgr.pool->slots[i].state == ASYNCTASK_WORKER_EMPTY) {
			asynctask_manager_spawn(i);
		}
	}
}
