/*
 * The bridge (bridge.h): the node's tasks through this machine's pool.
 *
 * A task's trip on a node: the node (transport/redis/node_*.c) reads and
 * verifies an entry of one of the queues it serves (the pool's queues, in
 * the same order: the node's queue index is the region's) and calls run();
 * run() gives it a local task id, puts its context and payload on that
 * queue's shared-memory ring with the manager as
 * owner (a spill file when it is too large for the ring, as dispatch()
 * does), and expects its result on the manager's FIFO. A worker takes and
 * runs it like any task and posts the outcome to that FIFO (the manager
 * posts there too when the worker died or overran its time limit). The
 * loop wakes on the FIFO, the results are read as a dispatcher reads them
 * (result.c), and each goes back to the node with its job.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/base/process.h"
#include "src/codec/chain.h"
#include "src/codec/context.h"
#include "src/codec/remote_error.h"
#include "src/pool/bridge.h"
#include "src/transport/redis/node.h"
#include "src/transport/shm/queue.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/shm.h"

/* A job running here, by its local task id. */
typedef struct running {
	struct running        *next;
	uint64_t               task_id;
	asynctask_redis_job_t *job;
} running_t;

static struct {
	bool                          configured;
	asynctask_redis_node_config_t config;
	asynctask_pool_t             *pool;
	struct event                 *fifo_event;
	running_t                    *running;
	uint32_t                      in_flight;
	uint32_t                      queue_in_flight[ASYNCTASK_QUEUES_MAX];   /* in_flight, by queue */
	bool                          taking;
} bridge;

void asynctask_bridge_configure(const asynctask_redis_node_config_t *config)
{
	if (bridge.configured) {
		free(bridge.config.secret);
	}
	memset(&bridge.config, 0, sizeof(bridge.config));
	bridge.configured = config != NULL;
	if (config) {
		bridge.config = *config;
	}
}

bool asynctask_bridge_configured(void)
{
	return bridge.configured;
}

void asynctask_bridge_section(const char *section)
{
	size_t len = strlen(bridge.config.node);

	if (section[0] && len + 1 + strlen(section) < sizeof(bridge.config.node)) {
		snprintf(bridge.config.node + len, sizeof(bridge.config.node) - len, "/%s", section);
	}
}

/* --- the node's hooks ----------------------------------------------------------- */

/* The live workers of the queue of that index (its slots, region.h). */
static uint32_t live_workers(uint32_t queue)
{
	asynctask_region_queue_t *rq = asynctask_region_queue(bridge.pool, queue);
	uint32_t live = 0;

	for (uint32_t i = rq->first_slot; i < rq->first_slot + rq->workers && i < bridge.pool->workers; i++) {
		asynctask_worker_slot_t *slot = &bridge.pool->slots[i];
		live += slot->state == ASYNCTASK_WORKER_RUNNING && slot->pid > 0;
	}
	return live;
}

/* The queue's live workers without a task of the node's: a queue's tasks never wait for another's workers. */
static uint32_t capacity(uint32_t queue)
{
	if (!bridge.taking || queue >= bridge.pool->nqueues || __atomic_load_n(&bridge.pool->stopping, __ATOMIC_SEQ_CST)) {
		return 0;
	}
	uint32_t live = live_workers(queue);
	return live > bridge.queue_in_flight[queue] ? live - bridge.queue_in_flight[queue] : 0;
}

static void fail_job(asynctask_redis_job_t *job, const char *message)
{
	smart_str encoded = {0};

	asynctask_remote_error_encode_message(message, &encoded);
	asynctask_redis_node_finish(job, ASYNCTASK_RESULT_FAILED, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s), 0);
	smart_str_free(&encoded);
}

/* Queues job's task on this pool with the manager as its owner; 0 or an
 * errno (EINVAL: its retry plan or chain block cannot be read). A task with
 * retries or a chain's link runs here once, as a plain task: the node
 * retries it and queues the next link (node_jobs.c). Its retry plan stays
 * behind; a link goes with its block cut to itself (the previous value, its
 * number, no link after it), so that the worker passes the value and names
 * the link in a failure, and posts its value instead of queueing the next. */
