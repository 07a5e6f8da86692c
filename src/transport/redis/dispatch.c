/*
 * The dispatching side of the Redis transport (dispatch.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/exceptions.h"
#include "src/codec/redis/wire.h"
#include "src/codec/retry.h"
#include "src/transport/redis/conn.h"
#include "src/transport/redis/dispatch.h"
#include "src/transport/redis/dispatcher.h"
#include "src/transport/redis/events.h"
#include "src/transport/redis/protocol.h"
#include "src/transport/redis/replies.h"

/* protocol.h's cancel: XDEL the entry only when no node has taken it. An
 * entry at or before the group's last-delivered-id was handed to a node
 * (XREADGROUP delivers in id order; XAUTOCLAIM only moves pending ones),
 * whether it is still pending or acknowledged since; a stream with no group
 * has never been read. The XPENDING look is a second guard should a group
 * have been moved back with XGROUP SETID. cancel_entry(stream, id, group)
 * replies 1 when deleted. */
#define CANCEL_ENTRY_LUA \
	"local function parse(id)\n" \
	"  local ms, seq = string.match(id, '^(%d+)-(%d+)$')\n" \
	"  return tonumber(ms), tonumber(seq)\n" \
	"end\n" \
	"local function cancel_entry(stream, id, group)\n" \
	"  if #redis.call('XRANGE', stream, id, id) == 0 then return 0 end\n" \
	"  local ms, seq = parse(id)\n" \
	"  for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do\n" \
	"    local name, last\n" \
	"    for i = 1, #g, 2 do\n" \
	"      if g[i] == 'name' then name = g[i + 1] end\n" \
	"      if g[i] == 'last-delivered-id' then last = g[i + 1] end\n" \
	"    end\n" \
	"    if name == group then\n" \
	"      local lms, lseq = parse(last)\n" \
	"      if ms < lms or (ms == lms and seq <= lseq) then return 0 end\n" \
	"      if #redis.call('XPENDING', stream, group, id, id, 1) > 0 then return 0 end\n" \
	"    end\n" \
	"  end\n" \
	"  return redis.call('XDEL', stream, id)\n" \
	"end\n"

/* The entry dispatch() added; else, once a node ran it and it failed with
 * runs left (Task::withRetries()), its next run waiting in the delayed set
 * under the member a delayed task would have (node_jobs.c' retry step), or
 * moved from there into the stream as its moved key says.
 * KEYS[1] stream, KEYS[2] delayed set, KEYS[3] its hash, KEYS[4] the
 * member's moved key; ARGV[1] entry id, ARGV[2] group, ARGV[3] member. */
static const char cancel_script[] = CANCEL_ENTRY_LUA
	"if cancel_entry(KEYS[1], ARGV[1], ARGV[2]) == 1 then return 1 end\n"
	"if redis.call('ZREM', KEYS[2], ARGV[3]) == 1 then\n"
	"  redis.call('HDEL', KEYS[3], ARGV[3])\n"
	"  return 1\n"
	"end\n"
	"local id = redis.call('GET', KEYS[4])\n"
	"if not id then return 0 end\n"
	"local done = cancel_entry(KEYS[1], id, ARGV[2])\n"
	"if done == 1 then redis.call('DEL', KEYS[4]) end\n"
	"return done\n";

/* protocol.h's cancel of a delayed task: out of the set while it waits
 * there; once moved, the entry its moved key names, as any other.
 * KEYS[1] delayed set, KEYS[2] its hash, KEYS[3] the member's moved key,
 * KEYS[4] the level's stream; ARGV[1] member, ARGV[2] group. */
static const char cancel_delayed_script[] = CANCEL_ENTRY_LUA
	"if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then\n"
	"  redis.call('HDEL', KEYS[2], ARGV[1])\n"
	"  return 1\n"
	"end\n"
	"local id = redis.call('GET', KEYS[3])\n"
	"if not id then return 0 end\n"
	"local done = cancel_entry(KEYS[4], id, ARGV[2])\n"
	"if done == 1 then redis.call('DEL', KEYS[3]) end\n"
	"return done\n";

