/*
 * /metrics: the Prometheus text exposition format (version 0.0.4), from
 * the shared region. Workers count into their own slots (record.h); the
 * slots are summed here, when scraped.
 *
 * The outcomes completed, failed, crashed, timed_out and cancelled are
 * disjoint, so that sum() over them is every task that ended (a task with
 * retries once, by its last run): "failed" is a task that threw or could
 * not run; "crashed" (its worker died) and "timed_out" are not in it,
 * although stats()' "failed" counts them. "retried" and "dead" count from
 * the job's side: a run that failed and was queued to run again (the
 * queue's counters.retried, src/pool/retry.h; not counted in the others),
 * and an entry a Redis node moved to the dead-letter stream (the node's
 * figures, counted on its queue "default" whatever queue the entry was of;
 * 0 on the local backend, which has no such stream). Both are counters that exist, shown 0 until something
 * counts in them. Each named queue (asynctask.queues) has its own series,
 * labelled queue="name": its outcomes, dispatches, times, depth and bytes
 * (a dispatcher's rare correction of an outcome it could not take shows in
 * stats()' totals only, see region.h).
 */
#include <inttypes.h>
#include <stddef.h>

#include "src/pool/status/conns.h"
#include "src/pool/status/status.h"

/* What the last scrape showed of each counter, per queue: a counter is never
 * shown going back. The region's counts can, for an instant: a dead worker's
 * counts move from its slot to its queue's (read between, they are in
 * neither), and a count the worker made of an outcome it did not deliver is
 * undone for the crash reported instead. Prometheus would take a counter
 * that goes back for a restart. Only the manager serves: no lock. */
enum { SHOWN_COMPLETED, SHOWN_FAILED, SHOWN_CRASHED, SHOWN_TIMED_OUT, SHOWN_CANCELLED, SHOWN_DISPATCHED,
	SHOWN_RESPAWNED, SHOWN_DROPPED, SHOWN_RETRIED, SHOWN_DEAD, SHOWN_MAX };
static uint64_t shown[ASYNCTASK_QUEUES_MAX + 1][SHOWN_MAX];  /* [queue][...]; the last row: the pool's */
#define POOL_ROW ASYNCTASK_QUEUES_MAX

static uint64_t monotonic(uint32_t row, int which, uint64_t value)
{
	if (value > shown[row][which]) {
		shown[row][which] = value;
	}
	return shown[row][which];
}

static void help(struct evbuffer *out, const char *name, const char *type, const char *text)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* A gauge with a sample per queue: the node's figure at offset in each
 * queue's asynctask_node_queue_figures_t (a uint64_t). */
static void queue_gauge(struct evbuffer *out, asynctask_pool_t *pool, const char *name, const char *text, size_t offset)
{
	help(out, name, "gauge", text);
	for (uint32_t q = 0; q < pool->nqueues; q++) {
		const asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		const uint64_t *figure = (const uint64_t *) ((const char *) &rq->node + offset);
		evbuffer_add_printf(out, "%s{queue=\"%s\"} %" PRIu64 "\n", name, rq->name,
			__atomic_load_n(figure, __ATOMIC_RELAXED));
	}
}

