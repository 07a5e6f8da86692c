/*
 * The pool as seen from its owner: start, stop, reload, stats.
 */
#include <dirent.h>
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "php.h"
#include "SAPI.h"
#include "ext/standard/file.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/pool/pool.h"
#include "src/pool/manager.h"
#include "src/pool/queues.h"
#include "src/transport/shm/result.h"
#include "src/base/exceptions.h"
#include "src/transport/shm/memory.h"
#include "src/transport/shm/lock.h"
#include "src/pool/server.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/shm.h"
#include "src/base/clock.h"

#define WORKERS_READY_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)
#define RELOAD_ACK_TIMEOUT_NS (2ull * 1000 * 1000 * 1000)

static bool may_own_pool(void)
{
	return strcmp(sapi_module.name, "cli") == 0 || strcmp(sapi_module.name, "phpdbg") == 0;
}

/* The manager of this process's pool died (killed, or it crashed): its
 * workers went with it. The owner clears what is left — queued tasks and
 * their spill files, the runtime directory — so that the next dispatch
 * starts a clean pool; the Futures of the old one settle as failed. */
static void clear_dead_pool(asynctask_pool_t *pool)
{
	if (pool->owner == (int32_t) asynctask_self() && !pool->server) {
		uint64_t dropped = asynctask_region_discard(pool);
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "manager_lost",
			"the pool manager (pid %d) is gone; %" PRIu64 " queued task(s) failed with it, "
			"a new pool starts", (int) pool->manager, dropped);
		asynctask_results_drain();
		asynctask_results_close();
		asynctask_rundir_remove();
	}
	asynctask_shm_forget();
}

/* Start-up is not done until the workers are: stats() right after start()
 * counts them all. A worker that cannot be forked is retried by the manager. */
static void wait_for_workers(asynctask_pool_t *pool)
{
	uint64_t deadline = asynctask_now_ns() + WORKERS_READY_TIMEOUT_NS;

	while (asynctask_now_ns() < deadline && asynctask_shm_alive()) {
		uint32_t running = 0;
		for (uint32_t i = 0; i < pool->workers; i++) {
			running += __atomic_load_n(&pool->slots[i].state, __ATOMIC_ACQUIRE) == ASYNCTASK_WORKER_RUNNING;
		}
		if (running == pool->workers || pool->startup_error[0]) {
			return;  /* all there, or they cannot start (the manager backs off) */
		}
		struct timespec nap = { 0, 500 * 1000 };
		nanosleep(&nap, NULL);
	}
}

pid_t asynctask_pool_fork_manager(asynctask_pool_t *pool)
{
	/* What PHP or libc buffered must not be written again by every child. */
	fflush(NULL);
	/* The manager's signals stay pending until its handlers are in place:
	 * a stop (SIGUSR2) sent right after start must not kill it. */
	sigset_t block, previous;
	asynctask_manager_signals(&block);
	sigprocmask(SIG_BLOCK, &block, &previous);
	pid_t pid = fork();
	if (pid == 0) {
		asynctask_manager_run(pool, NULL);
	}
	int fork_errno = errno;
	sigprocmask(SIG_SETMASK, &previous, NULL);
	if (pid > 0) {
		pool->manager = (int32_t) pid;
	}
	errno = fork_errno;
	return pid;
}

