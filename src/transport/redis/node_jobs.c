/*
 * A Redis node's retries (Task::withRetries()) and chains (Task::then()),
 * durable step by step (README "Jobs", "Several machines"):
 *
 *   - a run that threw, crashed or passed its time limit, with runs left in
 *     its plan, is not stored: the retry step (one Lua script) puts the same
 *     signed task, re-signed with the attempt one higher, into its queue's
 *     delayed set, due after its backoff (codec/retry.h, by Redis' clock),
 *     and acknowledges the entry that ran; the move step (node_delayed.c)
 *     queues it again when due, for any node;
 *   - a link of a chain that returned a value, with links after it, is not
 *     stored either: the next step (one Lua script) adds the next link to
 *     its level's stream of the same queue, as a task of its own (attempt 1,
 *     its own time limit and retries) carrying the value as its first
 *     argument and the links after it, and acknowledges the entry that ran;
 *   - the last run of a task with retries that failed is stored saying how
 *     many attempts there were.
 * Each step acts only while the entry is pending to this node in this
 * delivery (as the store step): a node that died before it leaves the entry
 * pending, reclaimed past asynctask.visibility_timeout (at-least-once: that
 * run or link runs again), and a step sent twice (the connection dropped
 * before its answer) acts once. Nothing waits in this node's memory between
 * two steps: a node SIGKILLed mid-backoff or mid-chain loses nothing.
 *
 * The attempt a run shows (context()->attempt(), the job's `run`) is the
 * entry's signed attempt (the runs before it) plus its deliveries after the
 * first: a run reclaimed from a dead node counts as an attempt too, and
 * uses up a retry. asynctask.max_attempts still bounds the deliveries of
 * one entry (one step), as for any task.
 *
 * The task's id, owner, reply key, queue and dispatch time never change: the
 * dispatcher's Future settles once, with the first success (the last link's
 * value) or the last failure.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "ext/random/php_random.h"

#include "src/codec/chain.h"
#include "src/codec/retry.h"
#include "src/transport/redis/node_internal.h"

/* retry: KEYS stream set hash; ARGV group id consumer delivery member backoff_ms task.
 * Due at Redis' now (ms, rounded up) + the backoff; only while the entry is
 * pending to this consumer in this delivery. */
static const char RETRY_SCRIPT[] =
	"local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])\n"
	"if #p == 0 or tonumber(p[1][4]) ~= tonumber(ARGV[4]) then return 0 end\n"
	"local t = redis.call('TIME')\n"
	"local due = tonumber(t[1]) * 1000 + math.ceil(tonumber(t[2]) / 1000) + tonumber(ARGV[6])\n"
	"redis.call('HSET', KEYS[3], ARGV[5], ARGV[7])\n"
	"redis.call('ZADD', KEYS[2], due, ARGV[5])\n"
	"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
	"redis.call('XDEL', KEYS[1], ARGV[2])\n"
	"return 1\n";

/* next: KEYS stream next_stream; ARGV group id consumer delivery task. Likewise guarded. */
static const char NEXT_SCRIPT[] =
	"local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])\n"
	"if #p == 0 or tonumber(p[1][4]) ~= tonumber(ARGV[4]) then return 0 end\n"
	"redis.call('XADD', KEYS[2], '*', '" ASYNCTASK_REDIS_FIELD_TASK "', ARGV[5])\n"
	"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
	"redis.call('XDEL', KEYS[1], ARGV[2])\n"
	"return 1\n";

#define RUNS_MAX 1001u   /* the first run and at most 1000 retries (Task::withRetries()) */

bool asynctask_redis_job_parts(const asynctask_redis_job_t *job, asynctask_redis_job_parts_t *parts)
{
	const char *p = job->task.payload;
	size_t left = job->task.payload_len, n;

	memset(parts, 0, sizeof(*parts));
	if (job->task.flags & ASYNCTASK_WIRE_RETRY) {
		if ((n = asynctask_retry_plan_read(p, left, &parts->retry)) == 0) {
			return false;
		}
		parts->plan = p;
		parts->plan_len = n;
		p += n;
		left -= n;
	}
	if (job->task.flags & ASYNCTASK_WIRE_CHAIN) {
		if ((n = asynctask_chain_read(p, left, &parts->chain)) == 0) {
			return false;
		}
		parts->block = p;
		parts->block_len = n;
		p += n;
		left -= n;
	}
	parts->body = p;
	parts->body_len = left;
	return true;
}

