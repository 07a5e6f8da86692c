/*
 * A node's side of the Redis protocol (node.h, protocol.h): the reader's
 * XREADGROUP, the verification of every entry, the atomic store, reclaim
 * and dead-letter steps (Lua scripts, below), and the connections' upkeep.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "php.h"
#include "zend_smart_str.h"

#include "src/base/clock.h"
#include "src/base/log.h"
#include "src/codec/remote_error.h"
#include "src/codec/redis/wire.h"
#include "src/transport/redis/loop.h"
#include "src/transport/redis/node.h"
#include "src/transport/redis/protocol.h"

#define BLOCK_MS            "1000"      /* a blocked read returns this often (and a drain waits at most this) */
#define BACKOFF_MIN_NS      (100ull * 1000 * 1000)
#define BACKOFF_MAX_NS      (5000ull * 1000 * 1000)
#define FIGURES_EVERY_NS    (1000ull * 1000 * 1000)
#define KEPT_MAX_BYTES      (256u << 20)    /* results kept while Redis is away, at most */
#define KEPT_MAX_COUNT      100000u

/* --- the atomic steps (protocol.h) ------------------------------------------------
 * store: KEYS stream [reply]; ARGV group id consumer attempt [result ttl_ms].
 * Only while the entry is pending to this consumer, in this delivery (a
 * delivery count past our attempt means it was delivered again since: our
 * result is late and dropped). */
static const char STORE_SCRIPT[] =
	"local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])\n"
	"if #p == 0 or tonumber(p[1][4]) ~= tonumber(ARGV[4]) then return 0 end\n"
	"if #KEYS > 1 then\n"
	"  redis.call('RPUSH', KEYS[2], ARGV[5])\n"
	"  redis.call('PEXPIRE', KEYS[2], ARGV[6])\n"
	"end\n"
	"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
	"redis.call('XDEL', KEYS[1], ARGV[2])\n"
	"return 1\n";

/* dead: KEYS stream dead [reply]; ARGV group id consumer t error node attempts [result ttl_ms].
 * Only while the entry is pending to this consumer. */
static const char DEAD_SCRIPT[] =
	"local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])\n"
	"if #p == 0 then return 0 end\n"
	"redis.call('XADD', KEYS[2], '*', 't', ARGV[4], 'error', ARGV[5], 'node', ARGV[6], 'attempts', ARGV[7],\n"
	"  'stream', KEYS[1], 'id', ARGV[2])\n"
	"if #KEYS > 2 then\n"
	"  redis.call('RPUSH', KEYS[3], ARGV[8])\n"
	"  redis.call('PEXPIRE', KEYS[3], ARGV[9])\n"
	"end\n"
	"redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
	"redis.call('XDEL', KEYS[1], ARGV[2])\n"
	"return 1\n";

/* claim: KEYS stream; ARGV group consumer min_idle_ms 'auto'|'id' count|id.
 * XAUTOCLAIM (entries idle past visibility_timeout) or XCLAIM (one entry,
 * again at once: its worker crashed), each with its delivery count after the
 * claim, which is the attempt: [[id, fields, deliveries], ...]. */
static const char CLAIM_SCRIPT[] =
	"local claimed\n"
	"if ARGV[4] == 'id' then\n"
	"  claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[5])\n"
	"else\n"
	"  claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[5])[2]\n"
	"end\n"
	"local out = {}\n"
	"for _, e in ipairs(claimed) do\n"
	"  if type(e) == 'table' and type(e[2]) == 'table' then\n"
	"    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)\n"
	"    local n = 0\n"
	"    if #p > 0 then n = p[1][4] end\n"
	"    out[#out + 1] = {e[1], e[2], n}\n"
	"  end\n"
	"end\n"
	"return out\n";

/* touch: KEYS stream; ARGV group consumer id... Resets the idle time of the
 * entries still pending to this consumer (JUSTID: the delivery count stays),
 * so that no node reclaims a task this live node is running. */
static const char TOUCH_SCRIPT[] =
	"local n = 0\n"
	"for i = 3, #ARGV do\n"
	"  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])\n"
	"  if #p > 0 then\n"
	"    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')\n"
	"    n = n + 1\n"
	"  end\n"
	"end\n"
	"return n\n";

#define TOUCH_MAX 1024   /* entries per touch */

/* --- state --------------------------------------------------------------------- */

typedef enum { CONN_DOWN = 0, CONN_UP } conn_state_t;

typedef struct {
	const char        *name;       /* "reader", "writer" (logs) */
	redisAsyncContext *ac;
	conn_state_t       state;
	bool               ever_up;
	bool               ready;      /* handshake answered */
	uint64_t           retry_at;   /* when to connect again */
	uint64_t           backoff_ns;
	bool               lost_logged;
	bool               refused;    /* Redis refused its AUTH or SELECT: being closed */
	uint64_t           heard_ns;   /* when Redis last answered on it (or it was opened) */
	long long          client_id;  /* CLIENT ID (the reader's: unblocked by the writer when the node drains) */
} conn_t;

/* A command on the writer: its arguments (malloc), and the job it finishes. */
typedef struct op {
	struct op *next;
	int        argc;
	char     **argv;
	size_t    *argvlen;
	size_t     bytes;
	asynctask_redis_job_t *job;   /* freed when the reply comes */
	enum { OP_STORE, OP_DEAD } kind;
} op_t;

