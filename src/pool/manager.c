/*
 * The manager's libevent loop.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#ifdef HAVE_CONFIG_H
# include "config.h"
#endif
#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/pool/manager.h"
#include "src/pool/worker.h"
#include "src/pool/status/record.h"
#include "src/pool/status/status.h"
#include "src/transport/shm/idle.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/spill.h"
#include "src/transport/shm/rundir.h"
#include "src/codec/remote_error.h"
#include "src/base/clock.h"
#ifdef HAVE_ASYNCTASK_REDIS
# include "src/pool/bridge.h"
#endif

#define TICK_USEC 100000  /* time limits are enforced to within this */
#define KILL_GRACE_NS (250ull * 1000 * 1000)  /* from SIGTERM to SIGKILL: reported within 0.5 s of the limit */
#define SWEEP_TICKS 10  /* look for what dead dispatchers left about once a second */
#define STARTUP_FAILURES_MAX 3                     /* then back off and fail what is queued */
#define BACKOFF_MIN_NS (1000ull * 1000 * 1000)
#define BACKOFF_MAX_NS (30ull * 1000 * 1000 * 1000)

/* A report the owner's full pipe could not take yet. */
typedef struct pending_report {
	struct pending_report *next;
	asynctask_report_t     report;  /* its data points at data[] */
	char                   data[];
} pending_report_t;

#define EVENTS_MAX 6

static struct {
	asynctask_pool_t  *pool;
	const asynctask_manager_hooks_t *hooks;  /* a server pool's (server_manager.c), else NULL */
	struct event_base *base;
	struct event      *events[EVENTS_MAX];
	int                nevents;
	pending_report_t  *pending;
	/* server pool: the php-fpm master is gone; drain until this deadline (ns) */
	bool               master_gone;
	uint64_t           drain_deadline;
	/* CLI: the script that owns the pool is gone; drain until drain_deadline */
	bool               owner_gone;
	uint64_t           ticks;
	/* workers that could not start in a row (asynctask.bootstrap failed);
	 * past a few, no worker is forked before respawn_at (backing off) */
	uint32_t           startup_failures;
	uint64_t           backoff_ns;
	uint64_t           respawn_at;
} manager;

static void post_report(const asynctask_report_t *report)
{
	int err = asynctask_result_post(manager.pool, report, 0, NULL);

	if (err == EAGAIN) {
		pending_report_t *pending = malloc(sizeof(*pending) + report->length);
		if (!pending) {
			asynctask_log("out of memory: the failure of task %" PRIu64 " could not be kept for its caller",
				report->task_id);
			return;
		}
		pending->report = *report;
		memcpy(pending->data, report->data, report->length);
		pending->report.data = pending->data;
		pending->next = manager.pending;
		manager.pending = pending;
	} else if (err != 0) {
		ASYNCTASK_COUNT(manager.pool, dropped_results);
	}
}

static void retry_reports(void)
{
	pending_report_t **link = &manager.pending;

	while (*link) {
		pending_report_t *report = *link;
		int err = asynctask_result_post(manager.pool, &report->report, 0, NULL);
		if (err == EAGAIN) {
			link = &report->next;
			continue;
		}
		if (err != 0) {
			ASYNCTASK_COUNT(manager.pool, dropped_results);
		}
		*link = report->next;
		free(report);
	}
}

/* Reports a task as failed and counts it so. counted_by_worker: the outcome
 * its dead worker had counted and the manager undid (0: none), which tells
 * the caller, should that outcome have reached it after all, to count it back. */
static void post_failure(const asynctask_claim_t *claim, asynctask_result_status_t status, const char *message,
	uint32_t counted_by_worker)
{
	smart_str encoded = {0};

	asynctask_status_failure(manager.pool, claim, status, NULL, message, NULL);
	asynctask_remote_error_encode_message(message, &encoded);
	asynctask_report_t report = {
		.owner = claim->owner,
		.task_id = claim->task_id,
		.status = status,
		.counted_by_worker = counted_by_worker,
		.data = ZSTR_VAL(encoded.s),
		.length = ZSTR_LEN(encoded.s),
	};
	post_report(&report);
	smart_str_free(&encoded);
}