/* A histogram of the slots of queue rq, labelled with its name. */
static void histogram(struct evbuffer *out, asynctask_pool_t *pool, const asynctask_region_queue_t *rq,
	const char *name, bool wait)
{
	static const double bounds[ASYNCTASK_WATCH_BOUNDS] = { ASYNCTASK_WATCH_BOUNDS_SECONDS };
	uint64_t buckets[ASYNCTASK_WATCH_BOUNDS + 1] = {0}, sum_ns = 0, count = 0;

	for (uint32_t i = rq->first_slot; i < rq->first_slot + rq->workers; i++) {
		const asynctask_histogram_t *h = wait ? &pool->slots[i].watch.wait : &pool->slots[i].watch.duration;
		for (int b = 0; b <= ASYNCTASK_WATCH_BOUNDS; b++) {
			buckets[b] += __atomic_load_n(&h->buckets[b], __ATOMIC_RELAXED);
		}
		sum_ns += __atomic_load_n(&h->sum_ns, __ATOMIC_RELAXED);
	}
	for (int b = 0; b < ASYNCTASK_WATCH_BOUNDS; b++) {
		count += buckets[b];
		evbuffer_add_printf(out, "%s_bucket{queue=\"%s\",le=\"%g\"} %" PRIu64 "\n", name, rq->name, bounds[b], count);
	}
	count += buckets[ASYNCTASK_WATCH_BOUNDS];
	evbuffer_add_printf(out, "%s_bucket{queue=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", name, rq->name, count);
	evbuffer_add_printf(out, "%s_sum{queue=\"%s\"} %.9f\n", name, rq->name, sum_ns / 1e9);
	evbuffer_add_printf(out, "%s_count{queue=\"%s\"} %" PRIu64 "\n", name, rq->name, count);
}

/* One queue's outcomes (asynctask_tasks_total's lines for it). */
static void queue_outcomes(struct evbuffer *out, asynctask_pool_t *pool, uint32_t index)
{
	asynctask_counters_t c;
	const char *name = asynctask_region_queue(pool, index)->name;

	asynctask_region_queue_counts(pool, index, &c);
	/* stats()' failed includes crashed and timed_out; here they are apart */
	uint64_t failed = monotonic(index, SHOWN_FAILED,
		c.failed > c.crashed + c.timed_out ? c.failed - c.crashed - c.timed_out : 0);
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"completed\"} %" PRIu64 "\n", name,
		monotonic(index, SHOWN_COMPLETED, c.completed));
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"failed\"} %" PRIu64 "\n", name, failed);
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"crashed\"} %" PRIu64 "\n", name,
		monotonic(index, SHOWN_CRASHED, c.crashed));
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"timed_out\"} %" PRIu64 "\n", name,
		monotonic(index, SHOWN_TIMED_OUT, c.timed_out));
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"cancelled\"} %" PRIu64 "\n", name,
		monotonic(index, SHOWN_CANCELLED, c.cancelled));
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"retried\"} %" PRIu64 "\n", name,
		monotonic(index, SHOWN_RETRIED, c.retried));
	/* a node counts its dead letters for all its queues: shown on "default" */
	uint64_t dead = (int32_t) index == pool->default_queue ? __atomic_load_n(&pool->node.dead_lettered, __ATOMIC_RELAXED) : 0;
	evbuffer_add_printf(out, "asynctask_tasks_total{queue=\"%s\",outcome=\"dead\"} %" PRIu64 "\n", name,
		monotonic(index, SHOWN_DEAD, dead));
}

/* A Redis node's view of the streams of the queues it serves (asynctask.queues),
 * as its manager last read it (about once a second: a scrape sends nothing to
 * Redis); the queue's figures are labelled with its name. */
