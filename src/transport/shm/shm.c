/*
 * The shared-memory transport (shm.h): this process's hold on the pool's
 * region, whether the manager that serves it is alive, and the transport
 * interface (transport.h) over the queue, the mailboxes and the FIFOs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/clock.h"
#include "src/base/exceptions.h"
#include "src/base/fault.h"
#include "src/base/log.h"
#include "src/base/process.h"
#include "src/transport/shm/delayed.h"
#include "src/transport/shm/idle.h"
#include "src/transport/shm/lock.h"
#include "src/transport/shm/memory.h"
#include "src/transport/shm/priority.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/result_events.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/spill.h"
#include "src/transport/shm/shm.h"
#include "src/codec/retry.h"

#define HEARTBEAT_STALE_NS (1000ull * 1000 * 1000)

void asynctask_shm_forget(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	if (pool) {
		ASYNCTASK_G(next_task_id) = pool->next_task_id;
		asynctask_results_close();
		asynctask_memory_unmap(pool, ASYNCTASK_G(pool_size));
	}
	asynctask_rundir_forget();
	asynctask_delayed_forget();
	ASYNCTASK_G(pool) = NULL;
	ASYNCTASK_G(pool_size) = 0;
	ASYNCTASK_G(pool_epoch)++;
}

bool asynctask_shm_alive(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (!pool || pool->manager <= 0) {
		return false;
	}
	if (pool->owner == (int32_t) asynctask_self()) {
		/* our child: reap it if it died, so it is not mistaken for alive */
		int status;
		pid_t r = waitpid(pool->manager, &status, WNOHANG);
		if (r == pool->manager) {
			asynctask_log_event(ASYNCTASK_LOG_ERROR, "manager_lost",
				"the pool manager (pid %d) exited unexpectedly (status %d)", (int) pool->manager, status);
			pool->manager = -1;
			return false;
		}
		if (r == 0) {
			return true;
		}
		/* ECHILD: the script's own SIGCHLD handler reaped it, or will; ask the kernel */
	}
	if (kill(pool->manager, 0) != 0 && errno == ESRCH) {
		return false;
	}
	/* it ticks ten times a second: only a silent one may be a zombie */
	uint64_t beat = __atomic_load_n(&pool->heartbeat_ns, __ATOMIC_RELAXED);
	return asynctask_now_ns() - beat < HEARTBEAT_STALE_NS || !asynctask_process_is_zombie(pool->manager);
}

/* How long a positive answer of asynctask_shm_alive() serves the dispatch path. */
#define ALIVE_RECHECK_NS (1000ull * 1000)

bool asynctask_shm_alive_lately(void)
{
	/* the pool (by epoch: bumped whenever this process lets go of one) and when it was seen alive */
	static uint32_t checked_epoch;
	static uint64_t checked_at;
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	uint64_t now = asynctask_now_ns();

	if (pool && pool->manager > 0 && checked_at && checked_epoch == ASYNCTASK_G(pool_epoch)
			&& now - checked_at < ALIVE_RECHECK_NS) {
		return true;
	}
	checked_at = 0;
	if (!asynctask_shm_alive()) {
		return false;
	}
	checked_epoch = ASYNCTASK_G(pool_epoch);
	checked_at = now;
	return true;
}

/* --- the transport interface (transport.h) ----------------------------- */