static void report_failure(const asynctask_claim_t *claim, asynctask_result_status_t status, const char *message,
	uint32_t counted_by_worker)
{
	asynctask_region_count_outcome(manager.pool, status, 1);
	post_failure(claim, status, message, counted_by_worker);
}

static void describe_exit(char *buf, size_t size, int status)
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

static void spawn(uint32_t index)
{
	asynctask_pool_t *pool = manager.pool;
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
		asynctask_worker_run(pool, index, manager.hooks ? manager.hooks->close_inherited : NULL);
	}
	if (pid < 0) {
		asynctask_log("cannot fork a worker: %s (retrying)", strerror(errno));
		slot->pid = 0;
		slot->state = ASYNCTASK_WORKER_EMPTY;
		return;
	}
	slot->pid = pid;
	slot->state = ASYNCTASK_WORKER_RUNNING;
}

static bool stopping(void)
{
	return __atomic_load_n(&manager.pool->stopping, __ATOMIC_SEQ_CST) != 0;
}

static bool queue_has_work(void)
{
	return __atomic_load_n(&manager.pool->queue.live, __ATOMIC_SEQ_CST) > 0;
}

/* Stops the loop once a requested stop has drained everything. */
static void check_drained(void)
{
	if (!stopping()) {
		return;
	}
	for (uint32_t i = 0; i < manager.pool->workers; i++) {
		if (manager.pool->slots[i].state != ASYNCTASK_WORKER_EMPTY) {
			return;
		}
	}
	if (queue_has_work()) {
		/* every worker left while tasks were queued (they crashed): run them */
		return;
	}
#ifdef HAVE_ASYNCTASK_REDIS
	if (!asynctask_bridge_idle()) {
		return;  /* a node: results still on their way to Redis */
	}
#endif
	event_base_loopbreak(manager.base);
}

/* Reload: replaces the workers of older generations one at a time, idle
 * ones first, each after its current task. The pool never lacks more than
 * one worker, no task fails, and each new worker includes asynctask.bootstrap
 * and compiles task code afresh. */
static void continue_reload(void)
{
	asynctask_pool_t *pool = manager.pool;
	uint32_t generation = __atomic_load_n(&pool->generation, __ATOMIC_SEQ_CST);
	int pick = -1;

	if (stopping()) {
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
		asynctask_queue_wake_all(&pool->queue);
	}
}

/* Fails every queued task with why (no worker can run them). */
static void fail_queued_tasks(const char *why)
{
	asynctask_pool_t *pool = manager.pool;
	asynctask_claim_t claim;
	zend_string *payload;
	uint32_t spilled;

	while (asynctask_queue_take(&pool->queue, asynctask_region_ring(pool), &claim, &payload, &spilled, NULL)) {
		zend_string_release(payload);
		if (spilled && claim.spill[0]) {
			asynctask_spill_remove(asynctask_rundir_fd(), claim.spill);
		}
		report_failure(&claim, ASYNCTASK_RESULT_FAILED, why, 0);
	}
}

/* Workers keep failing to start: stop forking them for a while (doubling,
 * up to 30 s), and fail what is queued rather than let callers wait. */
static void back_off(void)
{
	manager.backoff_ns = manager.backoff_ns ? manager.backoff_ns * 2 : BACKOFF_MIN_NS;
	if (manager.backoff_ns > BACKOFF_MAX_NS) {
		manager.backoff_ns = BACKOFF_MAX_NS;
	}
	manager.respawn_at = asynctask_now_ns() + manager.backoff_ns;
	asynctask_log("%u workers in a row could not start (%s); no new worker for %.0f s, queued tasks fail",
		manager.startup_failures, manager.pool->startup_error, manager.backoff_ns / 1e9);
	fail_queued_tasks(manager.pool->startup_error);
}