static int queue_job(asynctask_redis_job_t *job, uint64_t task_id)
{
	asynctask_pool_t *pool = bridge.pool;
	asynctask_redis_job_parts_t parts;
	smart_str block = {0};

	if (!asynctask_redis_job_parts(job, &parts)) {
		return EINVAL;
	}
	if (parts.block) {
		asynctask_chain_write(&block, parts.chain.link, parts.chain.links, parts.chain.previous,
			parts.chain.previous_len, 0, "", 0);
	}
	size_t block_len = block.s ? ZSTR_LEN(block.s) : 0;
	asynctask_task_context_t ctx = {
		.attempt = job->run,
		.dispatched_us = job->task.dispatched_at_us,
		.queue_len = (uint8_t) job->task.queue_len,
	};
	memcpy(ctx.id, job->task.id, sizeof(ctx.id));
	memcpy(ctx.queue, job->task.queue, job->task.queue_len);

	size_t prefix = asynctask_context_size(ctx.queue_len);
	size_t length = block_len + prefix + parts.body_len;
	char *data = malloc(length);
	if (!data) {
		smart_str_free(&block);
		return ENOMEM;
	}
	if (block_len) {
		memcpy(data, ZSTR_VAL(block.s), block_len);
	}
	smart_str_free(&block);
	asynctask_context_write(data + block_len, &ctx);
	memcpy(data + block_len + prefix, parts.body, parts.body_len);

	/* its level (the stream it came from, node.h: numbered as priority.h's)
	 * orders it in this node's queue too */
	asynctask_record_t record = {
		.flags = asynctask_record_level_flags(job->level) | (block_len ? ASYNCTASK_RECORD_CHAIN : 0),
		.task_id = task_id,
		.owner = (int32_t) asynctask_self(),
		.timeout_ms = job->task.timeout_ms,
		.queued_ns = asynctask_now_ns(),  /* its wait in this node's queue; context() has the dispatch time */
	};
	bool spill_failed;
	/* the ring of the queue whose stream it came from (the node's index is the region's) */
	int err = job->queue >= pool->nqueues ? ENOENT
		: asynctask_shm_queue(pool, job->queue, &record, data, length, 0, NULL, &spill_failed);
	free(data);
	return err;
}

static void run(asynctask_redis_job_t *job)
{
	uint64_t task_id = __atomic_fetch_add(&bridge.pool->next_task_id, 1, __ATOMIC_SEQ_CST);
	running_t *r = malloc(sizeof(*r));
	char message[256];

	if (!bridge.taking) {
		/* came as the pool began to drain: left pending to this node, for a
		 * node to reclaim past asynctask.visibility_timeout */
		asynctask_log_event(ASYNCTASK_LOG_NOTICE, "entry_left_pending",
			"redis node: entry %s arrived as the node stopped taking tasks: left pending", job->entry_id);
		free(r);
		asynctask_redis_node_abandon(job);
		return;
	}
	if (!r) {
		fail_job(job, "the node ran out of memory");
		return;
	}
	int err = queue_job(job, task_id);
	if (err != 0) {
		free(r);
		snprintf(message, sizeof(message), "the node could not queue the task for its workers: %s",
			err == ETIMEDOUT ? "its queue is full (asynctask.queue_size)"
			: err == EINVAL ? "its retry plan or chain (Task::withRetries(), then()) cannot be read" : strerror(err));
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "entry_failed", "redis node: entry %s: %s", job->entry_id, message);
		fail_job(job, message);
		return;
	}
	asynctask_results_expect(task_id);
	r->task_id = task_id;
	r->job = job;
	r->next = bridge.running;
	bridge.running = r;
	bridge.in_flight++;
	bridge.queue_in_flight[job->queue]++;
}

static const asynctask_redis_node_hooks_t hooks = { .run = run, .capacity = capacity };

/* --- results -------------------------------------------------------------------- */

static asynctask_redis_job_t *take_running(uint64_t task_id)
{
	for (running_t **link = &bridge.running; *link; link = &(*link)->next) {
		running_t *r = *link;
		if (r->task_id == task_id) {
			asynctask_redis_job_t *job = r->job;
			*link = r->next;
			free(r);
			bridge.in_flight--;
			if (job->queue < ASYNCTASK_QUEUES_MAX && bridge.queue_in_flight[job->queue] > 0) {
				bridge.queue_in_flight[job->queue]--;
			}
			return job;
		}
	}
	return NULL;
}

static void collect(void)
{
	asynctask_results_drain();
	while (zend_hash_num_elements(&ASYNCTASK_G(results)) > 0) {
		zend_ulong id = 0;
		ZEND_HASH_FOREACH_NUM_KEY(&ASYNCTASK_G(results), id) {
			break;
		} ZEND_HASH_FOREACH_END();
		zend_string *result = asynctask_results_take(id, NULL);  /* no mailbox here: never decoded */
		asynctask_redis_job_t *job = take_running(id);
		if (result && job) {
			asynctask_redis_node_finish(job, ASYNCTASK_RESULT_STATUS(result), ASYNCTASK_RESULT_DATA(result),
				ASYNCTASK_RESULT_LEN(result), asynctask_result_decoded_size(result));
		}
		if (result) {
			zend_string_release(result);
		}
	}
	asynctask_redis_node_poll();
}

static void on_fifo(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;
	ASYNCTASK_G(fifo_readable) = true;
	collect();
}

/* --- the manager's calls ---------------------------------------------------------- */