/* protocol.h's delay: due at Redis' now (ms, rounded up) + the delay.
 * KEYS[1] delayed set, KEYS[2] its hash; ARGV[1] member, ARGV[2] delay ms,
 * ARGV[3] the signed task. Replies the due time. */
static const char delay_script[] =
	"local t = redis.call('TIME')\n"
	"local due = tonumber(t[1]) * 1000 + math.ceil(tonumber(t[2]) / 1000) + tonumber(ARGV[2])\n"
	"redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])\n"
	"redis.call('ZADD', KEYS[1], due, ARGV[1])\n"
	"return due\n";

/* A delayed task's member of the delayed set: "<level letter>:<32 hex digits of its id>". */
static void delayed_member(const asynctask_redis_sent_t *sent, char out[2 * ASYNCTASK_WIRE_ID_SIZE + 3])
{
	out[0] = asynctask_redis_level_letter(sent->level);
	out[1] = ':';
	asynctask_wire_id_hex(sent->id, out + 2);
}

static uint64_t unix_time_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

zend_result asynctask_redis_dispatch_use(const zend_string *secret, const char *node)
{
	return asynctask_redis_dispatcher_use(secret, node, ASYNCTASK_G(backend), ASYNCTASK_G(prefix));
}

/* Dispatches between two looks at the reply list when tasks whose Future
 * is gone wait for results: a script that only fires and forgets would
 * otherwise leave their results in Redis (until result_ttl) and in its books. */
#define DRAIN_EVERY 64  /* a power of two */
static uint32_t sends;

/* asynctask.redis_replicas: WAIT on the connection the XADD ran on (WAIT
 * counts the replicas that have that connection's writes) for what is left
 * of dispatch_timeout. FAILURE with BackendException saying how many
 * confirmed: the entry is in the master's stream all the same, and may run. */
#define WAIT_SLACK_SECONDS 0.5  /* for the reply to come after WAIT's own timeout */

static zend_result wait_replicas(uint64_t connection, double deadline, const char *entry)
{
	zend_long wanted = ASYNCTASK_G(redis_replicas);
	double left = deadline - asynctask_redis_clock();
	long long ms = left > 0.001 ? (long long) (left * 1000) : 1;  /* WAIT n 0 would block forever */
	char numreplicas[24], timeout[24], error[1024];
	redisReply *reply;

	snprintf(numreplicas, sizeof(numreplicas), ZEND_LONG_FMT, wanted);
	snprintf(timeout, sizeof(timeout), "%lld", ms);
	{
		const char *argv[] = {"WAIT", numreplicas, timeout};
		size_t argv_len[] = {4, strlen(numreplicas), strlen(timeout)};
		reply = asynctask_redis_command_on(connection, WAIT_SLACK_SECONDS, ms / 1000.0, 3, argv, argv_len,
			error, sizeof(error));
	}
	if (!reply) {
		asynctask_throw(asynctask_ce_backend_exception, "the task was added to the stream (entry %s) but its "
			"replication to " ZEND_LONG_FMT " replica(s) (asynctask.redis_replicas) could not be confirmed: %s; "
			"the entry may still exist and run (at-least-once), or be lost if the master fails before it "
			"replicates", entry, wanted, error);
		return FAILURE;
	}
	if (reply->type != REDIS_REPLY_INTEGER || reply->integer < wanted) {
		asynctask_throw(asynctask_ce_backend_exception, "WAIT confirmed the task's entry %s on %lld of " ZEND_LONG_FMT
			" replica(s) within %lld ms (asynctask.redis_replicas, what asynctask.dispatch_timeout left): the entry "
			"may still exist and run (at-least-once), or be lost if the master fails before it replicates",
			entry, reply->type == REDIS_REPLY_INTEGER ? (long long) reply->integer : 0LL, wanted, ms);
		freeReplyObject(reply);
		return FAILURE;
	}
	freeReplyObject(reply);
	return SUCCESS;
}