/* A uniform draw in [0, 1), for the jitter. */
static double draw(void)
{
	uint64_t bits = 0;

	if (php_random_bytes_silent(&bits, sizeof(bits)) == FAILURE) {
		bits = asynctask_now_ns() * 0x9E3779B97F4A7C15ull;
	}
	return (double) (bits >> 11) / (double) (1ull << 53);
}

static bool retry_status(asynctask_result_status_t status)
{
	return status == ASYNCTASK_RESULT_THREW || status == ASYNCTASK_RESULT_CRASHED
		|| status == ASYNCTASK_RESULT_TIMED_OUT;
}

/* The task re-signed: e (job's fields, changed by the caller). NULL, logged, when it cannot be. */
static zend_string *sign(const asynctask_redis_job_t *job, const asynctask_wire_entry_t *e)
{
	zend_string *error = NULL;
	zend_string *secret = zend_string_init(asynctask_rnode.config.secret, asynctask_rnode.config.secret_len, 0);
	zend_string *bytes = asynctask_wire_encode(e, secret, &error);

	zend_string_efree(secret);
	if (!bytes) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "entry_not_encoded",
			"redis node: the next run of entry %s cannot be encoded: %s", job->entry_id, error ? ZSTR_VAL(error) : "?");
		if (error) zend_string_release(error);
	}
	return bytes;
}

/* Sends a step (argv[1] its script) that finishes job; false (job kept) when out of memory. */
static bool send_step(asynctask_redis_job_t *job, int argc, const char **argv, const size_t *argvlen)
{
	op_t *op = asynctask_redis_node_op_new(argc, argv, argvlen);

	if (!op) {
		return false;
	}
	op->kind = OP_STORE;
	op->job = job;
	asynctask_redis_node_send_op(op);
	return true;
}

/* The retry step: job's task again after its backoff. */
static bool retry(asynctask_redis_job_t *job, const asynctask_redis_job_parts_t *parts, asynctask_result_status_t status)
{
	char delivery[16], backoff[32], member[2 * ASYNCTASK_WIRE_ID_SIZE + 3];
	uint64_t ns = asynctask_retry_backoff_ns(&parts->retry, job->run, draw());
	uint64_t ms = (ns + 999999) / 1000000;   /* rounded up: never early */
	asynctask_wire_entry_t e = job->task;

	e.attempt = job->run + 1;
	zend_string *bytes = sign(job, &e);
	if (!bytes) {
		return false;
	}
	snprintf(delivery, sizeof(delivery), "%u", job->attempt);
	snprintf(backoff, sizeof(backoff), "%" PRIu64, ms);
	member[0] = asynctask_redis_level_letter(job->level);
	member[1] = ':';
	asynctask_wire_id_hex(job->task.id, member + 2);
	const node_queue_t *queue = &asynctask_rnode.queues[job->queue < asynctask_rnode.nqueues ? job->queue : 0];
	const char *stream = asynctask_redis_node_job_stream(job);
	const char *argv[] = { "EVAL", RETRY_SCRIPT, "3", stream, queue->delayed, queue->delayed_tasks,
		ASYNCTASK_REDIS_GROUP, job->entry_id, asynctask_rnode.config.node, delivery, member, backoff, ZSTR_VAL(bytes) };
	size_t argvlen[] = { 4, sizeof(RETRY_SCRIPT) - 1, 1, strlen(stream), strlen(queue->delayed),
		strlen(queue->delayed_tasks), sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(job->entry_id),
		strlen(asynctask_rnode.config.node), strlen(delivery), strlen(member), strlen(backoff), ZSTR_LEN(bytes) };
	asynctask_log_event(ASYNCTASK_LOG_INFO, "entry_retried",
		"redis node: entry %s (attempt %u of %u) %s: it runs again in %.3f s", job->entry_id, job->run,
		parts->retry.times + 1, status == ASYNCTASK_RESULT_CRASHED ? "crashed"
			: status == ASYNCTASK_RESULT_TIMED_OUT ? "passed its time limit" : "threw", (double) ms / 1000);
	bool sent = send_step(job, 13, argv, argvlen);
	zend_string_efree(bytes);
	return sent;
}

/* The next step: the chain's next link with value (serialized) as its first
 * argument. Else *why says why the chain fails here. */
