/*
 * A Redis node (node.h): its state, starting it, its tick, draining it
 * (stop taking) and stopping it. The parts are in node_*.c (node_internal.h
 * lists them): connections, the writer's commands, the atomic steps, taking
 * entries, the figures.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

asynctask_redis_node_state_t asynctask_rnode;

/* --- the node ---------------------------------------------------------------------- */

void asynctask_redis_node_start(struct event_base *base, asynctask_redis_node_config_t *config,
	const asynctask_redis_node_hooks_t *hooks)
{
	memset(&asynctask_rnode, 0, sizeof(asynctask_rnode));
	asynctask_rnode.base = base;
	asynctask_rnode.config = *config;
	asynctask_rnode.hooks = *hooks;
	asynctask_rnode.reader.name = "reader";
	asynctask_rnode.writer.name = "writer";
	asynctask_rnode.kept_tail = &asynctask_rnode.kept;
	asynctask_rnode.taking = true;
	asynctask_rnode.started = true;
	snprintf(asynctask_rnode.dead, sizeof(asynctask_rnode.dead), ASYNCTASK_REDIS_DEAD_FMT, config->prefix);
	/* (the bridge names at least one queue: "default" when asynctask.queues is empty) */
	if (asynctask_rnode.config.nqueues == 0) {
		asynctask_rnode.config.nqueues = 1;
		snprintf(asynctask_rnode.config.queues[0], sizeof(asynctask_rnode.config.queues[0]), "%s",
			ASYNCTASK_REDIS_QUEUE_DEFAULT);
	}
	asynctask_rnode.nqueues = asynctask_rnode.config.nqueues;
	for (uint32_t i = 0; i < asynctask_rnode.nqueues; i++) {
		node_queue_t *q = &asynctask_rnode.queues[i];
		q->name = asynctask_rnode.config.queues[i];
		for (unsigned level = 0; level < ASYNCTASK_REDIS_LEVELS; level++) {
			snprintf(q->streams[level], sizeof(q->streams[level]), ASYNCTASK_REDIS_LEVEL_FMT, config->prefix, q->name,
				asynctask_redis_level_suffix(level));
		}
		snprintf(q->delayed, sizeof(q->delayed), ASYNCTASK_REDIS_DELAYED_FMT, config->prefix, q->name);
		snprintf(q->delayed_tasks, sizeof(q->delayed_tasks), "%s" ASYNCTASK_REDIS_DELAYED_TASKS, q->delayed);
		snprintf(q->delayed_moved, sizeof(q->delayed_moved), "%s" ASYNCTASK_REDIS_DELAYED_MOVED, q->delayed);
	}
	char where[512], served[256] = "";
	asynctask_redis_url_describe(&config->url, where, sizeof(where));
	for (uint32_t i = 0; i < asynctask_rnode.nqueues; i++) {
		size_t used = strlen(served);
		snprintf(served + used, sizeof(served) - used, "%s%s", i ? ", " : "", asynctask_rnode.queues[i].name);
	}
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "node_serving", "redis node: serving the queue(s) %s of prefix %s at %s "
		"as consumer %s", served, config->prefix, where, config->node);
	asynctask_redis_node_connect_to(&asynctask_rnode.writer);
	asynctask_redis_node_connect_to(&asynctask_rnode.reader);
	asynctask_redis_node_delayed_start();
}

void asynctask_redis_node_tick(void)
{
	uint64_t now = asynctask_now_ns();

	if (!asynctask_rnode.started) {
		return;
	}
	asynctask_redis_node_watchdog(&asynctask_rnode.writer, now);
	asynctask_redis_node_watchdog(&asynctask_rnode.reader, now);
	if (asynctask_rnode.writer.state == CONN_DOWN && now >= asynctask_rnode.writer.retry_at) {
		asynctask_redis_node_connect_to(&asynctask_rnode.writer);
	}
	if (asynctask_rnode.reader.state == CONN_DOWN && now >= asynctask_rnode.reader.retry_at && asynctask_rnode.taking) {
		asynctask_redis_node_connect_to(&asynctask_rnode.reader);
	}
	asynctask_redis_node_touch();
	asynctask_redis_node_reclaim();
	asynctask_redis_node_figures();
	if (!asynctask_rnode.move_timer) {
		asynctask_redis_node_move();   /* no timer of its own: at each tick */
	}
	asynctask_redis_node_poll();
}