/* XADD {prefix}:q:{queue}[:high|:low] * t <signed task>, or with a delay
 * (ms, > 0) the delay step into the queue's delayed set (protocol.h). The
 * entry's queue field names the queue too. No queue is refused here: one
 * that no node serves yet waits in Redis for the first that does. Every task
 * names the reply list: a Future exists for each and may be waited on (no
 * NO_REPLY). */
static zend_result send_entry(const char *payload, size_t length, uint32_t timeout_ms, const char *queue,
	unsigned level, uint64_t delay_ms, uint16_t flags, uint64_t *task_id)
{
	const char *node = asynctask_redis_dispatcher_node();
	double started = asynctask_redis_clock(), deadline = started + ASYNCTASK_G(dispatch_timeout);
	uint64_t connection;
	char stream[ASYNCTASK_REDIS_KEY_MAX], reply_key[ASYNCTASK_REDIS_KEY_MAX];
	asynctask_redis_sent_t sent;
	asynctask_wire_entry_t e = {0};
	zend_string *bytes, *error = NULL;
	redisReply *reply;

	if (!asynctask_redis_dispatcher_secret() || !asynctask_redis_dispatcher_reply_key(reply_key)) {
		asynctask_throw(asynctask_ce_backend_exception, "the Redis transport was not given a secret");
		return FAILURE;
	}
	/* before the XADD: a failure here is a task not sent, never one sent and reported as not */
	if ((++sends & (DRAIN_EVERY - 1)) == 0 && asynctask_redis_sent_forgotten() > 0
			&& asynctask_redis_replies_collect() < 0) {
		return FAILURE;
	}
	if (asynctask_redis_sent_draw(&sent, task_id) == FAILURE) {
		return FAILURE;
	}
	e.kind = ASYNCTASK_WIRE_TASK;
	e.flags = flags;
	memcpy(e.id, sent.id, sizeof(e.id));
	e.attempt = 1;
	e.timeout_ms = timeout_ms;
	e.dispatched_at_us = unix_time_us();
	e.queue = queue;
	e.queue_len = strlen(queue);
	e.node = node;
	e.node_len = strlen(node);
	e.reply_key = reply_key;
	e.reply_key_len = strlen(reply_key);
	e.payload = payload;
	e.payload_len = length;
	bytes = asynctask_wire_encode(&e, asynctask_redis_dispatcher_secret(), &error);
	if (!bytes) {
		asynctask_throw(asynctask_ce_exception, "%s", ZSTR_VAL(error));
		zend_string_release(error);
		return FAILURE;
	}

	sent.level = (uint8_t) level;
	sent.delayed = delay_ms > 0;
	snprintf(sent.queue, sizeof(sent.queue), "%s", queue);
	if (sent.delayed) {
		char set[ASYNCTASK_REDIS_KEY_MAX], hash[ASYNCTASK_REDIS_KEY_MAX], member[2 * ASYNCTASK_WIRE_ID_SIZE + 3];
		char delay[24];
		asynctask_redis_dispatcher_delayed_key(queue, "", set);
		asynctask_redis_dispatcher_delayed_key(queue, ASYNCTASK_REDIS_DELAYED_TASKS, hash);
		delayed_member(&sent, member);
		snprintf(delay, sizeof(delay), "%" PRIu64, delay_ms);
		const char *argv[] = {"EVAL", delay_script, "2", set, hash, member, delay, ZSTR_VAL(bytes)};
		size_t argv_len[] = {4, sizeof(delay_script) - 1, 1, strlen(set), strlen(hash), strlen(member), strlen(delay),
			ZSTR_LEN(bytes)};
		reply = asynctask_redis_command_by(asynctask_redis_dispatcher_backend(), started, deadline, 0, 8, argv, argv_len);
	} else {
		asynctask_redis_dispatcher_level_key(queue, level, stream);
		const char *argv[] = {"XADD", stream, "*", ASYNCTASK_REDIS_FIELD_TASK, ZSTR_VAL(bytes)};
		size_t argv_len[] = {4, strlen(stream), 1, sizeof(ASYNCTASK_REDIS_FIELD_TASK) - 1, ZSTR_LEN(bytes)};
		reply = asynctask_redis_command_by(asynctask_redis_dispatcher_backend(), started, deadline, 0, 5, argv, argv_len);
	}
	zend_string_release(bytes);
	if (!reply) {
		return FAILURE;
	}
	connection = asynctask_redis_connection();
	if (sent.delayed ? reply->type != REDIS_REPLY_INTEGER
			: (reply->type != REDIS_REPLY_STRING || reply->len >= sizeof(sent.entry))) {
		/* the entry may be in the stream (or the set): a node may run the task, nobody waits for it */
		asynctask_throw(asynctask_ce_backend_exception, "Redis answered %s with something other than %s",
			sent.delayed ? "the delay script" : "XADD", sent.delayed ? "a due time" : "an entry id");
		freeReplyObject(reply);
		return FAILURE;
	}
	if (sent.delayed) {
		sent.entry[0] = '\0';
	} else {
		memcpy(sent.entry, reply->str, reply->len);
		sent.entry[reply->len] = '\0';
	}
	freeReplyObject(reply);
	asynctask_redis_sent_keep(*task_id, &sent);
	if (ASYNCTASK_G(redis_replicas) > 0 && wait_replicas(connection, deadline, sent.delayed ? "(in the delayed set)" : sent.entry) == FAILURE) {
		/* no Future: a result that comes is dropped quietly */
		asynctask_redis_sent_forget(*task_id);
		return FAILURE;
	}
	asynctask_redis_events_rearm();  /* with an event stream: it waits for this result too */
	return SUCCESS;
}