/* A worker that got through its bootstrap ends a streak of failures. */
static void note_started_workers(void)
{
	if (!manager.startup_failures) {
		return;
	}
	for (uint32_t i = 0; i < manager.pool->workers; i++) {
		asynctask_worker_slot_t *slot = &manager.pool->slots[i];
		if (slot->state != ASYNCTASK_WORKER_EMPTY && __atomic_load_n(&slot->started, __ATOMIC_ACQUIRE)) {
			manager.startup_failures = 0;
			manager.backoff_ns = 0;
			manager.respawn_at = 0;
			return;
		}
	}
}

/* A dead worker's task: whether it had counted the outcome it did not
 * deliver, in which case the count is undone. Then its counts go to the pool.
 * Returns the outcome undone (0: none). */
static uint32_t settle_counts(asynctask_worker_slot_t *slot, const asynctask_claim_t *claim)
{
	uint32_t undone = 0;

	if (claim->task_id && claim->outcome && !claim->delivered
			&& asynctask_slot_counted(slot) != claim->counted_before) {
		__atomic_sub_fetch(asynctask_slot_counter(slot, claim->outcome), 1, __ATOMIC_SEQ_CST);
		undone = claim->outcome;
	}
	asynctask_region_fold_slot_counts(manager.pool, slot);
	return undone;
}

/* A dead worker's claim, as it stands once every lock it may have died in
 * is synced: a half-done take is rolled back (the claim cleared), a result
 * it was publishing into its caller's mailbox is noted delivered if it got
 * out. And a task whose outcome the worker had counted but not delivered
 * while its caller was gone, or no longer listening (a php-fpm request that
 * ended), ends as the worker counted it: nobody can see it crash, and its
 * work was done; its result counts as dropped. *unheard says so. */
static asynctask_claim_t dead_claim(asynctask_worker_slot_t *slot, bool *unheard)
{
	asynctask_pool_t *pool = manager.pool;

	asynctask_queue_sync(&pool->queue, asynctask_region_ring(pool));
	asynctask_results_sync_mailboxes(pool);
	asynctask_claim_t claim = slot->claim;
	*unheard = claim.task_id && claim.outcome && !claim.delivered
		&& asynctask_slot_counted(slot) != claim.counted_before
		&& !asynctask_results_listening(pool, claim.owner);
	if (*unheard) {
		claim.delivered = 1;
		ASYNCTASK_COUNT(pool, dropped_results);
	}
	return claim;
}