static struct {
	struct event_base *base;
	asynctask_redis_node_config_t config;
	asynctask_redis_node_hooks_t hooks;
	char     stream[512];
	char     dead[512];
	conn_t   reader, writer;
	bool     started;
	bool     taking;
	bool     reading;          /* an XREADGROUP is out on the reader */
	uint32_t claiming;         /* claim scripts out on the writer */
	uint32_t reserved;         /* workers promised to claims out */
	uint32_t ops_out;          /* store/dead scripts out on the writer */
	op_t    *kept;             /* waiting for the writer to come back (oldest first) */
	op_t   **kept_tail;
	size_t   kept_bytes;
	uint32_t kept_count;
	uint64_t next_reclaim;
	uint64_t next_touch;
	asynctask_redis_job_t *live;   /* jobs running (handed to the bridge, not finished) */
	uint32_t live_count;
	uint64_t next_figures;
	bool     figures_out;
	bool     unblocking;       /* CLIENT UNBLOCK of the reader out on the writer (draining) */
	asynctask_redis_node_stats_t stats;
} node;

/* --- replies ------------------------------------------------------------------ */

/* Redis answered on ac's connection (for the watchdog, asynctask_redis_node_tick()). */
static void heard(const redisAsyncContext *ac)
{
	uint64_t now = asynctask_now_ns();

	if (ac == node.reader.ac) {
		node.reader.heard_ns = now;
	} else if (ac == node.writer.ac) {
		node.writer.heard_ns = now;
	}
}

static bool is_error(const redisReply *reply)
{
	return reply && reply->type == REDIS_REPLY_ERROR;
}

static void ignore_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	(void) privdata;
	if (r) {
		heard(ac);
	}
}

/* --- commands on the writer, kept while it is away ---------------------------------- */

static op_t *op_new(int argc, const char **argv, const size_t *argvlen)
{
	op_t *op = calloc(1, sizeof(*op));
	if (!op) {
		return NULL;
	}
	op->argc = argc;
	op->argv = calloc((size_t) argc, sizeof(char *));
	op->argvlen = calloc((size_t) argc, sizeof(size_t));
	if (!op->argv || !op->argvlen) {
		free(op->argv);
		free(op->argvlen);
		free(op);
		return NULL;
	}
	for (int i = 0; i < argc; i++) {
		op->argv[i] = malloc(argvlen[i] + 1);
		if (!op->argv[i]) {
			for (int j = 0; j < i; j++) free(op->argv[j]);
			free(op->argv);
			free(op->argvlen);
			free(op);
			return NULL;
		}
		memcpy(op->argv[i], argv[i], argvlen[i]);
		op->argv[i][argvlen[i]] = '\0';
		op->argvlen[i] = argvlen[i];
		op->bytes += argvlen[i];
	}
	return op;
}

static void job_free(asynctask_redis_job_t *job)
{
	if (job) {
		free(job->raw);
		free(job);
	}
}

static void live_add(asynctask_redis_job_t *job)
{
	job->prev = NULL;
	job->next = node.live;
	if (node.live) {
		node.live->prev = job;
	}
	node.live = job;
	node.live_count++;
}

static void live_remove(asynctask_redis_job_t *job)
{
	if (job->prev) {
		job->prev->next = job->next;
	} else if (node.live == job) {
		node.live = job->next;
	} else {
		return;  /* not in the list */
	}
	if (job->next) {
		job->next->prev = job->prev;
	}
	job->next = job->prev = NULL;
	node.live_count--;
}

static void op_free(op_t *op)
{
	for (int i = 0; i < op->argc; i++) {
		free(op->argv[i]);
	}
	free(op->argv);
	free(op->argvlen);
	job_free(op->job);
	free(op);
}

static void send_op(op_t *op);

/* The writer is away: the op waits for it (bounded; past the bound it is
 * dropped and its entry stays pending, for a node to reclaim and run again). */
static void keep_op(op_t *op)
{
	if (node.kept_count >= KEPT_MAX_COUNT || node.kept_bytes + op->bytes > KEPT_MAX_BYTES) {
		asynctask_log("redis node: Redis is away and %u results (%zu bytes) are kept already: the result of entry %s "
			"is dropped; the entry stays pending and runs again elsewhere after asynctask.visibility_timeout",
			node.kept_count, node.kept_bytes, op->job ? op->job->entry_id : "?");
		op_free(op);
		return;
	}
	op->next = NULL;
	*node.kept_tail = op;
	node.kept_tail = &op->next;
	node.kept_bytes += op->bytes;
	node.kept_count++;
	node.stats.results_kept = node.kept_count;
}

static void send_kept(void)
{
	op_t *op = node.kept;

	node.kept = NULL;
	node.kept_tail = &node.kept;
	node.kept_bytes = 0;
	node.kept_count = 0;
	node.stats.results_kept = 0;
	while (op) {
		op_t *next = op->next;
		send_op(op);
		op = next;
	}
}

