/*
 * A Redis node moving delayed tasks (Task::delay()) into their streams:
 * protocol.h's move step, a Lua script on the writer covering every queue the
 * node serves (at most ASYNCTASK_REDIS_MOVE_MAX a queue a run), run by a timer on the
 * manager's loop every ASYNCTASK_REDIS_MOVE_EVERY_MS, sooner when the
 * script says the first member is due sooner, and again at once while it
 * moves a full batch. Due means due by Redis' clock (TIME in the script), so
 * that neither the dispatcher's clock nor this machine's matters: a task is
 * never moved before its due time, and is moved within about
 * ASYNCTASK_REDIS_MOVE_EVERY_MS of it by any node that runs (the lateness
 * bound, plus the reader's wake-up and a worker's start). The script is one
 * atomic step: however many nodes run it, a member is moved once.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <event2/event.h>

#include "src/transport/redis/node_internal.h"

/* KEYS five a queue: its set, hash, and HIGH, NORMAL and LOW streams; ARGV
 * at most how many a queue, the moved keys' ttl (ms), then each queue's
 * moved keys' prefix. A member of an unknown level goes to NORMAL; one whose
 * task is missing from the hash is dropped. Replies [moved, ms until the
 * next member of any queue is due or -1, 1 when a queue moved as many as it
 * may (more may be due)]. */
static const char MOVE_SCRIPT[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local limit = tonumber(ARGV[1])\n"
	"local moved, wait, full = 0, -1, 0\n"
	"for q = 1, #ARGV - 2 do\n"
	"  local k = (q - 1) * 5\n"
	"  local set, hash = KEYS[k + 1], KEYS[k + 2]\n"
	"  local streams = { h = KEYS[k + 3], n = KEYS[k + 4], l = KEYS[k + 5] }\n"
	"  local due = redis.call('ZRANGEBYSCORE', set, '-inf', now, 'LIMIT', 0, limit)\n"
	"  if #due >= limit then full = 1 end\n"
	"  for _, m in ipairs(due) do\n"
	"    local task = redis.call('HGET', hash, m)\n"
	"    redis.call('ZREM', set, m)\n"
	"    redis.call('HDEL', hash, m)\n"
	"    if task then\n"
	"      local id = redis.call('XADD', streams[string.sub(m, 1, 1)] or streams.n, '*', '"
		ASYNCTASK_REDIS_FIELD_TASK "', task)\n"
	"      redis.call('SET', ARGV[q + 2] .. m, id, 'PX', ARGV[2])\n"
	"      moved = moved + 1\n"
	"    end\n"
	"  end\n"
	"  local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')\n"
	"  if #first > 0 then\n"
	"    local w = math.max(0, math.ceil(tonumber(first[2]) - now))\n"
	"    if wait < 0 or w < wait then wait = w end\n"
	"  end\n"
	"end\n"
	"return { moved, wait, full }\n";

static bool error_logged;

static void schedule(uint64_t ms)
{
	struct timeval tv = { .tv_sec = (time_t) (ms / 1000), .tv_usec = (suseconds_t) (ms % 1000) * 1000 };

	if (asynctask_rnode.move_timer) {
		evtimer_add(asynctask_rnode.move_timer, &tv);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void) fd;
	(void) what;
	(void) arg;
	asynctask_redis_node_move();
}

static void on_moved(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	uint64_t next = ASYNCTASK_REDIS_MOVE_EVERY_MS;
	(void) privdata;

	asynctask_redis_node_replied(ac, reply);
	asynctask_rnode.moving = false;
	if (!asynctask_rnode.started) {
		return;
	}
	if (asynctask_redis_node_is_error(reply)) {
		if (!error_logged) {
			asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
				"redis node: moving the due delayed tasks of %s failed: %.*s (tried again every %d ms)",
				asynctask_rnode.nqueues == 1 ? asynctask_rnode.queues[0].delayed : "the queues",
				(int) reply->len, reply->str, ASYNCTASK_REDIS_MOVE_EVERY_MS);
			error_logged = true;
		}
	} else if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3
			&& reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[1]->type == REDIS_REPLY_INTEGER
			&& reply->element[2]->type == REDIS_REPLY_INTEGER) {
		long long moved = reply->element[0]->integer, wait = reply->element[1]->integer;
		error_logged = false;
		asynctask_rnode.stats.moved += moved > 0 ? (uint64_t) moved : 0;
		if (reply->element[2]->integer) {
			next = 0;   /* more are due: on at once */
		} else if (wait >= 0 && (uint64_t) wait < next) {
			next = (uint64_t) wait;
		}
	}
	schedule(next);
}

void asynctask_redis_node_move(void)
{
	char limit[16], ttl[32], keys[16];
	const char *argv[16 + 6 * ASYNCTASK_QUEUES_MAX];
	size_t argvlen[16 + 6 * ASYNCTASK_QUEUES_MAX];
	int argc = 0;

	if (!asynctask_rnode.started || asynctask_rnode.moving) {
		return;
	}
	if (asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready) {
		schedule(ASYNCTASK_REDIS_MOVE_EVERY_MS);   /* the writer's return runs it sooner */
		return;
	}
	snprintf(limit, sizeof(limit), "%d", ASYNCTASK_REDIS_MOVE_MAX);
	snprintf(ttl, sizeof(ttl), "%" PRIu64, asynctask_rnode.config.result_ttl_ms ? asynctask_rnode.config.result_ttl_ms
		: 1);
	snprintf(keys, sizeof(keys), "%u", asynctask_rnode.nqueues * 5);
	argv[argc++] = "EVAL"; argv[argc++] = MOVE_SCRIPT; argv[argc++] = keys;
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		const node_queue_t *queue = &asynctask_rnode.queues[q];
		argv[argc++] = queue->delayed;
		argv[argc++] = queue->delayed_tasks;
		argv[argc++] = queue->streams[ASYNCTASK_REDIS_LEVEL_HIGH];
		argv[argc++] = queue->streams[ASYNCTASK_REDIS_LEVEL_NORMAL];
		argv[argc++] = queue->streams[ASYNCTASK_REDIS_LEVEL_LOW];
	}
	argv[argc++] = limit;
	argv[argc++] = ttl;
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		argv[argc++] = asynctask_rnode.queues[q].delayed_moved;
	}
	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (asynctask_redis_node_command(asynctask_rnode.writer.ac, on_moved, NULL, argc, argv, argvlen) == REDIS_OK) {
		asynctask_rnode.moving = true;
	} else {
		schedule(ASYNCTASK_REDIS_MOVE_EVERY_MS);
	}
}

void asynctask_redis_node_delayed_start(void)
{
	error_logged = false;
	asynctask_rnode.move_timer = evtimer_new(asynctask_rnode.base, on_timer, NULL);
	if (!asynctask_rnode.move_timer) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory for the timer of delayed tasks: they are moved at each tick instead");
		return;
	}
	schedule(0);
}

void asynctask_redis_node_delayed_stop(void)
{
	if (asynctask_rnode.move_timer) {
		event_free(asynctask_rnode.move_timer);
		asynctask_rnode.move_timer = NULL;
	}
}
