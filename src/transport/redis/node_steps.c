/*
 * A Redis node's atomic steps (protocol.h), each a Lua script: storing a
 * result, dead-lettering an entry, and keeping the entries of running jobs
 * fresh (touch). The claim step, which takes entries, is node_claim.c's.
 *
 * It calls down to node_writer.c (the op sent on the writer) and
 * node_reply.c, never up to node_take.c, node_entry.c or node_conn.c.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"
#include "src/transport/redis/node_lua.h"

/* --- the atomic steps (protocol.h) ------------------------------------------------
 * store: KEYS stream [reply]; ARGV group id consumer attempt [result ttl_ms].
 * Only while the entry is pending to this consumer, in this delivery (a
 * delivery count past our attempt means it was delivered again since: our
 * result is late and dropped): node_lua.h's store(), which the take step
 * carrying store steps (node_take.c) runs too. */
static const char STORE_SCRIPT[] =
	NODE_LUA_STORE
	"return store(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], KEYS[2], ARGV[5], ARGV[6])\n";

/* dead: KEYS stream dead [reply]; ARGV group id consumer t error node attempts [result ttl_ms].
 * Only while the entry is pending to this consumer. The dead stream is
 * trimmed to about its newest ASYNCTASK_REDIS_DEAD_MAX entries as it grows. */
static const char DEAD_SCRIPT[] =
	"local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])\n"
	"if #p == 0 then return 0 end\n"
	"redis.call('XADD', KEYS[2], 'MAXLEN', '~', " ASYNCTASK_REDIS_DEAD_MAX_TEXT ", '*', 't', ARGV[4], 'error', ARGV[5], 'node', ARGV[6], 'attempts', ARGV[7],\n"
	"  'stream', KEYS[1], 'id', ARGV[2])\n"
	"if #KEYS > 2 then\n"
	"  redis.call('RPUSH', KEYS[3], ARGV[8])\n"
	"  redis.call('PEXPIRE', KEYS[3], ARGV[9])\n"
	"end\n"
	"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
	"redis.call('XDEL', KEYS[1], ARGV[2])\n"
	"return 1\n";

/* touch: KEYS the streams (every queue's, three a queue); ARGV group consumer, then (key index, id) pairs.
 * Resets the idle time of the entries still pending to this consumer
 * (JUSTID: the delivery count stays), so that no node reclaims a task this
 * live node is running. */
static const char TOUCH_SCRIPT[] =
	"local n = 0\n"
	"for i = 3, #ARGV - 1, 2 do\n"
	"  local key, id = KEYS[tonumber(ARGV[i])], ARGV[i + 1]\n"
	"  local p = redis.call('XPENDING', key, ARGV[1], id, id, 1, ARGV[2])\n"
	"  if #p > 0 then\n"
	"    redis.call('XCLAIM', key, ARGV[1], ARGV[2], 0, id, 'JUSTID')\n"
	"    n = n + 1\n"
	"  end\n"
	"end\n"
	"return n\n";

#define TOUCH_MAX 1024   /* entries per touch */
/* --- results --------------------------------------------------------------------- */

/* The signed RESULT entry of job: status, the 8-byte big-endian bound, the bytes. NULL when it cannot be encoded. */
static zend_string *result_entry(const asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size)
{
	zend_string *error = NULL;
	char *payload = malloc(ASYNCTASK_REDIS_RESULT_HEADER + len);

	if (!payload) {
		return NULL;
	}
	payload[0] = (char) status;
	for (int i = 0; i < 8; i++) {
		payload[1 + i] = (char) (((uint64_t) decoded_size >> (56 - 8 * i)) & 0xff);
	}
	memcpy(payload + ASYNCTASK_REDIS_RESULT_HEADER, data, len);

	asynctask_wire_entry_t e = job->task;
	e.kind = ASYNCTASK_WIRE_RESULT;
	e.flags = status == ASYNCTASK_RESULT_VALUE ? 0 : ASYNCTASK_WIRE_FAILED;
	e.attempt = job->attempt;
	e.node = asynctask_rnode.config.node;
	e.node_len = strlen(asynctask_rnode.config.node);
	e.reply_key = NULL;
	e.reply_key_len = 0;
	e.payload = payload;
	e.payload_len = ASYNCTASK_REDIS_RESULT_HEADER + len;
	zend_string *secret = zend_string_init(asynctask_rnode.config.secret, asynctask_rnode.config.secret_len, 0);
	zend_string *bytes = asynctask_wire_encode(&e, secret, &error);
	zend_string_efree(secret);
	free(payload);
	if (!bytes) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "result_not_encoded",
			"redis node: the result of entry %s cannot be encoded: %s", job->entry_id,
			error ? ZSTR_VAL(error) : "?");
		if (error) zend_string_release(error);
	}
	return bytes;
}