static void on_op(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	op_t *op = privdata;

	if (reply) {
		heard(ac);
	}
	node.ops_out--;
	if (!reply && !node.started) {
		op_free(op);  /* the node is leaving (asynctask_redis_node_shutdown() logged what it drops) */
		return;
	}
	if (!reply) {
		/* the connection went before the answer: the step may have run, and
		 * running it again is harmless (it acts only while the entry is pending to us) */
		keep_op(op);
		return;
	}
	if (is_error(reply)) {
		asynctask_log("redis node: storing the outcome of entry %s failed: %.*s", op->job ? op->job->entry_id : "?",
			(int) reply->len, reply->str);
	} else if (op->kind == OP_STORE && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
		asynctask_log("redis node: the result of entry %s (attempt %u) came late: the entry was delivered again "
			"meanwhile; dropped", op->job->entry_id, op->job->attempt);
	} else if (op->kind == OP_DEAD && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) {
		node.stats.dead_lettered++;
	}
	op_free(op);
}

static void send_op(op_t *op)
{
	if (node.writer.state != CONN_UP || !node.writer.ready) {
		keep_op(op);
		return;
	}
	if (redisAsyncCommandArgv(node.writer.ac, on_op, op, op->argc, (const char **) op->argv, op->argvlen) != REDIS_OK) {
		keep_op(op);
		return;
	}
	node.ops_out++;
}

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
	e.node = node.config.node;
	e.node_len = strlen(node.config.node);
	e.reply_key = NULL;
	e.reply_key_len = 0;
	e.payload = payload;
	e.payload_len = ASYNCTASK_REDIS_RESULT_HEADER + len;
	zend_string *secret = zend_string_init(node.config.secret, node.config.secret_len, 0);
	zend_string *bytes = asynctask_wire_encode(&e, secret, &error);
	zend_string_efree(secret);
	free(payload);
	if (!bytes) {
		asynctask_log("redis node: the result of entry %s cannot be encoded: %s", job->entry_id,
			error ? ZSTR_VAL(error) : "?");
		if (error) zend_string_release(error);
	}
	return bytes;
}

static bool has_reply(const asynctask_redis_job_t *job)
{
	return job && !(job->task.flags & ASYNCTASK_WIRE_NO_REPLY) && job->task.reply_key_len > 0;
}

static void store(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data, size_t len,
	size_t decoded_size)
{
	char attempt[16], ttl[32];
	zend_string *bytes = NULL;
	bool reply = has_reply(job);

	snprintf(attempt, sizeof(attempt), "%u", job->attempt);
	snprintf(ttl, sizeof(ttl), "%" PRIu64, node.config.result_ttl_ms);
	if (reply && !(bytes = result_entry(job, status, data, len, decoded_size))) {
		job_free(job);   /* left pending: reclaimed and run again */
		return;
	}
	const char *argv[] = { "EVAL", STORE_SCRIPT, reply ? "2" : "1", node.stream, reply ? job->task.reply_key : "",
		ASYNCTASK_REDIS_GROUP, job->entry_id, node.config.node, attempt, bytes ? ZSTR_VAL(bytes) : "", ttl };
	size_t argvlen[] = { 4, sizeof(STORE_SCRIPT) - 1, 1, strlen(node.stream), reply ? job->task.reply_key_len : 0,
		sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(job->entry_id), strlen(node.config.node), strlen(attempt),
		bytes ? ZSTR_LEN(bytes) : 0, strlen(ttl) };
	op_t *op;
	if (reply) {
		op = op_new(11, argv, argvlen);
	} else {
		/* no reply key: KEYS stream; ARGV group id consumer attempt */
		const char *args[] = { argv[0], argv[1], argv[2], argv[3], argv[5], argv[6], argv[7], argv[8] };
		size_t lens[] = { argvlen[0], argvlen[1], argvlen[2], argvlen[3], argvlen[5], argvlen[6], argvlen[7], argvlen[8] };
		op = op_new(8, args, lens);
	}
	if (bytes) zend_string_efree(bytes);
	if (!op) {
		asynctask_log("redis node: out of memory storing the result of entry %s", job->entry_id);
		job_free(job);
		return;
	}
	op->kind = OP_STORE;
	op->job = job;
	send_op(op);
}

/* Moves an entry to the dead stream with why (and, for a task someone waits
 * on whose entry verified, a FAILED result saying so). job NULL: an entry
 * that failed to verify (raw: its field as it came). Frees job. */