bool asynctask_bridge_start(asynctask_pool_t *pool, struct event_base *base)
{
	bridge.pool = pool;
	bridge.taking = true;
	/* what the owner had (it was forked from a script) is not the manager's */
	zend_hash_clean(&ASYNCTASK_G(results));
	zend_hash_clean(&ASYNCTASK_G(outstanding));
	zend_hash_clean(&ASYNCTASK_G(abandoned));
	int fd = asynctask_results_open_pipe();
	if (fd < 0) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "node_setup_failed",
			"redis node: the manager cannot open its result pipe in %s: %s", asynctask_rundir_path(),
			strerror(errno));
		return false;
	}
	bridge.fifo_event = event_new(base, fd, EV_READ | EV_PERSIST, on_fifo, NULL);
	if (!bridge.fifo_event || event_add(bridge.fifo_event, NULL) != 0) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "node_setup_failed",
			"redis node: the manager cannot watch its result pipe");
		return false;
	}
	__atomic_store_n(&pool->node.lag, UINT64_MAX, __ATOMIC_RELAXED);  /* unknown until the first figures */
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		__atomic_store_n(&asynctask_region_queue(pool, i)->node.lag, UINT64_MAX, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&pool->node.active, 1, __ATOMIC_RELAXED);
	/* the node serves the pool's queues (asynctask.queues), in the region's order */
	bridge.config.nqueues = pool->nqueues < ASYNCTASK_QUEUES_MAX ? pool->nqueues : ASYNCTASK_QUEUES_MAX;
	for (uint32_t i = 0; i < bridge.config.nqueues; i++) {
		snprintf(bridge.config.queues[i], sizeof(bridge.config.queues[i]), "%s", asynctask_region_queue(pool, i)->name);
	}
	memset(bridge.queue_in_flight, 0, sizeof(bridge.queue_in_flight));
	asynctask_redis_node_start(base, &bridge.config, &hooks);
	bridge.config.secret = NULL;  /* the node's now */
	bridge.configured = false;
	return true;
}

void asynctask_bridge_tick(void)
{
	asynctask_node_figures_t *figures;
	asynctask_redis_node_stats_t s;

	if (!bridge.pool) {
		return;
	}
	figures = &bridge.pool->node;  /* (after the check: &NULL->node is undefined, UBSan says so every tick) */
	/* a report the manager wrote to its own FIFO is read at once; this is in case */
	collect();
	if (bridge.taking && __atomic_load_n(&bridge.pool->stopping, __ATOMIC_SEQ_CST)) {
		asynctask_bridge_stop_taking();
	}
	asynctask_redis_node_tick();
	asynctask_redis_node_stats(&s);
	__atomic_store_n(&figures->connected, s.connected ? 1 : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->stream_length, s.stream_length, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->pending, s.pending, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->lag, s.lag_known ? s.lag : UINT64_MAX, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->dead_length, s.dead_length, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->consumers, s.consumers, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->reclaimed, s.reclaimed, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->dead_lettered, s.dead_lettered, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->reconnects, s.reconnects, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->results_kept, s.results_kept, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->delayed, s.delayed, __ATOMIC_RELAXED);
	__atomic_store_n(&figures->moved, s.moved, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < bridge.pool->nqueues; i++) {
		asynctask_redis_node_queue_stats_t q;
		asynctask_node_queue_figures_t *out = &asynctask_region_queue(bridge.pool, i)->node;
		asynctask_redis_node_queue_stats(i, &q);
		__atomic_store_n(&out->stream_length, q.stream_length, __ATOMIC_RELAXED);
		__atomic_store_n(&out->pending, q.pending, __ATOMIC_RELAXED);
		__atomic_store_n(&out->delayed, q.delayed, __ATOMIC_RELAXED);
		__atomic_store_n(&out->lag, q.lag_known ? q.lag : UINT64_MAX, __ATOMIC_RELAXED);
		__atomic_store_n(&out->consumers, q.consumers, __ATOMIC_RELAXED);
	}
}

void asynctask_bridge_stop_taking(void)
{
	bool was_taking = bridge.taking;

	bridge.taking = false;
	asynctask_redis_node_stop_taking();
	if (was_taking) {
		asynctask_log_event(ASYNCTASK_LOG_NOTICE, "node_draining",
			"redis node: the pool drains, %u tasks running", bridge.in_flight);
	}
}

bool asynctask_bridge_idle(void)
{
	if (!bridge.pool) {
		return true;
	}
	collect();
	return bridge.in_flight == 0 && asynctask_redis_node_idle();
}

void asynctask_bridge_shutdown(void)
{
	if (!bridge.pool) {
		return;
	}
	collect();
	if (bridge.in_flight) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "node_left_unfinished",
			"redis node: leaving with %u tasks unfinished; their entries stay pending and run again "
			"elsewhere after asynctask.visibility_timeout", bridge.in_flight);
	}
	while (bridge.running) {
		running_t *r = bridge.running;
		bridge.running = r->next;
		asynctask_redis_node_abandon(r->job);
		free(r);
	}
	bridge.in_flight = 0;
	memset(bridge.queue_in_flight, 0, sizeof(bridge.queue_in_flight));
	asynctask_redis_node_shutdown();
	if (bridge.fifo_event) {
		event_free(bridge.fifo_event);
		bridge.fifo_event = NULL;
	}
	asynctask_results_close();
	bridge.pool = NULL;
}
