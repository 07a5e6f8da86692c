/*
 * /api/stats and /api/failures: JSON written by hand from the shared
 * region (no PHP runs in the manager to answer).
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "php.h"

#include "src/base/clock.h"
#include "src/pool/status/status.h"

/* A JSON string: quotes, backslashes and control characters escaped; bytes
 * that are not UTF-8 (a message cut in the middle of a character) as U+FFFD. */
static void json_string(struct evbuffer *out, const char *s)
{
	const unsigned char *p = (const unsigned char *) s;

	evbuffer_add(out, "\"", 1);
	while (*p) {
		unsigned char ch = *p;
		size_t len = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
		bool valid = len > 0 && !(len == 2 && ch < 0xC2);
		for (size_t i = 1; valid && i < len; i++) {
			valid = (p[i] & 0xC0) == 0x80;
		}
		if (!valid) {
			evbuffer_add(out, "\\ufffd", 6);
			p++;
		} else if (ch == '"' || ch == '\\') {
			evbuffer_add_printf(out, "\\%c", ch);
			p++;
		} else if (ch < 0x20 || ch == 0x7f) {
			evbuffer_add_printf(out, "\\u%04x", ch);
			p++;
		} else {
			evbuffer_add(out, p, len);
			p += len;
		}
	}
	evbuffer_add(out, "\"", 1);
}

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *slot_state(const asynctask_worker_slot_t *slot, uint64_t task_id)
{
	if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) == ASYNCTASK_WORKER_EMPTY || slot->pid <= 0) {
		return "down";
	}
	if (!__atomic_load_n(&slot->started, __ATOMIC_RELAXED)) {
		return "starting";
	}
	return task_id ? "busy" : "idle";
}

/* The name of the task the slot runs, into buf ("" when it has none yet). */
static void slot_callable(const asynctask_worker_slot_t *slot, uint64_t task_id, char *buf, size_t size)
{
	const asynctask_slot_watch_t *w = &slot->watch;

	buf[0] = '\0';
	if (!task_id || __atomic_load_n(&w->name_task, __ATOMIC_ACQUIRE) != task_id) {
		return;
	}
	memcpy(buf, w->callable, size);
	buf[size - 1] = '\0';
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&w->name_task, __ATOMIC_RELAXED) != task_id) {
		buf[0] = '\0';
	}
}

static void worker_details(asynctask_pool_t *pool, struct evbuffer *out)
{
	uint64_t mono = asynctask_now_ns();
	double wall = wall_now();
	bool first = true;

	evbuffer_add_printf(out, "\"worker_details\":[");
	for (uint32_t i = 0; i < pool->workers; i++) {
		const asynctask_worker_slot_t *slot = &pool->slots[i];
		uint64_t task_id = __atomic_load_n(&slot->claim.task_id, __ATOMIC_ACQUIRE);
		uint64_t started = slot->claim.started_ns;
		char callable[ASYNCTASK_WATCH_NAME_MAX];

		slot_callable(slot, task_id, callable, sizeof(callable));
		/* (a queue's name is [A-Za-z0-9_.-]: nothing to escape) */
		evbuffer_add_printf(out, "%s{\"slot\":%" PRIu32 ",\"pid\":%" PRId32 ",\"queue\":\"%s\",\"state\":\"%s\",",
			first ? "" : ",", i, __atomic_load_n(&slot->pid, __ATOMIC_RELAXED), asynctask_region_slot_queue(pool, slot)->name,
			slot_state(slot, task_id));
		first = false;
		if (task_id) {
			double running_for = mono > started ? (mono - started) / 1e9 : 0;
			evbuffer_add_printf(out, "\"task_id\":\"%" PRIu64 "\",\"callable\":", task_id);
			json_string(out, callable);
			evbuffer_add_printf(out, ",\"running_since\":%.3f,\"running_for\":%.3f,", wall - running_for, running_for);
		} else {
			evbuffer_add_printf(out, "\"task_id\":null,\"callable\":null,\"running_since\":null,\"running_for\":null,");
		}
		evbuffer_add_printf(out, "\"tasks\":%" PRIu64 ",\"memory\":%" PRIu64 ",\"generation\":%" PRIu32
			",\"retiring\":%s}", __atomic_load_n(&slot->tasks, __ATOMIC_RELAXED),
			__atomic_load_n(&slot->watch.memory, __ATOMIC_RELAXED), slot->generation,
			__atomic_load_n(&slot->retiring, __ATOMIC_RELAXED) ? "true" : "false");
	}
	evbuffer_add_printf(out, "]");
}

/* A node's backend figures, the keys stats() gives them (pool.c), as the
 * manager last refreshed them (about once a second, never per request). */