static void dead_letter(const char *entry_id, const char *raw, size_t raw_len, asynctask_redis_job_t *job,
	uint32_t attempts, const char *why, const char *result_message)
{
	char count[16], ttl[32];
	zend_string *bytes = NULL;
	smart_str error = {0};

	snprintf(count, sizeof(count), "%u", attempts);
	snprintf(ttl, sizeof(ttl), "%" PRIu64, node.config.result_ttl_ms);
	bool reply = has_reply(job) && result_message;
	if (reply) {
		asynctask_remote_error_encode_message(result_message, &error);
		bytes = result_entry(job, ASYNCTASK_RESULT_FAILED, ZSTR_VAL(error.s), ZSTR_LEN(error.s), 0);
		smart_str_free(&error);
		reply = bytes != NULL;
	}
	const char *argv[] = { "EVAL", DEAD_SCRIPT, reply ? "3" : "2", node.stream, node.dead,
		reply ? job->task.reply_key : "", ASYNCTASK_REDIS_GROUP, entry_id, node.config.node, raw, why,
		node.config.node, count, bytes ? ZSTR_VAL(bytes) : "", ttl };
	size_t argvlen[] = { 4, sizeof(DEAD_SCRIPT) - 1, 1, strlen(node.stream), strlen(node.dead),
		reply ? job->task.reply_key_len : 0, sizeof(ASYNCTASK_REDIS_GROUP) - 1, strlen(entry_id),
		strlen(node.config.node), raw_len, strlen(why), strlen(node.config.node), strlen(count),
		bytes ? ZSTR_LEN(bytes) : 0, strlen(ttl) };
	op_t *op;
	if (reply) {
		op = op_new(15, argv, argvlen);
	} else {
		const char *args[] = { argv[0], argv[1], argv[2], argv[3], argv[4], argv[6], argv[7], argv[8], argv[9],
			argv[10], argv[11], argv[12] };
		size_t lens[] = { argvlen[0], argvlen[1], argvlen[2], argvlen[3], argvlen[4], argvlen[6], argvlen[7],
			argvlen[8], argvlen[9], argvlen[10], argvlen[11], argvlen[12] };
		op = op_new(12, args, lens);
	}
	if (bytes) zend_string_efree(bytes);
	if (!op) {
		asynctask_log("redis node: out of memory dead-lettering entry %s", entry_id);
		job_free(job);
		return;
	}
	op->kind = OP_DEAD;
	op->job = job;
	send_op(op);
}

/* --- taking entries ---------------------------------------------------------------- */

/* One entry from a read or a claim: [id, [field, value, ...]], delivered for the attempts-th time. */
static void take_entry(const redisReply *id, const redisReply *fields, uint32_t attempts)
{
	char entry_id[48], why[512];
	const redisReply *t = NULL;
	zend_string *error = NULL;

	if (!id || id->type != REDIS_REPLY_STRING || id->len >= sizeof(entry_id)) {
		return;
	}
	memcpy(entry_id, id->str, id->len);
	entry_id[id->len] = '\0';
	if (fields && fields->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i + 1 < fields->elements; i += 2) {
			const redisReply *f = fields->element[i];
			if (f->type == REDIS_REPLY_STRING && f->len == sizeof(ASYNCTASK_REDIS_FIELD_TASK) - 1
					&& memcmp(f->str, ASYNCTASK_REDIS_FIELD_TASK, f->len) == 0
					&& fields->element[i + 1]->type == REDIS_REPLY_STRING) {
				t = fields->element[i + 1];
				break;
			}
		}
	}
	if (!t) {
		asynctask_log("redis node: entry %s of %s has no \"t\" field: dead-lettered, never run", entry_id, node.stream);
		dead_letter(entry_id, "", 0, NULL, attempts, "the entry has no \"" ASYNCTASK_REDIS_FIELD_TASK "\" field", NULL);
		return;
	}
	asynctask_redis_job_t *job = calloc(1, sizeof(*job));
	char *raw = job ? malloc(t->len ? t->len : 1) : NULL;
	if (!raw) {
		free(job);
		asynctask_log("redis node: out of memory taking entry %s (left pending)", entry_id);
		return;
	}
	memcpy(raw, t->str, t->len);
	zend_string *secret = zend_string_init(node.config.secret, node.config.secret_len, 0);
	zend_result ok = asynctask_wire_decode(raw, t->len, ASYNCTASK_WIRE_TASK, node.config.max_payload, secret,
		&job->task, &error);
	zend_string_efree(secret);
	if (ok == FAILURE) {
		/* never decoded, never run: the bytes go to the dead stream as they came */
		snprintf(why, sizeof(why), "%s", error ? ZSTR_VAL(error) : "the entry does not verify");
		asynctask_log("redis node: entry %s of %s %s: dead-lettered, never run", entry_id, node.stream, why);
		if (error) zend_string_release(error);
		dead_letter(entry_id, raw, t->len, NULL, attempts, why, NULL);
		free(raw);
		free(job);
		return;
	}
	job->raw = raw;
	job->raw_len = t->len;
	job->attempt = attempts ? attempts : 1;
	memcpy(job->entry_id, entry_id, sizeof(entry_id));
	if (job->attempt > node.config.max_attempts) {
		char message[600];
		snprintf(why, sizeof(why), "not acknowledged after %u deliveries (asynctask.max_attempts=%u): its node "
			"stopped answering each time", job->attempt - 1, node.config.max_attempts);
		snprintf(message, sizeof(message), "the task was dead-lettered after %u attempts: %s", job->attempt - 1, why);
		asynctask_log("redis node: entry %s %s: dead-lettered", entry_id, why);
		dead_letter(entry_id, job->raw, job->raw_len, job, job->attempt - 1, why, message);
		return;
	}
	live_add(job);
	node.hooks.run(job);
}

