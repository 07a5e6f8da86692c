/*
 * A Redis node moving delayed tasks (Task::delay()) into their streams:
 * protocol.h's move step, a Lua script on the writer, run by a timer on the
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

/* KEYS set, hash, the HIGH, NORMAL and LOW streams; ARGV at most how many,
 * the moved keys' ttl (ms), the moved keys' prefix. A member of an unknown
 * level goes to NORMAL; one whose task is missing from the hash is dropped.
 * Replies [moved, ms until the next member is due or -1]. */
static const char MOVE_SCRIPT[] =
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))\n"
	"local streams = { h = KEYS[3], n = KEYS[4], l = KEYS[5] }\n"
	"local moved = 0\n"
	"for _, m in ipairs(due) do\n"
	"  local task = redis.call('HGET', KEYS[2], m)\n"
	"  redis.call('ZREM', KEYS[1], m)\n"
	"  redis.call('HDEL', KEYS[2], m)\n"
	"  if task then\n"
	"    local id = redis.call('XADD', streams[string.sub(m, 1, 1)] or KEYS[4], '*', '"
		ASYNCTASK_REDIS_FIELD_TASK "', task)\n"
	"    redis.call('SET', ARGV[3] .. m, id, 'PX', ARGV[2])\n"
	"    moved = moved + 1\n"
	"  end\n"
	"end\n"
	"local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
	"local wait = -1\n"
	"if #first > 0 then\n"
	"  wait = math.max(0, math.ceil(tonumber(first[2]) - now))\n"
	"end\n"
	"return { moved, wait }\n";

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

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	asynctask_rnode.moving = false;
	if (!asynctask_rnode.started) {
		return;
	}
	if (asynctask_redis_node_is_error(reply)) {
		if (!error_logged) {
			asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
				"redis node: moving the due delayed tasks of %s failed: %.*s (tried again every %d ms)",
				asynctask_rnode.delayed, (int) reply->len, reply->str, ASYNCTASK_REDIS_MOVE_EVERY_MS);
			error_logged = true;
		}
	} else if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
			&& reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[1]->type == REDIS_REPLY_INTEGER) {
		long long moved = reply->element[0]->integer, wait = reply->element[1]->integer;
		error_logged = false;
		asynctask_rnode.stats.moved += moved > 0 ? (uint64_t) moved : 0;
		if (moved >= ASYNCTASK_REDIS_MOVE_MAX) {
			next = 0;   /* more are due: on at once */
		} else if (wait >= 0 && (uint64_t) wait < next) {
			next = (uint64_t) wait;
		}
	}
	schedule(next);
}

void asynctask_redis_node_move(void)
{
	char limit[16], ttl[32];

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
	const char *argv[] = { "EVAL", MOVE_SCRIPT, "5", asynctask_rnode.delayed, asynctask_rnode.delayed_tasks,
		asynctask_rnode.streams[ASYNCTASK_REDIS_LEVEL_HIGH], asynctask_rnode.streams[ASYNCTASK_REDIS_LEVEL_NORMAL],
		asynctask_rnode.streams[ASYNCTASK_REDIS_LEVEL_LOW], limit, ttl, asynctask_rnode.delayed_moved };
	size_t argvlen[11];
	for (int i = 0; i < 11; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (redisAsyncCommandArgv(asynctask_rnode.writer.ac, on_moved, NULL, 11, argv, argvlen) == REDIS_OK) {
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