zend_result asynctask_pool_start(zend_long workers)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	char error[PATH_MAX + 256];

	if (asynctask_server_enabled() || (pool && pool->server)) {
		asynctask_throw(asynctask_ce_exception, "the pool belongs to the %s master "
			"(asynctask.enable=1): it starts and stops with %s", asynctask_server_master(), asynctask_server_master());
		return FAILURE;
	}
	if (workers > ASYNCTASK_WORKERS_MAX) {
		zend_argument_value_error(1, "must be between 1 and %d", ASYNCTASK_WORKERS_MAX);
		return FAILURE;
	}
	asynctask_queues_t layout;
	if (!asynctask_pool_queue_layout(workers > 0 ? (uint32_t) workers : 0, &layout, error, sizeof(error))) {
		asynctask_throw(asynctask_ce_exception, "%s", error);
		return FAILURE;
	}
	uint32_t total = 0;
	for (uint32_t i = 0; i < layout.count; i++) {
		total += layout.queues[i].workers;
	}
	if (pool && asynctask_shm_alive()) {
		if (workers > 0 && total != pool->workers && pool->owner == (int32_t) asynctask_self()) {
			asynctask_throw(asynctask_ce_exception, "the pool already runs with %u workers; "
				"call AsyncTask\\Pool::stop() before starting it with %u%s%s%s", pool->workers, total,
				layout.count > 1 ? " (in all, asynctask.queues \"" : "", layout.count > 1 ? ASYNCTASK_G(queues) : "",
				layout.count > 1 ? "\")" : "");
			return FAILURE;
		}
		return SUCCESS;
	}
	if (pool) {
		clear_dead_pool(pool);
	}
	if (ASYNCTASK_G(in_pool_process)) {
		asynctask_throw(asynctask_ce_exception,
			"a task cannot dispatch tasks or start a pool: return the work to the caller instead");
		return FAILURE;
	}
	if (!may_own_pool()) {
		asynctask_throw(asynctask_ce_exception,
			"no asynctask pool runs under the %s SAPI: set asynctask.enable=1 in php.ini "
			"(the php.ini php-fpm or Apache's mod_php loads, not a php_admin_value) to start one at server startup",
			sapi_module.name);
		return FAILURE;
	}

	if (!asynctask_rundir_create(error, sizeof(error))) {
		asynctask_throw(asynctask_ce_exception, "%s", error);
		return FAILURE;
	}
	pool = asynctask_region_create(&layout, NULL, error, sizeof(error));
	if (!pool) {
		asynctask_rundir_remove();
		asynctask_throw(asynctask_ce_exception, "%s", error);
		return FAILURE;
	}
	if (asynctask_results_open(pool) == FAILURE) {
		asynctask_rundir_remove();
		asynctask_shm_forget();
		return FAILURE;
	}
	if (asynctask_pool_fork_manager(pool) < 0) {
		int fork_errno = errno;
		asynctask_rundir_remove();
		asynctask_shm_forget();
		asynctask_throw(asynctask_ce_exception, "cannot fork the pool manager: %s", strerror(fork_errno));
		return FAILURE;
	}
	wait_for_workers(pool);
	return SUCCESS;
}

asynctask_pool_t *asynctask_pool_get(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (ASYNCTASK_G(in_pool_process)) {
		asynctask_throw(asynctask_ce_exception,
			"a task cannot dispatch tasks: a worker waiting for another task could wait for itself; "
			"return the work to the caller instead");
		return NULL;
	}
	if (asynctask_server_enabled()) {
		if (!(pool = asynctask_server_pool_get(false))) {
			return NULL;
		}
	} else if (!pool || !asynctask_shm_alive_lately()) {
		if (pool && pool->owner != (int32_t) asynctask_self()) {
			asynctask_throw(asynctask_ce_exception, "the pool of process %d is gone; "
				"a forked process can dispatch only while the pool it inherited runs", (int) pool->owner);
			return NULL;
		}
		if (asynctask_pool_start(0) == FAILURE) {
			return NULL;
		}
		pool = ASYNCTASK_G(pool);
	}
	if (asynctask_results_open(pool) == FAILURE) {
		return NULL;
	}
	return pool;
}

/* Dispatching processes that hold a mailbox (mailbox.h). */
static uint32_t mailboxes_used(asynctask_pool_t *pool)
{
	uint32_t used = 0;
	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		used += __atomic_load_n(&asynctask_region_mailboxes(pool)[i].owner, __ATOMIC_RELAXED) != 0;
	}
	return used;
}