int asynctask_shm_queue(asynctask_pool_t *pool, uint32_t queue, asynctask_record_t *record, const char *payload,
	size_t length, double timeout, asynctask_queue_idle_fn idle, bool *spill_failed)
{
	char spill[ASYNCTASK_SPILL_NAME_MAX] = "";
	const char *data = payload;
	asynctask_region_queue_t *rq = asynctask_region_queue(pool, queue);

	*spill_failed = false;
	record->length = (uint32_t) length;
	/* a task with retries always travels in a file: its worker may die, and
	 * the manager then queues the task again from it (src/pool/retry.h) */
	if (length > asynctask_queue_inline_max(&rq->queue) || (record->flags & ASYNCTASK_RECORD_RETRY)) {
		/* in the pool's private directory under asynctask.tmpdir: if we die
		 * before queuing it, the manager finds it there and removes it */
		int err = asynctask_spill_write(asynctask_rundir_fd(), asynctask_self(), 0, data, length, spill);
		if (err != 0) {
			*spill_failed = true;
			return err;
		}
		ASYNCTASK_FAULT("dispatch.spilled");
		data = spill;
		record->length = (uint32_t) strlen(spill);
		record->flags |= ASYNCTASK_RECORD_SPILLED;
	}
	int err = asynctask_queue_push(&rq->queue, asynctask_region_queue_ring(pool, rq), record, data, timeout, idle);
	if (err == 0 && !(record->flags & ASYNCTASK_RECORD_DELAYED)) {
		/* every producer (dispatch(), a node's bridge) wakes a sleeper, unless
		 * a worker already looks for work: else the task waits for a worker's
		 * own look, up to its 1 s sleep bound. A delayed task is the
		 * manager's to hold (src/pool/delay.h), no worker's. */
		asynctask_idle_kick(pool, queue);
	} else if (err != 0 && spill[0]) {
		asynctask_spill_remove(asynctask_rundir_fd(), spill);
	}
	return err;
}

/* The names of the pool's queues, quoted, for a message. */
static void queue_names(asynctask_pool_t *pool, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (uint32_t i = 0; i < pool->nqueues && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s\"%s\"", i ? ", " : "", asynctask_region_queue(pool, i)->name);
		used += n > 0 ? (size_t) n : 0;
	}
}

/* Refuses a task for a queue the pool does not have (throws). */
static zend_result undeclared_queue(asynctask_pool_t *pool, const char *name, size_t len)
{
	char names[ASYNCTASK_QUEUES_MAX * (ASYNCTASK_QUEUE_NAME_MAX + 4)];

	queue_names(pool, names, sizeof(names));
	asynctask_throw(asynctask_ce_exception, "the queue \"%.*s\" is not declared: the pool's queues "
		"(asynctask.queues) are %s; add it to asynctask.queues (e.g. \"%.*s:1\"), or dispatch to one of those "
		"with Task::onQueue()", (int) len, name, names, (int) len, name);
	return FAILURE;
}

/* Puts the encoded task on its queue at its priority level (priority.h),
 * spilling it to a file when it is too large for the ring (or has retries:
 * extra_flags RETRY, its payload begins with its plan); with due_ns, onto
 * the queue's delayed list for the manager (src/pool/delay.h). */
static zend_result send_record(const char *payload, size_t length, uint32_t timeout_ms, int queue, uint32_t level,
	uint64_t due_ns, uint32_t extra_flags, asynctask_transport_idle_fn idle, uint64_t *task_id)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	asynctask_region_queue_t *rq = asynctask_region_queue(pool, (uint32_t) queue);
	asynctask_record_t record = {
		.flags = asynctask_record_level_flags(level) | extra_flags,
		.task_id = __atomic_fetch_add(&pool->next_task_id, 1, __ATOMIC_SEQ_CST),
		.owner = (int32_t) asynctask_self(),
		.timeout_ms = timeout_ms,
		.queued_ns = asynctask_now_ns(),
	};
	bool spill_failed;

	if (due_ns) {
		/* (one larger than a quarter of the queue travels in a spill file as any
		 * other: the manager then holds only its name until it is due) */
		record.flags |= ASYNCTASK_RECORD_DELAYED;
		record.due_ns = due_ns;
	}
	int err = asynctask_shm_queue(pool, (uint32_t) queue, &record, payload, length, ASYNCTASK_G(dispatch_timeout),
		idle, &spill_failed);
	if (err == 0) {
		if (due_ns) {
			asynctask_delayed_sent(pool, (uint32_t) queue, record.task_id, due_ns);  /* for the manager, not for workers */
		}
		*task_id = record.task_id;
		return SUCCESS;
	}
	if (spill_failed) {
		asynctask_throw(asynctask_ce_exception, "cannot write the task's %zu-byte payload to a file in %s "
			"(asynctask.tmpdir): %s", length, asynctask_rundir_path(), strerror(err));
		return FAILURE;
	}
	if (err == ECANCELED) {
		return FAILURE;  /* a signal handler threw: the task was not queued */
	}
	if (err == ETIMEDOUT) {
		asynctask_throw(asynctask_ce_queue_full_exception, "the task queue \"%s\" stayed full for %.3g s "
			"(asynctask.dispatch_timeout): %" PRIu64 " tasks queued in %" PRIu64 " bytes (asynctask.queue_size)",
			rq->name, ASYNCTASK_G(dispatch_timeout), rq->queue.live, rq->queue.capacity);
	} else {
		asynctask_throw(asynctask_ce_exception, "cannot queue the task: %s", strerror(err));
	}
	return FAILURE;
}