static bool has_reply(const asynctask_redis_job_t *job)
{
	return job && !(job->task.flags & ASYNCTASK_WIRE_NO_REPLY) && job->task.reply_key_len > 0;
}

void asynctask_redis_node_store(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size)
{
	char attempt[16], ttl[32];
	zend_string *bytes = NULL;
	bool reply = has_reply(job);

	snprintf(attempt, sizeof(attempt), "%u", job->attempt);
	snprintf(ttl, sizeof(ttl), "%" PRIu64, asynctask_rnode.config.result_ttl_ms);
	if (reply && !(bytes = result_entry(job, status, data, len, decoded_size))) {
		asynctask_redis_node_job_free(job);   /* left pending: reclaimed and run again */
		return;
	}
	const char *stream = asynctask_redis_node_job_stream(job);
	const char *argv[] = { "EVAL", STORE_SCRIPT, reply ? "2" : "1", stream,
		reply ? job->task.reply_key : "",
		ASYNCTASK_REDIS_GROUP, job->entry_id, asynctask_rnode.config.node, attempt, bytes ? ZSTR_VAL(bytes) : "", ttl };
	size_t argvlen[] = { 4, sizeof(STORE_SCRIPT) - 1, 1, strlen(stream),
		reply ? job->task.reply_key_len : 0,
		sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(job->entry_id), strlen(asynctask_rnode.config.node), strlen(attempt),
		bytes ? ZSTR_LEN(bytes) : 0, strlen(ttl) };
	op_t *op;
	if (reply) {
		op = asynctask_redis_node_op_new(11, argv, argvlen);
	} else {
		/* no reply key: KEYS stream; ARGV group id consumer attempt */
		const char *args[] = { argv[0], argv[1], argv[2], argv[3], argv[5], argv[6], argv[7], argv[8] };
		size_t lens[] = { argvlen[0], argvlen[1], argvlen[2], argvlen[3], argvlen[5], argvlen[6], argvlen[7], argvlen[8] };
		op = asynctask_redis_node_op_new(8, args, lens);
	}
	if (bytes) zend_string_efree(bytes);
	if (!op) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory storing the result of entry %s", job->entry_id);
		asynctask_redis_node_job_free(job);
		return;
	}
	op->kind = OP_STORE;
	op->job = job;
	asynctask_redis_node_store_op(op);   /* with the next take step, or on the writer */
}

/* Moves an entry to the dead stream with why (and, for a task someone waits
 * on whose entry verified, a result of `status` saying so: CRASHED when its
 * last attempt's worker died, so that the caller gets WorkerCrashedException,
 * else FAILED). job NULL: an entry that failed to verify (raw: its field as it
 * came). Frees job. */