/* The live workers of slots first .. first + n - 1, and of them those that run a task. */
static void count_workers_of(asynctask_pool_t *pool, uint32_t first, uint32_t n, zend_long *workers, zend_long *running)
{
	*workers = *running = 0;
	for (uint32_t i = first; i < first + n; i++) {
		asynctask_worker_slot_t *slot = &pool->slots[i];
		if (slot->state == ASYNCTASK_WORKER_RUNNING && slot->pid > 0) {
			(*workers)++;
			if (__atomic_load_n(&slot->claim.task_id, __ATOMIC_RELAXED) != 0) {
				(*running)++;
			}
		}
	}
}

static void count_live_workers(asynctask_pool_t *pool, zend_long *workers, zend_long *running)
{
	count_workers_of(pool, 0, pool->workers, workers, running);
}

/* Waits for the manager to exit, reading results meanwhile. Returns true if it did. */
static bool wait_manager(asynctask_pool_t *pool, double timeout)
{
	uint64_t deadline = asynctask_now_ns() + (uint64_t) (timeout * 1e9);
	int status;

	for (;;) {
		pid_t r = waitpid(pool->manager, &status, WNOHANG);
		if (r == pool->manager || (r < 0 && errno == ECHILD)) {
			return true;
		}
		asynctask_results_drain();
		if (asynctask_now_ns() >= deadline) {
			return false;
		}
		struct timespec nap = { 0, 5 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
}

void asynctask_pool_stop(double timeout)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (asynctask_server_enabled() || (pool && pool->server)) {
		asynctask_throw(asynctask_ce_exception, "the pool belongs to the %s master "
			"(asynctask.enable=1): it starts and stops with %s", asynctask_server_master(), asynctask_server_master());
		return;
	}
	if (!pool) {
		return;
	}
	if (pool->owner != (int32_t) asynctask_self()) {
		asynctask_shm_forget();
		return;
	}
	if (pool->manager > 0) {
		__atomic_store_n(&pool->stopping, 1, __ATOMIC_SEQ_CST);
		asynctask_region_wake_all(pool);
		kill(pool->manager, SIGUSR2); /* "stopping": look now rather than at the next tick */
		if (!wait_manager(pool, timeout)) {
			zend_long workers, running;
			count_live_workers(pool, &workers, &running);
			uint64_t queued = asynctask_region_queued(pool);
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "drain_timed_out",
				"the pool did not drain within %.3g s (asynctask.shutdown_timeout): "
				"%" PRIu64 " queued task(s) dropped, " ZEND_LONG_FMT " running task(s) killed",
				timeout, queued, running);
			/* the manager leads its own process group: the workers go with it */
			kill(-pool->manager, SIGKILL);
			kill(pool->manager, SIGKILL);
			waitpid(pool->manager, NULL, 0);
		}
		pool->manager = -1;
	}
	asynctask_results_drain();
	asynctask_region_discard(pool);
	asynctask_results_close();
	asynctask_rundir_remove();
	asynctask_shm_forget();
}

void asynctask_pool_reload(void)
{
	asynctask_pool_t *pool = asynctask_server_enabled() ? asynctask_server_pool_get(false) : ASYNCTASK_G(pool);

	if (!pool || !asynctask_shm_alive()) {
		return;
	}
	/* the manager bumps the generation and starts replacing workers one by
	 * one (SIGUSR1 from outside does the same): return once it has begun */
	uint32_t generation = __atomic_load_n(&pool->generation, __ATOMIC_SEQ_CST);
	if (kill(pool->manager, SIGUSR1) != 0) {
		asynctask_throw(asynctask_ce_exception, "cannot signal the pool manager (pid %d) to reload: %s",
			(int) pool->manager, strerror(errno));
		return;
	}
	uint64_t deadline = asynctask_now_ns() + RELOAD_ACK_TIMEOUT_NS;
	while (__atomic_load_n(&pool->generation, __ATOMIC_SEQ_CST) == generation
		&& asynctask_now_ns() < deadline && asynctask_shm_alive()) {
		struct timespec nap = { 0, 200 * 1000 };
		nanosleep(&nap, NULL);
	}
}