static void worker_exited(asynctask_worker_slot_t *slot, int status)
{
	asynctask_pool_t *pool = manager.pool;
	bool unheard;
	asynctask_claim_t claim = dead_claim(slot, &unheard);
	bool timed_out = slot->timed_out;
	pid_t pid = slot->pid;
	char how[96], message[512];

	describe_exit(how, sizeof(how), status);
	asynctask_status_task_ended(slot, &claim);  /* its run time, if the worker did not count it */
	uint32_t undone = settle_counts(slot, &claim);
	asynctask_result_status_t failure = timed_out ? ASYNCTASK_RESULT_TIMED_OUT : ASYNCTASK_RESULT_CRASHED;
	if (claim.task_id && !claim.delivered) {
		/* counted as its worker's count is undone, before the claim goes (and
		 * stats() no longer sees it running): never a task neither done nor failed */
		asynctask_region_count_outcome(pool, failure, 1);
	}
	memset(&slot->claim, 0, sizeof(slot->claim));

	/* it may have been the worker a push counted on to take its task (idle.h) */
	asynctask_idle_forget(pool, slot);

	if (!slot->started && WIFEXITED(status) && WEXITSTATUS(status) == ASYNCTASK_EXIT_STARTUP_FAILED) {
		if (++manager.startup_failures >= STARTUP_FAILURES_MAX) {
			back_off();
			slot->pid = 0;
			slot->state = ASYNCTASK_WORKER_EMPTY;
			return;
		}
	}

	/* replaced before its task is reported: a caller that sees the failure
	 * finds the pool whole again. The slot goes from the old pid straight
	 * to the new one, so stats() never shows the pool a worker short. */
	if (!stopping() || queue_has_work()) {
		ASYNCTASK_COUNT(pool, respawned);
		spawn((uint32_t) (slot - pool->slots));
	} else {
		slot->pid = 0;
		slot->state = ASYNCTASK_WORKER_EMPTY;
	}
	continue_reload();

	if (claim.task_id == 0) {
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			asynctask_log("worker (pid %d) %s while idle", (int) pid, how);
		}
		return;
	}
	/* the task's payload file, or the result file the worker was writing;
	 * once it counted its outcome it may have delivered that file, which is
	 * then the caller's to read (and remove) */
	if (claim.spill[0] && !claim.outcome) {
		asynctask_spill_remove(asynctask_rundir_fd(), claim.spill);
	}
	if (unheard) {
		asynctask_log("the worker (pid %d) %s after task %" PRIu64 " had ended; its caller no longer waited: "
			"counted as it ended", (int) pid, how, claim.task_id);
	}
	if (claim.delivered) {
		return;  /* its caller has the outcome, counted: nothing was lost */
	}
	if (timed_out) {
		snprintf(message, sizeof(message), "task %" PRIu64 " exceeded its time limit of %.3g s; "
			"its worker (pid %d) was killed", claim.task_id, claim.timeout_ms / 1000.0, (int) pid);
	} else {
		snprintf(message, sizeof(message), "the worker (pid %d) running task %" PRIu64 " %s",
			(int) pid, claim.task_id, how);
		asynctask_log("%s", message);
	}
	post_failure(&claim, failure, message, undone);
}

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (uint32_t i = 0; i < manager.pool->workers; i++) {
			asynctask_worker_slot_t *slot = &manager.pool->slots[i];
			if (slot->state != ASYNCTASK_WORKER_EMPTY && slot->pid == pid) {
				worker_exited(slot, status);
				break;
			}
		}
	}
	check_drained();
}

/* A worker past its task's time limit gets SIGTERM (a task may clean up in
 * a pcntl handler), then SIGKILL when it is still there after the grace. */
static void enforce_time_limits(void)
{
	uint64_t now = asynctask_now_ns();

	for (uint32_t i = 0; i < manager.pool->workers; i++) {
		asynctask_worker_slot_t *slot = &manager.pool->slots[i];
		uint64_t id = __atomic_load_n(&slot->claim.task_id, __ATOMIC_SEQ_CST);
		uint32_t limit = slot->claim.timeout_ms;

		if (id == 0 || limit == 0 || slot->state == ASYNCTASK_WORKER_EMPTY) {
			continue;
		}
		if (slot->timed_out) {
			if (now - slot->killed_ns >= KILL_GRACE_NS) {
				kill(slot->pid, SIGKILL);
			}
			continue;
		}
		if (now - slot->claim.started_ns >= (uint64_t) limit * 1000000u
			&& __atomic_load_n(&slot->claim.task_id, __ATOMIC_SEQ_CST) == id) {
			slot->timed_out = 1;
			slot->killed_ns = now;
			kill(slot->pid, SIGTERM);
		}
	}
}

/* Kills every worker now; their tasks are reported as failed. */
static void stop_now(const char *why)
{
	asynctask_pool_t *pool = manager.pool;
	char message[256];

	for (uint32_t i = 0; i < pool->workers; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		if (slot->state == ASYNCTASK_WORKER_EMPTY) {
			continue;
		}
		kill(slot->pid, SIGKILL);
		waitpid(slot->pid, NULL, 0);
		bool unheard;
		asynctask_claim_t claim = dead_claim(slot, &unheard);
		asynctask_status_task_ended(slot, &claim);
		uint32_t undone = settle_counts(slot, &claim);
		if (claim.task_id != 0 && !claim.delivered) {
			snprintf(message, sizeof(message), "task %" PRIu64 " was killed: %s", claim.task_id, why);
			report_failure(&claim, ASYNCTASK_RESULT_CRASHED, message, undone);
			if (claim.spill[0] && !claim.outcome) {
				asynctask_spill_remove(asynctask_rundir_fd(), claim.spill);
			}
		}
		memset(&slot->claim, 0, sizeof(slot->claim));
		slot->state = ASYNCTASK_WORKER_EMPTY;
		slot->pid = 0;
	}
	event_base_loopbreak(manager.base);
}