static zend_result shm_send(const char *payload, size_t length, uint32_t timeout_ms,
	asynctask_transport_idle_fn idle, uint64_t *task_id)
{
	int queue = ASYNCTASK_G(pool)->default_queue;
	if (UNEXPECTED(queue < 0)) {
		return undeclared_queue(ASYNCTASK_G(pool), ZEND_STRL(ASYNCTASK_QUEUE_DEFAULT));
	}
	return send_record(payload, length, timeout_ms, queue, ASYNCTASK_LEVEL_NORMAL, 0, 0, idle, task_id);
}

static zend_result shm_send_job(const char *payload, size_t length, uint32_t timeout_ms,
	const asynctask_task_options_t *options, asynctask_transport_idle_fn idle, uint64_t *task_id)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	int queue = options->queue
		? asynctask_region_find_queue(pool, ZSTR_VAL(options->queue), ZSTR_LEN(options->queue))
		: pool->default_queue;
	if (queue < 0) {
		return options->queue ? undeclared_queue(pool, ZSTR_VAL(options->queue), ZSTR_LEN(options->queue))
			: undeclared_queue(pool, ZEND_STRL(ASYNCTASK_QUEUE_DEFAULT));
	}
	uint64_t due_ns = 0;
	if (options->delay > 0) {
		/* +1: a delay never rounds down to "now" */
		due_ns = asynctask_now_ns() + (uint64_t) (options->delay * 1e9) + 1;
	}
	/* a chain's block is in front of the payload already (src/api/chain.h) */
	uint32_t chained = Z_ISUNDEF(options->chain) ? 0 : ASYNCTASK_RECORD_CHAIN;
	if (options->retries > 0) {
		/* the plan in front of the payload, in the task's file (codec/retry.h) */
		smart_str planned = {0};
		asynctask_retry_plan_write(options, &planned);
		smart_str_appendl(&planned, payload, length);
		zend_result sent = send_record(ZSTR_VAL(planned.s), ZSTR_LEN(planned.s), timeout_ms, queue,
			asynctask_priority_level(options->priority), due_ns, ASYNCTASK_RECORD_RETRY | chained, idle, task_id);
		smart_str_free(&planned);
		return sent;
	}
	return send_record(payload, length, timeout_ms, queue, asynctask_priority_level(options->priority), due_ns, chained,
		idle, task_id);
}

static bool shm_cancel(uint64_t task_id)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	bool delayed;
	uint32_t queue;
	int cancelled;

	if (asynctask_delayed_cancel(pool, task_id, &delayed, &queue)) {
		ASYNCTASK_COUNT_IN(pool, queue, cancelled);
		return true;
	}
	if (delayed) {
		return false;
	}
	/* ids are the pool's, unique across its queues: the one that holds it
	 * (in its ring, or, for a retry the manager holds, in its list) */
	for (queue = 0; queue < pool->nqueues; queue++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, queue);
		while ((cancelled = asynctask_queue_cancel(&rq->queue, asynctask_region_queue_ring(pool, rq), task_id)) == EAGAIN) {
			/* a retry the manager holds, and its list of cancellations is full:
			 * it empties it when it looks */
			if (pool->manager > 0) {
				kill(pool->manager, SIGUSR2);
			}
			usleep(1000);
		}
		if (cancelled == 1) {
			ASYNCTASK_COUNT_IN(pool, queue, cancelled);
			return true;
		}
	}
	return false;
}

/* The slot of this process's worker: a worker takes with its slot's claim
 * (region.h), and waits (idle.h) as the slot says. */
static asynctask_worker_slot_t *consumer_slot;