/* The reader is done: closed, and the drain said so (the test of a drain waits for these words). */
static void close_reader(void)
{
	if (asynctask_rnode.reader.ac) {
		redisAsyncContext *ac = asynctask_rnode.reader.ac;
		asynctask_rnode.reader.ac = NULL;
		asynctask_rnode.reader.state = CONN_DOWN;
		asynctask_rnode.reader.ready = false;
		redisAsyncFree(ac);
	}
	asynctask_rnode.reading = false;
	asynctask_rnode.read_blocks = false;
	asynctask_rnode.take_blocks = false;
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "node_stopped_taking",
		"redis node: no more tasks taken");
}

static void on_unblocked(redisAsyncContext *ac, void *r, void *privdata)
{
	(void) privdata;
	asynctask_redis_node_replied(ac, r);
	asynctask_rnode.unblocking = false;
	if (asynctask_rnode.started) {
		close_reader();
	}
}

void asynctask_redis_node_stop_taking(void)
{
	char id[32];

	if (!asynctask_rnode.taking) {
		return;
	}
	asynctask_rnode.taking = false;
	/* A read blocked in Redis would hand out tasks after the workers left.
	 * The writer unblocks it (CLIENT UNBLOCK): Redis runs commands one at a
	 * time, so once that is answered no entry goes to this node any more, and
	 * what the read got before comes back to it (left pending, for a node to
	 * reclaim). Without a writer, closing the reader aborts the read, though
	 * Redis may deliver to it in that very moment (left pending too). */
	if (asynctask_rnode.reading && asynctask_rnode.reader.client_id > 0 && asynctask_rnode.writer.state == CONN_UP
		&& asynctask_rnode.writer.ready) {
		snprintf(id, sizeof(id), "%lld", asynctask_rnode.reader.client_id);
		const char *argv[] = { "CLIENT", "UNBLOCK", id };
		size_t argvlen[] = { 6, 7, strlen(id) };
		if (redisAsyncCommandArgv(asynctask_rnode.writer.ac, on_unblocked, NULL, 3, argv, argvlen) == REDIS_OK) {
			asynctask_rnode.unblocking = true;
			return;
		}
	}
	close_reader();
}

bool asynctask_redis_node_idle(void)
{
	return !asynctask_rnode.started || (!asynctask_rnode.reading && !asynctask_rnode.writer_taking
		&& !asynctask_rnode.unblocking && !asynctask_rnode.claiming && !asynctask_rnode.ops_out && !asynctask_rnode.kept
		&& !asynctask_rnode.folded);
}

void asynctask_redis_node_stats(asynctask_redis_node_stats_t *out)
{
	*out = asynctask_rnode.stats;
}

void asynctask_redis_node_queue_stats(uint32_t queue, asynctask_redis_node_queue_stats_t *out)
{
	if (asynctask_rnode.started && queue < asynctask_rnode.nqueues) {
		*out = asynctask_rnode.queues[queue].figures;
	} else {
		memset(out, 0, sizeof(*out));
	}
}

void asynctask_redis_node_shutdown(void)
{
	if (!asynctask_rnode.started) {
		return;
	}
	if (asynctask_rnode.kept_count) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "node_left_unfinished",
			"redis node: leaving with %u results Redis could not take; their entries stay pending and run "
			"again elsewhere after asynctask.visibility_timeout", asynctask_rnode.kept_count);
	}
	asynctask_rnode.taking = false;
	/* redisAsyncFree() answers what is out with NULL replies: nothing is kept from here */
	asynctask_rnode.started = false;
	while (asynctask_rnode.kept) {
		op_t *op = asynctask_rnode.kept;
		asynctask_rnode.kept = op->next;
		asynctask_redis_node_op_free(op);
	}
	asynctask_rnode.kept_tail = &asynctask_rnode.kept;
	while (asynctask_rnode.folded) {
		op_t *op = asynctask_rnode.folded;
		asynctask_rnode.folded = op->next;
		asynctask_redis_node_op_free(op);
	}
	asynctask_rnode.folded_count = 0;
	if (asynctask_rnode.reader.ac) {
		redisAsyncContext *ac = asynctask_rnode.reader.ac;
		asynctask_rnode.reader.ac = NULL;
		redisAsyncFree(ac);
	}
	if (asynctask_rnode.writer.ac) {
		redisAsyncContext *ac = asynctask_rnode.writer.ac;
		asynctask_rnode.writer.ac = NULL;
		redisAsyncFree(ac);
	}
	asynctask_redis_node_delayed_stop();
	asynctask_redis_node_sentinel_stop();
	asynctask_redis_node_scripts_free();
	free(asynctask_rnode.config.secret);
	asynctask_rnode.config.secret = NULL;
}