static bool owner_alive(void)
{
	if (manager.pool->server) {
		return !manager.master_gone;
	}
	return getppid() == manager.pool->owner;
}

/* CLI: the script that owns the pool died without stopping it (killed, ^C
 * or SIGTERM without a handler, a crash). What is queued still runs, as the
 * queued tasks of any dispatcher that dies do (fire and forget), then the
 * pool leaves and removes its runtime directory; asynctask.shutdown_timeout
 * bounds the wait, as it bounds the drain at a script's end. */
static void owner_gone(void)
{
	if (manager.pool->server || manager.owner_gone || owner_alive()) {
		return;  /* a server pool's master is watched by master_gone() */
	}
	manager.owner_gone = true;
	manager.drain_deadline = asynctask_now_ns() + (uint64_t) (ASYNCTASK_G(shutdown_timeout) * 1e9);
	asynctask_log("the process that owned the pool (pid %d) is gone: running the %" PRIu64 " queued task(s), "
		"then leaving", (int) manager.pool->owner, __atomic_load_n(&manager.pool->queue.live, __ATOMIC_SEQ_CST));
	__atomic_store_n(&manager.pool->stopping, 1, __ATOMIC_SEQ_CST);
	asynctask_queue_wake_all(&manager.pool->queue);
	check_drained();
}

static bool claimed_spill(const char *name)
{
	for (uint32_t i = 0; i < manager.pool->workers; i++) {
		if (strcmp(manager.pool->slots[i].claim.spill, name) == 0) {
			return true;
		}
	}
	return false;
}

/* An entry of the runtime directory left by a dispatcher that died: its
 * result FIFO, result spills nobody will read, and task spills it wrote but
 * did not live to queue. (Queued tasks of a dead dispatcher still run.) */
static void sweep_entry(const char *name, void *arg)
{
	asynctask_pool_t *pool = manager.pool;
	pid_t pid = 0;
	int fifo_pid, end = 0;
	(void) arg;

	bool spill = asynctask_spill_name_valid(name, &pid);
	if (!spill && (sscanf(name, "%d.fifo%n", &fifo_pid, &end) != 1 || name[end] != '\0')) {
		return;
	}
	if (!spill) {
		pid = (pid_t) fifo_pid;
	}
	if (pid <= 0 || !asynctask_process_gone(pid)) {
		return;
	}
	if (spill && (claimed_spill(name) || asynctask_queue_refers_to(&pool->queue, asynctask_region_ring(pool), name))) {
		return;
	}
	unlinkat(asynctask_rundir_fd(), name, 0);
}

static void sweep_runtime_dir(void)
{
	asynctask_rundir_each(sweep_entry, NULL);
}

/* Frees the mailboxes of dispatchers that died; the results they held had
 * nobody to go to (dropped, and counted). */
static void sweep_mailboxes(void)
{
	asynctask_pool_t *pool = manager.pool;
	asynctask_mailbox_t *boxes = asynctask_region_mailboxes(pool);

	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		pid_t owner = __atomic_load_n(&boxes[i].owner, __ATOMIC_RELAXED);
		if (owner > 0 && asynctask_process_gone(owner)) {
			uint32_t dropped = asynctask_results_free_mailbox(&boxes[i], owner);
			__atomic_add_fetch(&pool->counters.dropped_results, dropped, __ATOMIC_RELAXED);
		}
	}
}

static void spawn_missing(void)
{
	if (stopping()) {
		return;
	}
	note_started_workers();
	if (manager.respawn_at) {
		if (asynctask_now_ns() < manager.respawn_at) {
			/* backing off: nothing could run what is dispatched meanwhile */
			fail_queued_tasks(manager.pool->startup_error);
			return;
		}
		manager.respawn_at = 0;
	}
	for (uint32_t i = 0; i < manager.pool->workers; i++) {
		if (manager.pool->slots[i].state == ASYNCTASK_WORKER_EMPTY) {
			spawn(i);
		}
	}
}