/* "worker_pids": the pool's live processes, for operators and fault tests. */
static void add_worker_pids(zval *stats, const asynctask_pool_t *pool)
{
	zval pids;

	array_init(&pids);
	for (uint32_t i = 0; pool && i < pool->workers; i++) {
		int32_t pid = __atomic_load_n(&pool->slots[i].pid, __ATOMIC_RELAXED);

		if (pid > 0) {
			add_next_index_long(&pids, pid);
		}
	}
	add_assoc_zval(stats, "worker_pids", &pids);
}

/* A node's backend figures (README, "Several machines"), as its manager last refreshed them. */
static void add_node_figures(zval *stats, const asynctask_node_figures_t *node)
{
	add_assoc_string(stats, "backend", "redis");
	add_assoc_bool(stats, "backend_connected", __atomic_load_n(&node->connected, __ATOMIC_RELAXED) != 0);
	add_assoc_long(stats, "stream_length", (zend_long) __atomic_load_n(&node->stream_length, __ATOMIC_RELAXED));
	add_assoc_long(stats, "pending", (zend_long) __atomic_load_n(&node->pending, __ATOMIC_RELAXED));
	uint64_t lag = __atomic_load_n(&node->lag, __ATOMIC_RELAXED);
	if (lag == UINT64_MAX) {
		add_assoc_null(stats, "lag");
	} else {
		add_assoc_long(stats, "lag", (zend_long) lag);
	}
	add_assoc_long(stats, "dead_stream_length", (zend_long) __atomic_load_n(&node->dead_length, __ATOMIC_RELAXED));
	add_assoc_long(stats, "consumers", (zend_long) __atomic_load_n(&node->consumers, __ATOMIC_RELAXED));
	add_assoc_long(stats, "reclaimed", (zend_long) __atomic_load_n(&node->reclaimed, __ATOMIC_RELAXED));
	add_assoc_long(stats, "dead_lettered", (zend_long) __atomic_load_n(&node->dead_lettered, __ATOMIC_RELAXED));
	add_assoc_long(stats, "reconnects", (zend_long) __atomic_load_n(&node->reconnects, __ATOMIC_RELAXED));
	add_assoc_long(stats, "results_kept", (zend_long) __atomic_load_n(&node->results_kept, __ATOMIC_RELAXED));
	add_assoc_long(stats, "delayed", (zend_long) __atomic_load_n(&node->delayed, __ATOMIC_RELAXED));
	add_assoc_long(stats, "moved", (zend_long) __atomic_load_n(&node->moved, __ATOMIC_RELAXED));
}

/* "queues": name => the same figures for that queue alone (README "Jobs"). */
static void add_queue_stats(zval *stats, asynctask_pool_t *pool)
{
	zval queues;

	array_init_size(&queues, pool ? pool->nqueues : 0);
	for (uint32_t i = 0; pool && i < pool->nqueues; i++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
		asynctask_counters_t c;
		zend_long workers, running;
		zval q;

		count_workers_of(pool, rq->first_slot, rq->workers, &workers, &running);
		uint64_t dispatched = asynctask_region_queue_counts(pool, i, &c);
		array_init_size(&q, 16);
		add_assoc_long(&q, "workers", workers);
		add_assoc_long(&q, "idle", workers - running);
		add_assoc_long(&q, "queued", (zend_long) __atomic_load_n(&rq->queue.live, __ATOMIC_RELAXED));
		add_assoc_long(&q, "running", running);
		add_assoc_long(&q, "completed", (zend_long) c.completed);
		add_assoc_long(&q, "failed", (zend_long) c.failed);
		add_assoc_long(&q, "crashed", (zend_long) c.crashed);
		add_assoc_long(&q, "timed_out", (zend_long) c.timed_out);
		add_assoc_long(&q, "respawned", (zend_long) c.respawned);
		add_assoc_long(&q, "queue_bytes_used", (zend_long) __atomic_load_n(&rq->queue.used, __ATOMIC_RELAXED));
		add_assoc_long(&q, "queue_bytes_total", (zend_long) rq->queue.capacity);
		add_assoc_long(&q, "dispatched", (zend_long) dispatched);
		add_assoc_long(&q, "cancelled", (zend_long) c.cancelled);
		add_assoc_long(&q, "retried", (zend_long) c.retried);
		if (__atomic_load_n(&pool->node.active, __ATOMIC_RELAXED)) {
			/* a node: the queue's streams and delayed set in Redis (README, "Several machines: nodes") */
			add_assoc_long(&q, "stream_length", (zend_long) __atomic_load_n(&rq->node.stream_length, __ATOMIC_RELAXED));
			add_assoc_long(&q, "pending", (zend_long) __atomic_load_n(&rq->node.pending, __ATOMIC_RELAXED));
			add_assoc_long(&q, "delayed", (zend_long) __atomic_load_n(&rq->node.delayed, __ATOMIC_RELAXED));
		}
		add_assoc_zval(&queues, rq->name, &q);
	}
	add_assoc_zval(stats, "queues", &queues);
}