static void on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	(void) privdata;

	if (reply) {
		heard(ac);
	}
	node.reading = false;
	if (is_error(reply)) {
		asynctask_log("redis node: XREADGROUP on %s failed: %.*s", node.stream, (int) reply->len, reply->str);
		return;  /* tried again at the next tick */
	}
	if (reply && reply->type == REDIS_REPLY_ARRAY) {
		for (size_t s = 0; s < reply->elements; s++) {
			const redisReply *stream = reply->element[s];
			if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2 || stream->element[1]->type != REDIS_REPLY_ARRAY) {
				continue;
			}
			const redisReply *entries = stream->element[1];
			for (size_t i = 0; i < entries->elements; i++) {
				const redisReply *e = entries->element[i];
				if (e->type == REDIS_REPLY_ARRAY && e->elements >= 2) {
					take_entry(e->element[0], e->element[1], 1);
				}
			}
		}
	}
	if (reply) {
		asynctask_redis_node_poll();
	}
}

static uint32_t capacity(void)
{
	uint32_t free_workers = node.hooks.capacity();
	return free_workers > node.reserved ? free_workers - node.reserved : 0;
}

void asynctask_redis_node_poll(void)
{
	char count[16];

	if (!node.started || !node.taking || node.reading || node.reader.state != CONN_UP || !node.reader.ready) {
		return;
	}
	uint32_t n = capacity();
	if (n == 0) {
		return;
	}
	snprintf(count, sizeof(count), "%u", n);
	const char *argv[] = { "XREADGROUP", "GROUP", ASYNCTASK_REDIS_GROUP, node.config.node, "COUNT", count, "BLOCK",
		BLOCK_MS, "STREAMS", node.stream, ">" };
	size_t argvlen[11];
	for (int i = 0; i < 11; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (redisAsyncCommandArgv(node.reader.ac, on_read, NULL, 11, argv, argvlen) == REDIS_OK) {
		node.reading = true;
	}
}

/* --- reclaiming --------------------------------------------------------------------- */

static void on_claim(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	uint32_t reserved = (uint32_t) (uintptr_t) privdata;

	if (reply) {
		heard(ac);
	}
	node.claiming--;
	node.reserved -= reserved;
	if (is_error(reply)) {
		asynctask_log("redis node: reclaiming entries of %s failed: %.*s", node.stream, (int) reply->len, reply->str);
		return;
	}
	if (!reply || reply->type != REDIS_REPLY_ARRAY) {
		return;
	}
	for (size_t i = 0; i < reply->elements; i++) {
		const redisReply *e = reply->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 || e->element[2]->type != REDIS_REPLY_INTEGER) {
			continue;
		}
		uint32_t attempts = (uint32_t) e->element[2]->integer;
		if (reserved > 1) {
			/* an automatic reclaim, not a crashed task's second run */
			node.stats.reclaimed++;
		}
		take_entry(e->element[0], e->element[1], attempts);
	}
	asynctask_redis_node_poll();
}