/* Server pool: the master exited or re-executed itself. What is queued
 * still runs (its dispatchers may be gone, its effects are not), then the
 * pool leaves; asynctask.shutdown_timeout bounds the wait. */
static void master_gone(void)
{
	if (manager.master_gone) {
		return;
	}
	event_del(manager.events[manager.nevents - 1]);
	manager.master_gone = true;
	manager.drain_deadline = asynctask_now_ns() + (uint64_t) (ASYNCTASK_G(shutdown_timeout) * 1e9);
	if (manager.pool->workers) {
		asynctask_log("the php-fpm master is gone: running the %" PRIu64 " queued task(s), then leaving",
			__atomic_load_n(&manager.pool->queue.live, __ATOMIC_SEQ_CST));
	}
	__atomic_store_n(&manager.pool->stopping, 1, __ATOMIC_SEQ_CST);
	asynctask_queue_wake_all(&manager.pool->queue);
	check_drained();
}

/* Server pool: the supervisor forwards the sockets of FPM children that
 * ask for this pool; its end closing means the php-fpm master is gone. */
static void on_link(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;

	if (!manager.hooks->answer_clients(manager.pool)) {
		master_gone();
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;

	__atomic_store_n(&manager.pool->heartbeat_ns, asynctask_now_ns(), __ATOMIC_RELAXED);
	if (manager.master_gone) {
		if (asynctask_now_ns() >= manager.drain_deadline) {
			stop_now("the php-fpm master is gone and the queue did not drain within asynctask.shutdown_timeout");
			return;
		}
	} else {
		owner_gone();
	}
	if (manager.owner_gone && asynctask_now_ns() >= manager.drain_deadline) {
		stop_now("the process that owned the pool exited and the queue did not drain within asynctask.shutdown_timeout");
		return;
	}
	enforce_time_limits();
	retry_reports();
#ifdef HAVE_ASYNCTASK_REDIS
	asynctask_bridge_tick();
#endif
	spawn_missing();
	continue_reload();
	if (++manager.ticks % SWEEP_TICKS == 0) {
		sweep_mailboxes();
		sweep_runtime_dir();
		asynctask_results_close_dead_pipes();
	}
	check_drained();
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void) what; (void) arg;

	switch (sig) {
		case SIGCHLD:
			reap();
			break;
		case SIGTERM:
			stop_now("the pool manager was terminated");
			break;
		case SIGUSR1:
			__atomic_add_fetch(&manager.pool->generation, 1, __ATOMIC_SEQ_CST);
			continue_reload();
			break;
		case SIGUSR2:  /* a stop was asked, or (CLI) the owner died: look now */
			owner_gone();
			check_drained();
			break;
	}
}

static void add_event(struct event *ev, const struct timeval *tv)
{
	if (!ev || event_add(ev, tv) != 0) {
		asynctask_log("the pool manager cannot set up its event loop");
		_exit(70);
	}
	manager.events[manager.nevents++] = ev;
}

static const int manager_signals[] = { SIGCHLD, SIGTERM, SIGUSR1, SIGUSR2 };

uint32_t asynctask_manager_default_workers(void)
{
	long cpus;

	if (ASYNCTASK_G(workers) > 0) {
		return (uint32_t) ASYNCTASK_G(workers);
	}
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (uint32_t) cpus : 1;
}

void asynctask_manager_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(manager_signals) / sizeof(manager_signals[0]); i++) {
		sigaddset(set, manager_signals[i]);
	}
}

/* A php-fpm pool's last words: how every task it was given ended (its
 * figures are otherwise gone with it; a CLI pool's owner has them). discarded:
 * tasks dropped unrun as it left (their callers were told the pool stopped). */