/* There is no room to wait for in a stream: idle is not called. */
static zend_result redis_send(const char *payload, size_t length, uint32_t timeout_ms,
	asynctask_transport_idle_fn idle, uint64_t *task_id)
{
	(void) idle;
	return send_entry(payload, length, timeout_ms, ASYNCTASK_REDIS_QUEUE_DEFAULT, ASYNCTASK_REDIS_LEVEL_NORMAL, 0, 0,
		task_id);
}

/* A task with a queue, a priority, a delay, retries or a chain (onQueue()
 * validated the name). A delay is sent in whole ms, rounded up: never early.
 * Retries: the plan leads the payload (codec/retry.h), flagged RETRY; a
 * chain's block is in front of the payload already (src/api/chain.h),
 * flagged CHAIN: both inside the signed bytes, read by the node
 * (node_jobs.c), which retries and chains. */
static zend_result redis_send_job(const char *payload, size_t length, uint32_t timeout_ms,
	const asynctask_task_options_t *options, asynctask_transport_idle_fn idle, uint64_t *task_id)
{
	double ms = ceil(options->delay * 1000.0);
	uint16_t flags = Z_ISUNDEF(options->chain) ? 0 : ASYNCTASK_WIRE_CHAIN;
	uint64_t delay_ms = options->delay > 0 ? (uint64_t) (ms < 1 ? 1 : ms) : 0;
	(void) idle;
	const char *queue = options->queue ? ZSTR_VAL(options->queue) : ASYNCTASK_REDIS_QUEUE_DEFAULT;
	unsigned level = asynctask_redis_level_of(options->priority);
	if (options->retries > 0) {
		smart_str planned = {0};
		asynctask_retry_plan_write(options, &planned);
		smart_str_appendl(&planned, payload, length);
		zend_result sent = send_entry(ZSTR_VAL(planned.s), ZSTR_LEN(planned.s), timeout_ms, queue, level, delay_ms,
			flags | ASYNCTASK_WIRE_RETRY, task_id);
		smart_str_free(&planned);
		return sent;
	}
	return send_entry(payload, length, timeout_ms, queue, level, delay_ms, flags, task_id);
}