static bool next_link(asynctask_redis_job_t *job, const asynctask_redis_job_parts_t *parts, const char *value,
	size_t len, char *why, size_t why_size)
{
	const asynctask_chain_t *chain = &parts->chain;
	asynctask_chain_link_t next;
	smart_str payload = {0};
	char delivery[16];

	if (!asynctask_chain_next(chain, value, len, &payload, &next, why, why_size)) {
		return false;
	}
	smart_str_0(&payload);
	if (ZSTR_LEN(payload.s) > asynctask_rnode.config.max_payload) {
		snprintf(why, why_size, "link %u of the chain would encode to %zu bytes with the value of link %u, more "
			"than asynctask.max_payload (%zu bytes)", chain->link + 1, ZSTR_LEN(payload.s), chain->link,
			asynctask_rnode.config.max_payload);
		smart_str_free(&payload);
		return false;
	}
	asynctask_wire_entry_t e = job->task;
	e.flags = (uint16_t) ((job->task.flags & ASYNCTASK_WIRE_NO_REPLY) | ASYNCTASK_WIRE_CHAIN
		| (next.plan_len ? ASYNCTASK_WIRE_RETRY : 0));
	e.attempt = 1;
	e.timeout_ms = next.timeout_ms;
	e.payload = ZSTR_VAL(payload.s);
	e.payload_len = ZSTR_LEN(payload.s);
	zend_string *bytes = sign(job, &e);
	smart_str_free(&payload);
	if (!bytes) {
		snprintf(why, why_size, "link %u of the chain cannot be signed", chain->link + 1);
		return false;
	}
	snprintf(delivery, sizeof(delivery), "%u", job->attempt);
	const node_queue_t *queue = &asynctask_rnode.queues[job->queue < asynctask_rnode.nqueues ? job->queue : 0];
	const char *stream = asynctask_redis_node_job_stream(job);
	const char *next_stream = queue->streams[asynctask_redis_level_of(next.priority)];
	const char *argv[] = { "EVAL", NEXT_SCRIPT, "2", stream, next_stream, ASYNCTASK_REDIS_GROUP, job->entry_id,
		asynctask_rnode.config.node, delivery, ZSTR_VAL(bytes) };
	size_t argvlen[] = { 4, sizeof(NEXT_SCRIPT) - 1, 1, strlen(stream), strlen(next_stream),
		sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(job->entry_id), strlen(asynctask_rnode.config.node),
		strlen(delivery), ZSTR_LEN(bytes) };
	bool sent = send_step(job, 10, argv, argvlen);
	zend_string_efree(bytes);
	if (!sent) {
		snprintf(why, why_size, "the node ran out of memory queueing link %u of the chain", chain->link + 1);
	}
	return sent;
}

/* Stores job's failure with message (FAILED). */
static void fail(asynctask_redis_job_t *job, const char *message)
{
	smart_str encoded = {0};

	asynctask_log_event(ASYNCTASK_LOG_ERROR, "chain_failed", "redis node: entry %s: %s", job->entry_id, message);
	asynctask_remote_error_encode_message(message, &encoded);
	asynctask_redis_node_store(job, ASYNCTASK_RESULT_FAILED, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s), 0);
	smart_str_free(&encoded);
}

/* The last failed run of a task with retries: stored saying how many attempts it had. */
static void store_last_failure(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len)
{
	asynctask_remote_error_t error = {0};
	smart_str encoded = {0};

	if (!asynctask_remote_error_decode(data, len, &error)) {
		asynctask_redis_node_store(job, status, data, len, 0);
		return;
	}
	error.attempts = job->run;
	asynctask_remote_error_encode(&error, &encoded);
	asynctask_remote_error_dtor(&error);
	asynctask_redis_node_store(job, status, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s), 0);
	smart_str_free(&encoded);
}

bool asynctask_redis_node_follow_up(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len)
{
	asynctask_redis_job_parts_t parts;
	char why[512];

	if (!(job->task.flags & (ASYNCTASK_WIRE_RETRY | ASYNCTASK_WIRE_CHAIN)) || !asynctask_redis_job_parts(job, &parts)) {
		return false;   /* (a job whose parts do not read failed before it ran: bridge.c) */
	}
	if (status == ASYNCTASK_RESULT_VALUE) {
		if (!parts.block || parts.chain.remaining == 0) {
			return false;   /* the task's (or the chain's last) value: stored */
		}
		if (!next_link(job, &parts, data, len, why, sizeof(why))) {
			fail(job, why);
		}
		return true;
	}
	if (!parts.plan) {
		return false;
	}
	if (retry_status(status) && job->run <= parts.retry.times && job->run < RUNS_MAX && retry(job, &parts, status)) {
		return true;
	}
	/* its last run (a crash too: not delivered again past the plan) */
	store_last_failure(job, status, data, len);
	return true;
}