static void node_figures(asynctask_pool_t *pool, struct evbuffer *out)
{
	const asynctask_node_figures_t *node = &pool->node;
	uint64_t lag = __atomic_load_n(&node->lag, __ATOMIC_RELAXED);

	evbuffer_add_printf(out, "\"backend\":\"redis\",\"backend_connected\":%s,\"stream_length\":%" PRIu64
		",\"pending\":%" PRIu64 ",\"lag\":", __atomic_load_n(&node->connected, __ATOMIC_RELAXED) ? "true" : "false",
		__atomic_load_n(&node->stream_length, __ATOMIC_RELAXED), __atomic_load_n(&node->pending, __ATOMIC_RELAXED));
	evbuffer_add_printf(out, lag == UINT64_MAX ? "null" : "%" PRIu64, lag);
	evbuffer_add_printf(out, ",\"dead_stream_length\":%" PRIu64 ",\"consumers\":%" PRIu64 ",\"reclaimed\":%" PRIu64
		",\"dead_lettered\":%" PRIu64 ",\"reconnects\":%" PRIu64 ",\"results_kept\":%" PRIu64 ",\"delayed\":%" PRIu64
		",\"moved\":%" PRIu64 ",",
		__atomic_load_n(&node->dead_length, __ATOMIC_RELAXED), __atomic_load_n(&node->consumers, __ATOMIC_RELAXED),
		__atomic_load_n(&node->reclaimed, __ATOMIC_RELAXED), __atomic_load_n(&node->dead_lettered, __ATOMIC_RELAXED),
		__atomic_load_n(&node->reconnects, __ATOMIC_RELAXED), __atomic_load_n(&node->results_kept, __ATOMIC_RELAXED),
		__atomic_load_n(&node->delayed, __ATOMIC_RELAXED), __atomic_load_n(&node->moved, __ATOMIC_RELAXED));
}

/* "queues": per named queue, the keys of Pool::stats()['queues'] (pool.c). */
static void queue_stats(asynctask_pool_t *pool, struct evbuffer *out)
{
	evbuffer_add_printf(out, "\"queues\":{");
	for (uint32_t q = 0; q < pool->nqueues; q++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, q);
		asynctask_counters_t c;
		uint64_t dispatched = asynctask_region_queue_counts(pool, q, &c);
		uint64_t workers = 0, running = 0;

		for (uint32_t i = rq->first_slot; i < rq->first_slot + rq->workers; i++) {
			const asynctask_worker_slot_t *slot = &pool->slots[i];
			if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) == ASYNCTASK_WORKER_RUNNING && slot->pid > 0) {
				workers++;
				running += __atomic_load_n(&slot->claim.task_id, __ATOMIC_RELAXED) != 0;
			}
		}
		evbuffer_add_printf(out, "%s\"%s\":{\"workers\":%" PRIu64 ",\"idle\":%" PRIu64 ",\"queued\":%" PRIu64
			",\"running\":%" PRIu64 ",\"completed\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"crashed\":%" PRIu64
			",\"timed_out\":%" PRIu64 ",\"respawned\":%" PRIu64 ",\"queue_bytes_used\":%" PRIu64
			",\"queue_bytes_total\":%" PRIu64 ",\"dispatched\":%" PRIu64 ",\"cancelled\":%" PRIu64
			",\"retried\":%" PRIu64,
			q ? "," : "", rq->name, workers, workers - running, __atomic_load_n(&rq->queue.live, __ATOMIC_RELAXED),
			running, c.completed, c.failed, c.crashed, c.timed_out, c.respawned,
			__atomic_load_n(&rq->queue.used, __ATOMIC_RELAXED), rq->queue.capacity, dispatched, c.cancelled, c.retried);
		if (__atomic_load_n(&pool->node.active, __ATOMIC_RELAXED)) {
			/* a node: the queue's streams and delayed set in Redis, as stats() has them */
			evbuffer_add_printf(out, ",\"stream_length\":%" PRIu64 ",\"pending\":%" PRIu64 ",\"delayed\":%" PRIu64,
				__atomic_load_n(&rq->node.stream_length, __ATOMIC_RELAXED),
				__atomic_load_n(&rq->node.pending, __ATOMIC_RELAXED), __atomic_load_n(&rq->node.delayed, __ATOMIC_RELAXED));
		}
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "},");
}