static void backend(struct evbuffer *out, asynctask_pool_t *pool)
{
	const asynctask_node_figures_t *node = &pool->node;

	help(out, "asynctask_backend_up", "gauge", "1 when the node's connections to Redis are up.");
	evbuffer_add_printf(out, "asynctask_backend_up %d\n", __atomic_load_n(&node->connected, __ATOMIC_RELAXED) ? 1 : 0);
	help(out, "asynctask_backend_lag", "gauge",
		"Entries of the queue's streams (all priority levels) not yet delivered to any node (XINFO GROUPS lag).");
	for (uint32_t q = 0; q < pool->nqueues; q++) {
		const asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		uint64_t lag = __atomic_load_n(&rq->node.lag, __ATOMIC_RELAXED);
		if (lag != UINT64_MAX) {
			/* unknown (Redis < 7, or entries deleted out of order): no sample, rather than a wrong one */
			evbuffer_add_printf(out, "asynctask_backend_lag{queue=\"%s\"} %" PRIu64 "\n", rq->name, lag);
		}
	}
	queue_gauge(out, pool, "asynctask_backend_pending", "Entries delivered to a node and not yet acknowledged (all nodes, all priority levels).",
		offsetof(asynctask_node_queue_figures_t, pending));
	queue_gauge(out, pool, "asynctask_backend_stream_length", "Entries in the queue's streams (XLEN, all priority levels).",
		offsetof(asynctask_node_queue_figures_t, stream_length));
	help(out, "asynctask_backend_dead_stream_length", "gauge", "Entries in the dead-letter stream (every node's).");
	evbuffer_add_printf(out, "asynctask_backend_dead_stream_length %" PRIu64 "\n",
		__atomic_load_n(&node->dead_length, __ATOMIC_RELAXED));
	queue_gauge(out, pool, "asynctask_backend_delayed", "Delayed tasks waiting in the queue's delayed set (Task::delay()).",
		offsetof(asynctask_node_queue_figures_t, delayed));
	queue_gauge(out, pool, "asynctask_backend_consumers", "Nodes (consumers) in the group of the queue's streams.",
		offsetof(asynctask_node_queue_figures_t, consumers));
	help(out, "asynctask_backend_reclaimed_total", "counter", "Entries this node took over past asynctask.visibility_timeout.");
	evbuffer_add_printf(out, "asynctask_backend_reclaimed_total %" PRIu64 "\n",
		__atomic_load_n(&node->reclaimed, __ATOMIC_RELAXED));
	help(out, "asynctask_backend_reconnects_total", "counter", "Connections to Redis made again after one was lost.");
	evbuffer_add_printf(out, "asynctask_backend_reconnects_total %" PRIu64 "\n",
		__atomic_load_n(&node->reconnects, __ATOMIC_RELAXED));
}