/* XAUTOCLAIM (mode "auto", what: how many) or XCLAIM of one entry (mode "id", what: its id). */
static void claim(const char *mode, const char *what, uint64_t min_idle_ms, uint32_t reserve)
{
	char idle[32];

	if (node.writer.state != CONN_UP || !node.writer.ready) {
		return;
	}
	snprintf(idle, sizeof(idle), "%" PRIu64, min_idle_ms);
	const char *argv[] = { "EVAL", CLAIM_SCRIPT, "1", node.stream, ASYNCTASK_REDIS_GROUP, node.config.node, idle, mode,
		what };
	size_t argvlen[9];
	for (int i = 0; i < 9; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	/* privdata: the workers promised (an "auto" claim promises at least 2, so that on_claim tells them apart) */
	uint32_t promised = strcmp(mode, "auto") == 0 ? (reserve < 2 ? 2 : reserve) : 1;
	if (redisAsyncCommandArgv(node.writer.ac, on_claim, (void *) (uintptr_t) promised, 9, argv, argvlen) == REDIS_OK) {
		node.claiming++;
		node.reserved += promised;
	}
}

static void reclaim(void)
{
	char count[16];
	uint64_t now = asynctask_now_ns();

	if (!node.taking || now < node.next_reclaim || node.claiming) {
		return;
	}
	/* a quarter of visibility_timeout between looks, within 50 ms .. 5 s */
	uint64_t every = node.config.visibility_ms * 1000000ull / 4;
	every = every < 50000000ull ? 50000000ull : every > 5000000000ull ? 5000000000ull : every;
	node.next_reclaim = now + every;
	uint32_t n = capacity();
	if (n == 0) {
		return;
	}
	snprintf(count, sizeof(count), "%u", n);
	claim("auto", count, node.config.visibility_ms, n);
}

/* --- the outcome of a job ------------------------------------------------------------ */

void asynctask_redis_node_abandon(asynctask_redis_job_t *job)
{
	live_remove(job);
	job_free(job);
}

/* Keeps the entries of the jobs running here from looking abandoned (TOUCH_SCRIPT). */
static void touch(void)
{
	uint64_t now = asynctask_now_ns();

	if (!node.live || now < node.next_touch || node.writer.state != CONN_UP || !node.writer.ready) {
		return;
	}
	uint64_t every = node.config.visibility_ms * 1000000ull / 3;
	every = every < 20000000ull ? 20000000ull : every > 10000000000ull ? 10000000000ull : every;
	node.next_touch = now + every;

	uint32_t n = node.live_count < TOUCH_MAX ? node.live_count : TOUCH_MAX;
	const char **argv = malloc((6 + (size_t) n) * sizeof(char *));
	size_t *argvlen = malloc((6 + (size_t) n) * sizeof(size_t));
	if (!argv || !argvlen) {
		free(argv);
		free(argvlen);
		return;
	}
	argv[0] = "EVAL"; argv[1] = TOUCH_SCRIPT; argv[2] = "1"; argv[3] = node.stream;
	argv[4] = ASYNCTASK_REDIS_GROUP; argv[5] = node.config.node;
	int argc = 6;
	for (asynctask_redis_job_t *job = node.live; job && argc < 6 + (int) n; job = job->next) {
		argv[argc++] = job->entry_id;
	}
	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	redisAsyncCommandArgv(node.writer.ac, ignore_reply, NULL, argc, argv, argvlen);
	free(argv);
	free(argvlen);
}

void asynctask_redis_node_finish(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size)
{
	live_remove(job);
	if (status != ASYNCTASK_RESULT_CRASHED) {
		store(job, status, data, len, decoded_size);
		return;
	}
	/* its worker died: as a node that died, it runs again while attempts are left */
	asynctask_remote_error_t error = {0};
	const char *message = "its worker died";
	if (asynctask_remote_error_decode(data, len, &error) && error.message) {
		message = ZSTR_VAL(error.message);
	}
	if (job->attempt < node.config.max_attempts) {
		if (node.taking) {
			asynctask_log("redis node: entry %s (attempt %u of %u): %s; it runs again", job->entry_id, job->attempt,
				node.config.max_attempts, message);
			claim("id", job->entry_id, 0, 1);
		} else {
			asynctask_log("redis node: entry %s (attempt %u of %u): %s; the node is draining: left pending, to run "
				"again after asynctask.visibility_timeout", job->entry_id, job->attempt, node.config.max_attempts, message);
		}
		job_free(job);
	} else {
		char why[700], result[800];
		snprintf(why, sizeof(why), "%s", message);
		snprintf(result, sizeof(result), "the task was dead-lettered after %u attempts: %s", job->attempt, message);
		asynctask_log("redis node: entry %s crashed on attempt %u of %u (%s): dead-lettered", job->entry_id,
			job->attempt, node.config.max_attempts, message);
		dead_letter(job->entry_id, job->raw, job->raw_len, job, job->attempt, why, result);
	}
	asynctask_remote_error_dtor(&error);
}

/* --- figures ---------------------------------------------------------------------- */

static void on_figures(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	(void) privdata;

	if (reply) {
		heard(ac);
	}
	node.figures_out = false;
	/* MULTI/EXEC: [XLEN, XINFO GROUPS] */
	if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) {
		return;
	}
	if (reply->element[0]->type == REDIS_REPLY_INTEGER) {
		node.stats.stream_length = (uint64_t) reply->element[0]->integer;
	}
	const redisReply *groups = reply->element[1];
	if (groups->type != REDIS_REPLY_ARRAY) {
		return;
	}
	for (size_t g = 0; g < groups->elements; g++) {
		const redisReply *group = groups->element[g];
		bool ours = false;
		long long consumers = -1, pending = -1;
		for (size_t i = 0; group->type == REDIS_REPLY_ARRAY && i + 1 < group->elements; i += 2) {
			const redisReply *k = group->element[i], *v = group->element[i + 1];
			if (k->type != REDIS_REPLY_STRING) continue;
			if (strcmp(k->str, "name") == 0 && v->type == REDIS_REPLY_STRING) {
				ours = strcmp(v->str, ASYNCTASK_REDIS_GROUP) == 0;
			} else if (strcmp(k->str, "consumers") == 0 && v->type == REDIS_REPLY_INTEGER) {
				consumers = v->integer;
			} else if (strcmp(k->str, "pending") == 0 && v->type == REDIS_REPLY_INTEGER) {
				pending = v->integer;
			}
		}
		if (ours) {
			node.stats.consumers = consumers > 0 ? (uint64_t) consumers : 0;
			node.stats.pending = pending > 0 ? (uint64_t) pending : 0;
		}
	}
}

static void figures(void)
{
	uint64_t now = asynctask_now_ns();

	if (now < node.next_figures || node.figures_out || node.writer.state != CONN_UP || !node.writer.ready) {
		return;
	}
	node.next_figures = now + FIGURES_EVERY_NS;
	redisAsyncCommand(node.writer.ac, ignore_reply, NULL, "MULTI");
	redisAsyncCommand(node.writer.ac, ignore_reply, NULL, "XLEN %s", node.stream);
	redisAsyncCommand(node.writer.ac, ignore_reply, NULL, "XINFO GROUPS %s", node.stream);
	if (redisAsyncCommand(node.writer.ac, on_figures, NULL, "EXEC") == REDIS_OK) {
		node.figures_out = true;
	}
}

/* --- connections -------------------------------------------------------------------- */

static void connect_to(conn_t *conn);