void asynctask_status_api_stats(asynctask_pool_t *pool, struct evbuffer *out)
{
	asynctask_counters_t c;
	uint64_t dispatched = asynctask_region_counts(pool, &c);
	uint64_t workers = 0, running = 0, mailboxes = 0, used = 0, total = 0;

	for (uint32_t i = 0; i < pool->workers; i++) {
		const asynctask_worker_slot_t *slot = &pool->slots[i];
		if (__atomic_load_n(&slot->state, __ATOMIC_RELAXED) == ASYNCTASK_WORKER_RUNNING && slot->pid > 0) {
			workers++;
			running += __atomic_load_n(&slot->claim.task_id, __ATOMIC_RELAXED) != 0;
		}
	}
	for (uint32_t i = 0; i < pool->nqueues; i++) {
		asynctask_region_queue_t *rq = asynctask_region_queue(pool, i);
		used += __atomic_load_n(&rq->queue.used, __ATOMIC_RELAXED);
		total += rq->queue.capacity;
	}
	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		mailboxes += __atomic_load_n(&asynctask_region_mailboxes(pool)[i].owner, __ATOMIC_RELAXED) != 0;
	}
	/* the keys and meanings of Pool::stats() (pool.c), then the workers */
	evbuffer_add_printf(out, "{\"workers\":%" PRIu64 ",\"idle\":%" PRIu64 ",\"queued\":%" PRIu64
		",\"running\":%" PRIu64 ",\"completed\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"crashed\":%" PRIu64
		",\"timed_out\":%" PRIu64 ",\"respawned\":%" PRIu64 ",\"queue_bytes_used\":%" PRIu64
		",\"queue_bytes_total\":%" PRIu64 ",\"dispatched\":%" PRIu64 ",\"cancelled\":%" PRIu64
		",\"retried\":%" PRIu64 ",\"dropped_results\":%" PRIu64 ",\"mailboxes_used\":%" PRIu64 ",\"manager_pid\":%" PRId32
		",\"worker_pids\":[",
		workers, workers - running, asynctask_region_queued(pool), running, c.completed,
		c.failed, c.crashed, c.timed_out, c.respawned, used, total, dispatched, c.cancelled, c.retried, c.dropped_results,
		mailboxes, pool->manager);
	bool first = true;
	for (uint32_t i = 0; i < pool->workers; i++) {
		int32_t pid = __atomic_load_n(&pool->slots[i].pid, __ATOMIC_RELAXED);
		if (pid > 0) {
			evbuffer_add_printf(out, "%s%" PRId32, first ? "" : ",", pid);
			first = false;
		}
	}
	evbuffer_add_printf(out, "],\"time\":%.3f,\"reloads\":%" PRIu32 ",", wall_now(),
		__atomic_load_n(&pool->generation, __ATOMIC_RELAXED));
	if (__atomic_load_n(&pool->node.active, __ATOMIC_RELAXED)) {
		node_figures(pool, out);
	}
	queue_stats(pool, out);
	worker_details(pool, out);
	evbuffer_add_printf(out, "}\n");
}

static const char *outcome_name(uint32_t status)
{
	switch (status) {
		case ASYNCTASK_RESULT_CRASHED: return "crashed";
		case ASYNCTASK_RESULT_TIMED_OUT: return "timed_out";
		default: return "failed";
	}
}

void asynctask_status_api_failures(asynctask_pool_t *pool, struct evbuffer *out)
{
	asynctask_failures_t *ring = &pool->failures;
	uint64_t next = __atomic_load_n(&ring->next, __ATOMIC_ACQUIRE);
	uint64_t oldest = next > ASYNCTASK_FAILURES_MAX ? next - ASYNCTASK_FAILURES_MAX : 0;
	asynctask_failure_t e;
	bool first = true;

	evbuffer_add_printf(out, "{\"total\":%" PRIu64 ",\"failures\":[", next);
	/* newest first */
	for (uint64_t n = next; n-- > oldest;) {
		const asynctask_failure_t *slot = &ring->entries[n % ASYNCTASK_FAILURES_MAX];
		if (__atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE) != n + 1) {
			continue;  /* being written, or already overwritten */
		}
		memcpy(&e, slot, sizeof(e));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&slot->seq, __ATOMIC_RELAXED) != n + 1) {
			continue;
		}
		e.callable[sizeof(e.callable) - 1] = e.remote_class[sizeof(e.remote_class) - 1] = '\0';
		e.file[sizeof(e.file) - 1] = e.message[sizeof(e.message) - 1] = '\0';
		evbuffer_add_printf(out, "%s{\"id\":\"%" PRIu64 "\",\"outcome\":\"%s\",\"callable\":", first ? "" : ",",
			e.task_id, outcome_name(e.status));
		first = false;
		json_string(out, e.callable);
		evbuffer_add_printf(out, ",\"remote_class\":");
		json_string(out, e.remote_class);
		evbuffer_add_printf(out, ",\"message\":");
		json_string(out, e.message);
		evbuffer_add_printf(out, ",\"file\":");
		json_string(out, e.file);
		evbuffer_add_printf(out, ",\"line\":%" PRIu32 ",\"attempt\":%" PRIu32 ",\"time\":%.3f}", e.line, e.attempt,
			e.time_ms / 1000.0);
	}
	evbuffer_add_printf(out, "]}\n");
}