void asynctask_status_metrics(asynctask_pool_t *pool, struct evbuffer *out)
{
	asynctask_counters_t c;
	uint64_t idle = 0, busy = 0, starting = 0, down = 0;
	uint32_t nqueues = pool->nqueues <= ASYNCTASK_QUEUES_MAX ? pool->nqueues : ASYNCTASK_QUEUES_MAX;

	asynctask_region_counts(pool, &c);
	c.respawned = monotonic(POOL_ROW, SHOWN_RESPAWNED, c.respawned);
	c.dropped_results = monotonic(POOL_ROW, SHOWN_DROPPED, c.dropped_results);
	help(out, "asynctask_tasks_total", "counter", "Tasks by queue and outcome: attempts that ended (completed, failed, "
		"crashed, timed_out, cancelled: disjoint), attempts queued again (retried), tasks dead-lettered (dead).");
	for (uint32_t q = 0; q < nqueues; q++) {
		queue_outcomes(out, pool, q);
	}

	help(out, "asynctask_tasks_dispatched_total", "counter", "Tasks put on the queue.");
	for (uint32_t q = 0; q < nqueues; q++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		evbuffer_add_printf(out, "asynctask_tasks_dispatched_total{queue=\"%s\"} %" PRIu64 "\n", rq->name,
			monotonic(q, SHOWN_DISPATCHED, __atomic_load_n(&rq->queue.pushed, __ATOMIC_RELAXED)));
	}

	help(out, "asynctask_task_duration_seconds", "histogram",
		"Time a task ran, from a worker taking it to its outcome (a dead worker's task: to its death).");
	for (uint32_t q = 0; q < nqueues; q++) {
		histogram(out, pool, asynctask_region_queue(pool, q), "asynctask_task_duration_seconds", false);
	}
	help(out, "asynctask_queue_wait_seconds", "histogram", "Time a task waited in the queue before a worker took it.");
	for (uint32_t q = 0; q < nqueues; q++) {
		histogram(out, pool, asynctask_region_queue(pool, q), "asynctask_queue_wait_seconds", true);
	}

	for (uint32_t i = 0; i < pool->workers; i++) {
		const asynctask_worker_slot_t *slot = &pool->slots[i];
		if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) == ASYNCTASK_WORKER_EMPTY || slot->pid <= 0) {
			down++;
		} else if (!__atomic_load_n(&slot->started, __ATOMIC_RELAXED)) {
			starting++;
		} else if (__atomic_load_n(&slot->claim.task_id, __ATOMIC_RELAXED)) {
			busy++;
		} else {
			idle++;
		}
	}
	help(out, "asynctask_workers", "gauge", "Worker slots by state (down: no process, being replaced).");
	evbuffer_add_printf(out, "asynctask_workers{state=\"idle\"} %" PRIu64 "\n", idle);
	evbuffer_add_printf(out, "asynctask_workers{state=\"busy\"} %" PRIu64 "\n", busy);
	evbuffer_add_printf(out, "asynctask_workers{state=\"starting\"} %" PRIu64 "\n", starting);
	evbuffer_add_printf(out, "asynctask_workers{state=\"down\"} %" PRIu64 "\n", down);

	help(out, "asynctask_queue_depth", "gauge", "Tasks queued that will still run.");
	for (uint32_t q = 0; q < nqueues; q++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		evbuffer_add_printf(out, "asynctask_queue_depth{queue=\"%s\"} %" PRIu64 "\n", rq->name,
			__atomic_load_n(&rq->queue.live, __ATOMIC_RELAXED));
	}
	help(out, "asynctask_queue_used_bytes", "gauge", "Bytes of the shared-memory queue in use.");
	for (uint32_t q = 0; q < nqueues; q++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		evbuffer_add_printf(out, "asynctask_queue_used_bytes{queue=\"%s\"} %" PRIu64 "\n", rq->name,
			__atomic_load_n(&rq->queue.used, __ATOMIC_RELAXED));
	}
	help(out, "asynctask_queue_capacity_bytes", "gauge", "Bytes of the shared-memory queue (asynctask.queue_size).");
	for (uint32_t q = 0; q < nqueues; q++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		evbuffer_add_printf(out, "asynctask_queue_capacity_bytes{queue=\"%s\"} %" PRIu64 "\n", rq->name,
			rq->queue.capacity);
	}

	if (__atomic_load_n(&pool->node.active, __ATOMIC_RELAXED)) {
		backend(out, pool);
	}

	help(out, "asynctask_worker_respawns_total", "counter", "Workers replaced after they died.");
	evbuffer_add_printf(out, "asynctask_worker_respawns_total %" PRIu64 "\n", c.respawned);
	help(out, "asynctask_reloads_total", "counter", "Pool::reload() calls (pool generations after the first).");
	evbuffer_add_printf(out, "asynctask_reloads_total %" PRIu32 "\n", __atomic_load_n(&pool->generation, __ATOMIC_RELAXED));
	help(out, "asynctask_results_dropped_total", "counter", "Results whose dispatcher was gone.");
	evbuffer_add_printf(out, "asynctask_results_dropped_total %" PRIu64 "\n", c.dropped_results);
	help(out, "asynctask_failures_recorded_total", "counter", "Failures put in /api/failures' ring.");
	evbuffer_add_printf(out, "asynctask_failures_recorded_total %" PRIu64 "\n",
		__atomic_load_n(&pool->failures.next, __ATOMIC_RELAXED));

	unsigned open;
	uint64_t pushed_out, timed_out;
	asynctask_status_conns_figures(&open, &pushed_out, &timed_out);
	help(out, "asynctask_status_connections", "gauge", "Connections open to this endpoint (at most 64).");
	evbuffer_add_printf(out, "asynctask_status_connections %u\n", open);
	help(out, "asynctask_status_connections_cut_total", "counter",
		"Connections this endpoint closed: pushed_out (the oldest waiting, at the cap), timed_out (no whole request in 10 s).");
	evbuffer_add_printf(out, "asynctask_status_connections_cut_total{reason=\"pushed_out\"} %" PRIu64 "\n", pushed_out);
	evbuffer_add_printf(out, "asynctask_status_connections_cut_total{reason=\"timed_out\"} %" PRIu64 "\n", timed_out);
}