void asynctask_pool_stats(zval *return_value)
{
	asynctask_pool_t *pool = asynctask_server_enabled() ? asynctask_server_pool_get(true) : ASYNCTASK_G(pool);
	zend_long workers = 0, running = 0;
	asynctask_counters_t c = {0};
	uint64_t dispatched = 0, queued = 0, used = 0, total = 0;
	bool alive = pool && asynctask_shm_alive();

	if (alive) {
		/* reports already in our pipe may correct the counts (see result.c) */
		if (asynctask_results_fd() >= 0) {
			asynctask_results_drain();
		}
		count_live_workers(pool, &workers, &running);
		dispatched = asynctask_region_counts(pool, &c);
		queued = asynctask_region_queued(pool);
		for (uint32_t i = 0; i < pool->nqueues; i++) {
			asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
			used += __atomic_load_n(&rq->queue.used, __ATOMIC_RELAXED);
			total += rq->queue.capacity;
		}
	}
	array_init_size(return_value, 18);
	add_assoc_long(return_value, "workers", workers);
	add_assoc_long(return_value, "idle", workers - running);
	add_assoc_long(return_value, "queued", (zend_long) queued);
	add_assoc_long(return_value, "running", running);
	add_assoc_long(return_value, "completed", (zend_long) c.completed);
	add_assoc_long(return_value, "failed", (zend_long) c.failed);
	add_assoc_long(return_value, "crashed", (zend_long) c.crashed);
	add_assoc_long(return_value, "timed_out", (zend_long) c.timed_out);
	add_assoc_long(return_value, "respawned", (zend_long) c.respawned);
	add_assoc_long(return_value, "queue_bytes_used", (zend_long) used);
	add_assoc_long(return_value, "queue_bytes_total", (zend_long) total);
	add_assoc_long(return_value, "dispatched", (zend_long) dispatched);
	add_assoc_long(return_value, "cancelled", (zend_long) c.cancelled);
	add_assoc_long(return_value, "retried", (zend_long) c.retried);
	add_assoc_long(return_value, "dropped_results", (zend_long) c.dropped_results);
	add_assoc_long(return_value, "mailboxes_used", alive ? (zend_long) mailboxes_used(pool) : 0);
	add_assoc_long(return_value, "manager_pid", alive ? pool->manager : 0);
	add_worker_pids(return_value, alive ? pool : NULL);
	add_queue_stats(return_value, alive ? pool : NULL);
	if (alive && __atomic_load_n(&pool->node.active, __ATOMIC_RELAXED)) {
		add_node_figures(return_value, &pool->node);
	}
}

void asynctask_pool_request_shutdown(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (!pool || ASYNCTASK_G(in_pool_process)) {
		return;
	}
	if (pool->server) {
		/* the pool outlives the request; results of tasks nobody waits for
		 * any more are dropped (and counted) rather than filling our pipe */
		uint32_t dropped = asynctask_results_end_request();
		__atomic_add_fetch(&pool->counters.dropped_results, dropped, __ATOMIC_RELAXED);
		return;
	}
	if (pool->owner == (int32_t) asynctask_self()) {
		asynctask_pool_stop(ASYNCTASK_G(shutdown_timeout));
	} else {
		asynctask_shm_forget();
	}
}