/* The cancel step for a sent task: protocol.h's cancel on its level's
 * stream (or its retry's member of the delayed set), or for a delayed one
 * the cancel of a delayed task. */
static redisReply *cancel_sent(const asynctask_redis_sent_t *sent)
{
	char stream[ASYNCTASK_REDIS_KEY_MAX];
	char set[ASYNCTASK_REDIS_KEY_MAX], hash[ASYNCTASK_REDIS_KEY_MAX], moved[ASYNCTASK_REDIS_KEY_MAX];
	char member[2 * ASYNCTASK_WIRE_ID_SIZE + 3], suffix[sizeof(ASYNCTASK_REDIS_DELAYED_MOVED) + sizeof(member)];

	asynctask_redis_dispatcher_level_key(sent->queue, sent->level, stream);
	delayed_member(sent, member);
	snprintf(suffix, sizeof(suffix), "%s%s", ASYNCTASK_REDIS_DELAYED_MOVED, member);
	asynctask_redis_dispatcher_delayed_key(sent->queue, "", set);
	asynctask_redis_dispatcher_delayed_key(sent->queue, ASYNCTASK_REDIS_DELAYED_TASKS, hash);
	asynctask_redis_dispatcher_delayed_key(sent->queue, suffix, moved);
	if (!sent->delayed) {
		const char *argv[] = {"EVAL", cancel_script, "4", stream, set, hash, moved, sent->entry, ASYNCTASK_REDIS_GROUP,
			member};
		size_t argv_len[] = {4, sizeof(cancel_script) - 1, 1, strlen(stream), strlen(set), strlen(hash), strlen(moved),
			strlen(sent->entry), sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(member)};
		return asynctask_redis_command_to(asynctask_redis_dispatcher_backend(), 0, 10, argv, argv_len);
	}
	const char *argv[] = {"EVAL", cancel_delayed_script, "4", set, hash, moved, stream, member, ASYNCTASK_REDIS_GROUP};
	size_t argv_len[] = {4, sizeof(cancel_delayed_script) - 1, 1, strlen(set), strlen(hash), strlen(moved),
		strlen(stream), strlen(member), sizeof(ASYNCTASK_REDIS_GROUP) - 1};
	return asynctask_redis_command_to(asynctask_redis_dispatcher_backend(), 0, 9, argv, argv_len);
}

static bool redis_cancel(uint64_t task_id)
{
	asynctask_redis_sent_t *sent = asynctask_redis_sent_find(task_id);
	redisReply *reply;
	bool cancelled;

	if (!sent) {
		return false;  /* its result came: too late */
	}
	/* a result that came meanwhile settles it: the task ran */
	if (asynctask_redis_replies_collect() < 0 || !(sent = asynctask_redis_sent_find(task_id))) {
		return false;
	}
	reply = cancel_sent(sent);
	if (!reply) {
		return false;
	}
	cancelled = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
	freeReplyObject(reply);
	if (cancelled) {
		asynctask_redis_counts()->cancelled++;
	}
	return cancelled;
}

static void redis_expect(uint64_t task_id)
{
	(void) task_id;  /* in the books since send */
}

static int redis_collect(void)
{
	if (asynctask_redis_events_quiet()) {
		return 0;  /* with an event stream: nothing came since the last look (events.h) */
	}
	int booked = asynctask_redis_replies_collect();
	asynctask_redis_events_rearm();
	return booked < 0 ? 0 : booked;
}

static zend_string *redis_result(uint64_t task_id, zval *value)
{
	(void) value;  /* never decoded here */
	return asynctask_redis_result_take(task_id);
}

/* Settled without a result (cancelled): out of the books. */
static void redis_settled(uint64_t task_id)
{
	asynctask_redis_sent_remove(task_id);
}