static void conn_lost(conn_t *conn, const char *why)
{
	uint64_t now = asynctask_now_ns();

	conn->state = CONN_DOWN;
	conn->ready = false;
	conn->ac = NULL;   /* hiredis frees it after its callback */
	conn->backoff_ns = conn->backoff_ns ? conn->backoff_ns * 2 : BACKOFF_MIN_NS;
	if (conn->backoff_ns > BACKOFF_MAX_NS) {
		conn->backoff_ns = BACKOFF_MAX_NS;
	}
	conn->retry_at = now + conn->backoff_ns;
	if (!conn->lost_logged) {
		char where[512];
		asynctask_redis_url_describe(&node.config.url, where, sizeof(where));
		asynctask_log("redis node: the %s connection to %s is down (%s); reconnecting with backoff", conn->name,
			where, why);
		conn->lost_logged = true;
	}
	if (conn == &node.reader) {
		node.reading = false;
	}
	node.stats.connected = node.reader.state == CONN_UP && node.writer.state == CONN_UP;
}

static conn_t *conn_of(const redisAsyncContext *ac)
{
	return ac == node.reader.ac ? &node.reader : ac == node.writer.ac ? &node.writer : NULL;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	conn_t *conn = conn_of(ac);

	if (conn) {
		conn_lost(conn, status == REDIS_OK ? "closed" : (ac->errstr[0] ? ac->errstr : "connection lost"));
	}
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	conn_t *conn = conn_of(ac);

	if (conn && status != REDIS_OK) {
		conn_lost(conn, ac->errstr[0] ? ac->errstr : "cannot connect");
	}
}

/* The handshake's last answer: AUTH and SELECT went through (or failed: then the connection is dropped). */
static void on_ready(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (!reply || conn->ac != ac || conn->refused) {
		return;
	}
	heard(ac);
	if (is_error(reply) && !(reply->len >= 9 && memcmp(reply->str, "BUSYGROUP", 9) == 0)) {
		asynctask_log("redis node: Redis refused the %s connection's setup: %.*s", conn->name, (int) reply->len,
			reply->str);
		redisAsyncDisconnect(ac);
		return;
	}
	if (conn->ever_up && conn->lost_logged) {
		node.stats.reconnects++;
		asynctask_log("redis node: the %s connection is back", conn->name);
	}
	conn->ever_up = true;
	conn->lost_logged = false;
	conn->backoff_ns = 0;
	conn->ready = true;
	node.stats.connected = node.reader.ready && node.writer.ready;
	if (conn == &node.writer) {
		send_kept();
	}
	asynctask_redis_node_poll();
}

static void on_client_id(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (reply && conn->ac == ac && reply->type == REDIS_REPLY_INTEGER) {
		conn->client_id = reply->integer;
	}
}

/* An error to an AUTH or SELECT is acted on in on_ready (the last command of the handshake). */
static void on_setup(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (reply && is_error(reply) && conn->ac == ac) {
		asynctask_log("redis node: Redis refused the %s connection's credentials or database: %.*s", conn->name,
			(int) reply->len, reply->str);
		conn->refused = true;
		redisAsyncDisconnect(ac);
	}
}

static void connect_to(conn_t *conn)
{
	const asynctask_redis_url_t *url = &node.config.url;
	redisAsyncContext *ac = url->kind == ASYNCTASK_BACKEND_REDIS_UNIX ? redisAsyncConnectUnix(url->path)
		: redisAsyncConnect(url->host, url->port);

	if (!ac || ac->err) {
		char why[256];
		snprintf(why, sizeof(why), "%s", ac ? ac->errstr : "out of memory");
		if (ac) redisAsyncFree(ac);
		conn->ac = NULL;
		conn_lost(conn, why);
		return;
	}
	if (asynctask_redis_loop_attach(ac, node.base) != 0) {
		redisAsyncFree(ac);
		conn_lost(conn, "cannot attach to the event loop");
		return;
	}
	conn->ac = ac;
	conn->state = CONN_UP;
	conn->ready = false;
	conn->refused = false;
	conn->heard_ns = asynctask_now_ns();
	/* TCP: a peer that vanished without closing (a machine gone) is noticed by
	 * the kernel too (on a unix socket hiredis would fail the connection) */
	if (url->kind == ASYNCTASK_BACKEND_REDIS_TCP) {
		redisEnableKeepAlive(&ac->c);
	}
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	if (url->password[0]) {
		if (url->user[0]) {
			redisAsyncCommand(ac, on_setup, conn, "AUTH %s %s", url->user, url->password);
		} else {
			redisAsyncCommand(ac, on_setup, conn, "AUTH %s", url->password);
		}
	}
	if (url->db) {
		redisAsyncCommand(ac, on_setup, conn, "SELECT %d", url->db);
	}
	conn->client_id = 0;
	if (conn == &node.reader) {
		redisAsyncCommand(ac, on_client_id, conn, "CLIENT ID");
	}
	/* the group, from id 0: tasks dispatched before any node ran are served (BUSYGROUP: it exists) */
	redisAsyncCommand(ac, on_ready, conn, "XGROUP CREATE %s %s 0 MKSTREAM", node.stream, ASYNCTASK_REDIS_GROUP);
}

/* --- the node ---------------------------------------------------------------------- */

void asynctask_redis_node_start(struct event_base *base, asynctask_redis_node_config_t *config,
	const asynctask_redis_node_hooks_t *hooks)
{
	memset(&node, 0, sizeof(node));
	node.base = base;
	node.config = *config;
	node.hooks = *hooks;
	node.reader.name = "reader";
	node.writer.name = "writer";
	node.kept_tail = &node.kept;
	node.taking = true;
	node.started = true;
	snprintf(node.stream, sizeof(node.stream), ASYNCTASK_REDIS_STREAM_FMT, config->prefix, config->queue);
	snprintf(node.dead, sizeof(node.dead), ASYNCTASK_REDIS_DEAD_FMT, config->prefix);
	connect_to(&node.writer);
	connect_to(&node.reader);
}