/* A large payload's string is kept for the next take, which copies its
 * payload into it when it fits (queue.h). A new one for each task was,
 * with the argument decoded from it, two large blocks freed at two chunk
 * counts, and the Zend allocator's chunk cache then gave up: each task
 * mapped and faulted 2 MB chunks afresh (a 1 MiB argument's round trip:
 * about 600 us instead of 120). From TAKE_KEEP_MIN bytes (smaller ones
 * come from its warm bins) up to the largest payload the ring holds (a
 * quarter of asynctask.queue_size); only while the worker holds no other
 * reference to it. */
#define TAKE_KEEP_MIN (64 * 1024)
static zend_string *take_kept;
static size_t take_room;

/* The kept string for this take (its length set to its room), or NULL. */
static zend_string *take_buffer(void)
{
	if (take_kept && GC_REFCOUNT(take_kept) > 1) {
		/* someone kept a reference: it is theirs now */
		zend_string_release(take_kept);
		take_kept = NULL;
	}
	if (take_kept) {
		ZSTR_LEN(take_kept) = take_room;
	}
	return take_kept;
}

/* After a take: the worker gets its own reference; a new large string is kept instead. */
static void take_keep(zend_string *payload)
{
	if (payload != take_kept && ZSTR_LEN(payload) >= TAKE_KEEP_MIN) {
		if (take_kept) {
			zend_string_release(take_kept);
		}
		take_kept = payload;
		take_room = ZSTR_LEN(payload);
	}
	if (payload == take_kept) {
		GC_ADDREF(payload);
	}
}

static bool shm_take(asynctask_claim_t *claim, zend_string **payload, uint32_t *wait_token)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	uint32_t spilled;

	consumer_slot = (asynctask_worker_slot_t *) ((char *) claim - offsetof(asynctask_worker_slot_t, claim));
	asynctask_region_queue_t *rq = asynctask_region_slot_queue(pool, consumer_slot);
	if (!asynctask_queue_take(&rq->queue, asynctask_region_queue_ring(pool, rq), claim, take_buffer(), payload,
			&spilled, wait_token)) {
		return false;
	}
	take_keep(*payload);
	asynctask_idle_found(pool, consumer_slot);
	if (spilled) {
		zend_string_release(*payload);
		if (claim->retry) {
			/* kept while the task may run again: the claim names it (src/pool/retry.h) */
			*payload = asynctask_spill_read(asynctask_rundir_fd(), claim->retry_file);
			return true;
		}
		*payload = asynctask_spill_take(asynctask_rundir_fd(), claim->spill, 0);
		claim->spill[0] = '\0';
	}
	return true;
}

/* An idle worker closes the pipes of callers that have gone, then sleeps. */
static void shm_wait(uint32_t wait_token)
{
	asynctask_results_close_dead_pipes();
	asynctask_idle_wait(ASYNCTASK_G(pool), consumer_slot, wait_token);
}

static int shm_post(const asynctask_report_t *report, double timeout, asynctask_claim_t *claim)
{
	return asynctask_result_post(ASYNCTASK_G(pool), report, timeout, claim);
}

static void shm_recount(asynctask_result_status_t status)
{
	asynctask_region_count_outcome(ASYNCTASK_G(pool), ASYNCTASK_RESULT_VALUE, -1);
	asynctask_region_count_outcome(ASYNCTASK_G(pool), status, 1);
}

/* The event stream (result_events.h), its FIFO watched and the mailbox listened to at once. */
static int shm_events(void)
{
	int fd = asynctask_results_events();
	if (fd >= 0) {
		asynctask_results_drain();
	}
	return fd;
}

const asynctask_transport_t asynctask_shm_transport = {
	.name     = "shm",
	.send     = shm_send,
	.send_job = shm_send_job,
	.cancel   = shm_cancel,
	.expect   = asynctask_results_expect,
	.collect  = asynctask_results_drain,
	.result   = asynctask_results_take,
	.settled  = asynctask_results_settled,
	.forget   = asynctask_results_forget,
	.spin     = asynctask_results_spin,
	.sleep    = asynctask_results_sleep,
	.events   = shm_events,
	.take     = shm_take,
	.wait     = shm_wait,
	.post     = shm_post,
	.alive    = asynctask_shm_alive_lately,
	.recount  = shm_recount,
};