static void redis_forget(uint64_t task_id)
{
	asynctask_redis_sent_forget(task_id);
}

/* Every look is a round trip: sleeping (a blocking pop) answers as fast. */
static bool redis_spin(void)
{
	return false;
}

static bool redis_sleep(int timeout_ms)
{
	return asynctask_redis_replies_sleep(timeout_ms);
}

static void redis_show_id(uint64_t task_id, char *out)
{
	asynctask_redis_sent_t *sent = asynctask_redis_sent_find(task_id);

	if (sent) {
		asynctask_wire_id_hex(sent->id, out);
	} else {
		snprintf(out, ASYNCTASK_TASK_ID_SHOWN, "%016" PRIx64, task_id);
	}
}

static bool redis_alive(void)
{
	return true;  /* a task waits in Redis for the first node that serves its queue */
}

/* The Future could not take a value after all: it counts as `status` (never
 * a value) instead. */
static void redis_recount(asynctask_result_status_t status)
{
	asynctask_redis_counts_t *counts = asynctask_redis_counts();

	if (counts->completed) {
		counts->completed--;
	}
	asynctask_redis_count_outcome(status);
}

const asynctask_transport_t asynctask_redis_transport = {
	.name     = "redis",
	.remote   = true,
	.send     = redis_send,
	.send_job = redis_send_job,
	.cancel   = redis_cancel,
	.expect   = redis_expect,
	.collect  = redis_collect,
	.result   = redis_result,
	.settled  = redis_settled,
	.forget   = redis_forget,
	.spin     = redis_spin,
	.sleep    = redis_sleep,
	.show_id  = redis_show_id,
	.events   = asynctask_redis_events,
	.alive    = redis_alive,
	.recount  = redis_recount,
};

void asynctask_redis_dispatch_stats(zval *return_value)
{
	asynctask_redis_counts_t *c;

	/* results that came meanwhile: the counts are as of now (an error is the caller's to see) */
	if (asynctask_redis_replies_collect() < 0) {
		return;
	}
	c = asynctask_redis_counts();
	array_init_size(return_value, 16);
	add_assoc_string(return_value, "backend", "redis");
	add_assoc_long(return_value, "workers", 0);
	add_assoc_long(return_value, "idle", 0);
	/* sent, outcome not seen yet: waiting in the stream or running on a node (a dispatcher cannot tell which) */
	add_assoc_long(return_value, "queued", (zend_long) asynctask_redis_sent_pending());
	add_assoc_long(return_value, "running", 0);
	add_assoc_long(return_value, "completed", (zend_long) c->completed);
	add_assoc_long(return_value, "failed", (zend_long) c->failed);
	add_assoc_long(return_value, "crashed", (zend_long) c->crashed);
	add_assoc_long(return_value, "timed_out", (zend_long) c->timed_out);
	add_assoc_long(return_value, "respawned", 0);
	add_assoc_long(return_value, "queue_bytes_used", 0);
	add_assoc_long(return_value, "queue_bytes_total", 0);
	add_assoc_long(return_value, "dispatched", (zend_long) c->dispatched);
	add_assoc_long(return_value, "cancelled", (zend_long) c->cancelled);
	add_assoc_long(return_value, "dropped_results", (zend_long) c->unread);
	add_assoc_long(return_value, "refused_results", (zend_long) c->refused);
	if (!asynctask_redis_dispatch_queue_figures(return_value)) {
		zval_ptr_dtor(return_value);
		ZVAL_NULL(return_value);
	}
}

void asynctask_redis_dispatch_rshutdown(void)
{
	asynctask_redis_command_flush();   /* the LTRIM of the last results booked (replies.c) */
	asynctask_redis_dispatcher_rshutdown();
}

void asynctask_redis_dispatch_mshutdown(void)
{
	asynctask_redis_dispatcher_mshutdown();
}