/* Redis stopped answering on conn (frozen, or the network cut without a
 * reset): the connection is dropped, as one Redis closed; what was out comes
 * back unanswered (kept, and sent again on the new connection). Half of
 * visibility_timeout, within 1 .. 30 s: by then other nodes are about to take
 * this node's entries over anyway. A blocked read answers every BLOCK_MS. */
static void watchdog(conn_t *conn, uint64_t now)
{
	uint64_t limit = node.config.visibility_ms * 1000000ull / 2;
	limit = limit < 1000000000ull ? 1000000000ull : limit > 30000000000ull ? 30000000000ull : limit;
	if (conn == &node.reader) {
		limit += (uint64_t) atoi(BLOCK_MS) * 1000000ull;
	}
	redisAsyncContext *ac = conn->ac;
	if (conn->state != CONN_UP || !ac || (conn->ready && !ac->replies.head) || now - conn->heard_ns < limit) {
		return;
	}
	char why[128];
	snprintf(why, sizeof(why), "Redis did not answer for %.1f s", (double) (now - conn->heard_ns) / 1e9);
	asynctask_log("redis node: %s on the %s connection: dropping it", why, conn->name);
	conn->lost_logged = false;  /* say it, even when it was said before */
	redisAsyncFree(ac);
	if (conn->ac == ac) {
		/* hiredis called no disconnect callback (it had not finished connecting) */
		conn_lost(conn, why);
	}
}

void asynctask_redis_node_tick(void)
{
	uint64_t now = asynctask_now_ns();

	if (!node.started) {
		return;
	}
	watchdog(&node.writer, now);
	watchdog(&node.reader, now);
	if (node.writer.state == CONN_DOWN && now >= node.writer.retry_at) {
		connect_to(&node.writer);
	}
	if (node.reader.state == CONN_DOWN && now >= node.reader.retry_at && node.taking) {
		connect_to(&node.reader);
	}
	touch();
	reclaim();
	figures();
	asynctask_redis_node_poll();
}

/* The reader is done: closed, and the drain said so (the test of a drain waits for these words). */
static void close_reader(void)
{
	if (node.reader.ac) {
		redisAsyncContext *ac = node.reader.ac;
		node.reader.ac = NULL;
		node.reader.state = CONN_DOWN;
		node.reader.ready = false;
		redisAsyncFree(ac);
	}
	node.reading = false;
	asynctask_log("redis node: no more tasks taken");
}

static void on_unblocked(redisAsyncContext *ac, void *r, void *privdata)
{
	(void) privdata;
	if (r) {
		heard(ac);
	}
	node.unblocking = false;
	if (node.started) {
		close_reader();
	}
}

void asynctask_redis_node_stop_taking(void)
{
	char id[32];

	if (!node.taking) {
		return;
	}
	node.taking = false;
	/* A read blocked in Redis would hand out tasks after the workers left.
	 * The writer unblocks it (CLIENT UNBLOCK): Redis runs commands one at a
	 * time, so once that is answered no entry goes to this node any more, and
	 * what the read got before comes back to it (left pending, for a node to
	 * reclaim). Without a writer, closing the reader aborts the read, though
	 * Redis may deliver to it in that very moment (left pending too). */
	if (node.reading && node.reader.client_id > 0 && node.writer.state == CONN_UP && node.writer.ready) {
		snprintf(id, sizeof(id), "%lld", node.reader.client_id);
		const char *argv[] = { "CLIENT", "UNBLOCK", id };
		size_t argvlen[] = { 6, 7, strlen(id) };
		if (redisAsyncCommandArgv(node.writer.ac, on_unblocked, NULL, 3, argv, argvlen) == REDIS_OK) {
			node.unblocking = true;
			return;
		}
	}
	close_reader();
}

bool asynctask_redis_node_idle(void)
{
	return !node.started || (!node.reading && !node.unblocking && !node.claiming && !node.ops_out && !node.kept);
}

void asynctask_redis_node_stats(asynctask_redis_node_stats_t *out)
{
	*out = node.stats;
}

void asynctask_redis_node_shutdown(void)
{
	if (!node.started) {
		return;
	}
	if (node.kept_count) {
		asynctask_log("redis node: leaving with %u results Redis could not take; their entries stay pending and run "
			"again elsewhere after asynctask.visibility_timeout", node.kept_count);
	}
	node.taking = false;
	/* redisAsyncFree() answers what is out with NULL replies: nothing is kept from here */
	node.started = false;
	while (node.kept) {
		op_t *op = node.kept;
		node.kept = op->next;
		op_free(op);
	}
	node.kept_tail = &node.kept;
	if (node.reader.ac) {
		redisAsyncContext *ac = node.reader.ac;
		node.reader.ac = NULL;
		redisAsyncFree(ac);
	}
	if (node.writer.ac) {
		redisAsyncContext *ac = node.writer.ac;
		node.writer.ac = NULL;
		redisAsyncFree(ac);
	}
	free(node.config.secret);
	node.config.secret = NULL;
}