void asynctask_redis_node_dead_letter(const char *entry_id, const char *raw, size_t raw_len, asynctask_redis_job_t *job,
	uint32_t attempts, const char *why, asynctask_result_status_t status, const char *result_message)
{
	char count[16], ttl[32];
	zend_string *bytes = NULL;
	smart_str error = {0};

	snprintf(count, sizeof(count), "%u", attempts);
	snprintf(ttl, sizeof(ttl), "%" PRIu64, asynctask_rnode.config.result_ttl_ms);
	bool reply = has_reply(job) && result_message;
	if (reply) {
		asynctask_remote_error_encode_message(result_message, &error);
		bytes = result_entry(job, status, ZSTR_VAL(error.s), ZSTR_LEN(error.s), 0);
		smart_str_free(&error);
		reply = bytes != NULL;
	}
	const char *stream = job ? asynctask_redis_node_job_stream(job)
		: asynctask_rnode.queues[0].streams[ASYNCTASK_REDIS_LEVEL_NORMAL];
	const char *argv[] = { "EVAL", DEAD_SCRIPT, reply ? "3" : "2", stream, asynctask_rnode.dead,
		reply ? job->task.reply_key : "", ASYNCTASK_REDIS_GROUP, entry_id, asynctask_rnode.config.node, raw, why,
		asynctask_rnode.config.node, count, bytes ? ZSTR_VAL(bytes) : "", ttl };
	size_t argvlen[] = { 4, sizeof(DEAD_SCRIPT) - 1, 1, strlen(stream), strlen(asynctask_rnode.dead),
		reply ? job->task.reply_key_len : 0, sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(entry_id),
		strlen(asynctask_rnode.config.node), raw_len, strlen(why), strlen(asynctask_rnode.config.node), strlen(count),
		bytes ? ZSTR_LEN(bytes) : 0, strlen(ttl) };
	op_t *op;
	if (reply) {
		op = asynctask_redis_node_op_new(15, argv, argvlen);
	} else {
		const char *args[] = { argv[0], argv[1], argv[2], argv[3], argv[4], argv[6], argv[7], argv[8], argv[9],
			argv[10], argv[11], argv[12] };
		size_t lens[] = { argvlen[0], argvlen[1], argvlen[2], argvlen[3], argvlen[4], argvlen[6], argvlen[7],
			argvlen[8], argvlen[9], argvlen[10], argvlen[11], argvlen[12] };
		op = asynctask_redis_node_op_new(12, args, lens);
	}
	if (bytes) zend_string_efree(bytes);
	if (!op) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory dead-lettering entry %s", entry_id);
		asynctask_redis_node_job_free(job);
		return;
	}
	op->kind = OP_DEAD;
	op->job = job;
	asynctask_redis_node_send_op(op);
}

/* Keeps the entries of the jobs running here from looking abandoned (TOUCH_SCRIPT). */
void asynctask_redis_node_touch(void)
{
	uint64_t now = asynctask_now_ns();

	if (!asynctask_rnode.live || now < asynctask_rnode.next_touch || asynctask_rnode.writer.state != CONN_UP
		|| !asynctask_rnode.writer.ready) {
		return;
	}
	uint64_t every = asynctask_rnode.config.visibility_ms * 1000000ull / 3;
	every = every < 20000000ull ? 20000000ull : every > 10000000000ull ? 10000000000ull : every;
	asynctask_rnode.next_touch = now + every;

	/* "1" .. the number of streams, the key index of each (Lua counts from 1) */
	static char key_index[ASYNCTASK_QUEUES_MAX * ASYNCTASK_REDIS_LEVELS][8];
	char keys[16];
	uint32_t nkeys = asynctask_rnode.nqueues * ASYNCTASK_REDIS_LEVELS;
	uint32_t n = asynctask_rnode.live_count < TOUCH_MAX ? asynctask_rnode.live_count : TOUCH_MAX;
	const size_t head = 3 + (size_t) nkeys + 2;
	const char **argv = malloc((head + 2 * (size_t) n) * sizeof(char *));
	size_t *argvlen = malloc((head + 2 * (size_t) n) * sizeof(size_t));
	if (!argv || !argvlen) {
		free(argv);
		free(argvlen);
		return;
	}
	int argc = 0;
	snprintf(keys, sizeof(keys), "%u", nkeys);
	argv[argc++] = "EVAL"; argv[argc++] = TOUCH_SCRIPT; argv[argc++] = keys;
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
			snprintf(key_index[q * ASYNCTASK_REDIS_LEVELS + l], sizeof(key_index[0]), "%u",
				q * ASYNCTASK_REDIS_LEVELS + l + 1);
			argv[argc++] = asynctask_rnode.queues[q].streams[l];
		}
	}
	argv[argc++] = ASYNCTASK_REDIS_GROUP; argv[argc++] = asynctask_rnode.config.node;
	for (asynctask_redis_job_t *job = asynctask_rnode.live; job && argc < (int) (head + 2 * n); job = job->next) {
		unsigned queue = job->queue < asynctask_rnode.nqueues ? job->queue : 0;
		unsigned level = job->level < ASYNCTASK_REDIS_LEVELS ? job->level : ASYNCTASK_REDIS_LEVEL_NORMAL;
		argv[argc++] = key_index[queue * ASYNCTASK_REDIS_LEVELS + level];
		argv[argc++] = job->entry_id;
	}
	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	asynctask_redis_node_command(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, argc, argv, argvlen);
	free(argv);
	free(argvlen);
}