static void log_final_counts(uint64_t discarded)
{
	asynctask_counters_t c;

	if (!manager.pool->server) {
		return;
	}
	uint64_t dispatched = asynctask_region_counts(manager.pool, &c);
	asynctask_log("the pool leaves: %" PRIu64 " dispatched, %" PRIu64 " completed, %" PRIu64 " failed (%" PRIu64
		" crashed, %" PRIu64 " timed out), %" PRIu64 " cancelled, %" PRIu64 " discarded unrun; %" PRIu64
		" results dropped", dispatched, c.completed, c.failed, c.crashed, c.timed_out, c.cancelled, discarded,
		c.dropped_results);
}

ZEND_NORETURN void asynctask_manager_run(asynctask_pool_t *pool, const asynctask_manager_hooks_t *hooks)
{
	sigset_t handled;
	struct timeval tick = { 0, TICK_USEC };
	int link = -1;

	ASYNCTASK_G(in_pool_process) = true;
	asynctask_log_set_role("manager");
	manager.pool = pool;
	manager.hooks = hooks;
	pool->heartbeat_ns = asynctask_now_ns();
	prctl(PR_SET_NAME, "asynctask-mgr");  /* what ps -o comm, top and pgrep show */
	pool->manager = (int32_t) asynctask_self();

	/* its own process group: a terminal's ^C reaches the script, which then
	 * drains the pool, rather than every worker at once */
	setpgid(0, 0);
	if (pool->server) {
		/* started by the supervisor (server_manager.c), whose socket also
		 * says when the php-fpm master is gone */
		link = hooks->link;
	} else {
		/* SIGUSR2, not SIGTERM (stop now): the owner's death drains the pool */
		if (prctl(PR_SET_PDEATHSIG, SIGUSR2) != 0 || getppid() != pool->owner) {
			_exit(1);
		}
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	ASYNCTASK_G(mailbox) = NULL;  /* the owner's */
	if (ASYNCTASK_G(result_fd) >= 0) {
		close(ASYNCTASK_G(result_fd)); /* the owner's */
		ASYNCTASK_G(result_fd) = -1;
	}

	manager.base = event_base_new();
	if (!manager.base) {
		asynctask_log("the pool manager cannot create its event base");
		_exit(70);
	}
	for (int i = 0; i < 4; i++) {
		add_event(evsignal_new(manager.base, manager_signals[i], on_signal, NULL), NULL);
	}
	add_event(event_new(manager.base, -1, EV_PERSIST, on_tick, NULL), &tick);
	asynctask_status_start(manager.base, pool);  /* asynctask.status_listen */
	if (link >= 0) {
		/* the last event: master_gone() removes it */
		add_event(event_new(manager.base, link, EV_READ | EV_PERSIST, on_link, NULL), NULL);
	}
	/* blocked by the owner across fork(): what arrived meanwhile is delivered now */
	asynctask_manager_signals(&handled);
	sigprocmask(SIG_UNBLOCK, &handled, NULL);

	spawn_missing();
	bool serving = true;
#ifdef HAVE_ASYNCTASK_REDIS
	if (asynctask_bridge_configured() && !asynctask_bridge_start(pool, manager.base)) {
		stop_now("the node could not start");
		serving = false;
	}
#endif
	if (serving) {
		event_base_dispatch(manager.base);
	}

	/* the loop ends when drained or stopped: wait for anything left, report, leave */
	reap();
	retry_reports();
#ifdef HAVE_ASYNCTASK_REDIS
	asynctask_bridge_shutdown();
#endif
	bool orphaned = !owner_alive();
	asynctask_status_stop();
	for (int i = 0; i < manager.nevents; i++) {
		event_free(manager.events[i]);
	}
	event_base_free(manager.base);
	uint64_t discarded = 0;
	if (orphaned) {
		/* nobody is left to clean up after the pool: do it here */
		discarded = asynctask_queue_discard(&pool->queue, asynctask_region_ring(pool));
		asynctask_rundir_take_over();
		asynctask_rundir_remove();
	}
	log_final_counts(discarded);
	_exit(0);
}
