/*
 * A Redis node taking entries: the reader's take step (HIGH first) and its
 * blocked XREADGROUP on every level, reclaiming entries left pending too long
 * (the claim step, a Lua script, HIGH first), the verification of every entry
 * read or claimed, handing it to the bridge, and a job's outcome (finished:
 * stored or dead-lettered; abandoned).
 *
 * It calls down to node_steps.c (store, dead-letter), node_writer.c (the
 * jobs running) and node_reply.c; none of them calls back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- taking entries ---------------------------------------------------------------- */

/* protocol.h's take: KEYS the streams, HIGH first; ARGV group consumer count.
 * Each level for what the levels above left of count; replies as XREADGROUP. */
static const char TAKE_SCRIPT[] =
	"local n = tonumber(ARGV[3])\n"
	"local out = {}\n"
	"for i = 1, #KEYS do\n"
	"  if n <= 0 then break end\n"
	"  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', n, 'STREAMS', KEYS[i], '>')\n"
	"  if r and #r > 0 then\n"
	"    out[#out + 1] = r[1]\n"
	"    n = n - #r[1][2]\n"
	"  end\n"
	"end\n"
	"return out\n";

int asynctask_redis_node_level_of(const redisReply *stream)
{
	if (stream && stream->type == REDIS_REPLY_STRING) {
		for (unsigned level = 0; level < ASYNCTASK_REDIS_LEVELS; level++) {
			if (stream->len == strlen(asynctask_rnode.streams[level])
				&& memcmp(stream->str, asynctask_rnode.streams[level], stream->len) == 0) {
				return (int) level;
			}
		}
	}
	return -1;
}

/* One entry from a read or a claim: [id, [field, value, ...]], delivered for the attempts-th time. */
void asynctask_redis_node_take_entry(const redisReply *id, const redisReply *fields, uint32_t attempts, unsigned level)
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
	/* a job from here on, also for an entry that will not verify: it names the stream the entry is on */
	asynctask_redis_job_t *job = calloc(1, sizeof(*job));
	char *raw = job ? malloc(t && t->len ? t->len : 1) : NULL;
	if (!raw) {
		free(job);
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory taking entry %s (left pending)", entry_id);
		return;
	}
	job->level = (uint8_t) level;
	memcpy(job->entry_id, entry_id, sizeof(entry_id));
	if (!t) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s has no \"t\" field: dead-lettered, never run", entry_id,
			asynctask_rnode.streams[level]);
		free(raw);
		asynctask_redis_node_dead_letter(entry_id, "", 0, job, attempts,
			"the entry has no \"" ASYNCTASK_REDIS_FIELD_TASK "\" field", ASYNCTASK_RESULT_FAILED, NULL);
		return;
	}
	memcpy(raw, t->str, t->len);
	zend_string *secret = zend_string_init(asynctask_rnode.config.secret, asynctask_rnode.config.secret_len, 0);
	zend_result ok = asynctask_wire_decode(raw, t->len, ASYNCTASK_WIRE_TASK, asynctask_rnode.config.max_payload, secret,
		&job->task, &error);
	zend_string_efree(secret);
	if (ok == FAILURE) {
		/* never decoded, never run: the bytes go to the dead stream as they came */
		snprintf(why, sizeof(why), "%s", error ? ZSTR_VAL(error) : "the entry does not verify");
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s %s: dead-lettered, never run", entry_id, asynctask_rnode.streams[level],
			why);
		if (error) zend_string_release(error);
		memset(&job->task, 0, sizeof(job->task));   /* never decoded: no reply key to answer on */
		asynctask_redis_node_dead_letter(entry_id, raw, t->len, job, attempts, why, ASYNCTASK_RESULT_FAILED, NULL);
		free(raw);
		return;
	}
	job->raw = raw;
	job->raw_len = t->len;
	job->attempt = attempts ? attempts : 1;
	if (job->attempt > asynctask_rnode.config.max_attempts) {
		char message[600];
		snprintf(why, sizeof(why), "not acknowledged after %u deliveries (asynctask.max_attempts=%u): its node "
			"stopped answering each time", job->attempt - 1, asynctask_rnode.config.max_attempts);
		snprintf(message, sizeof(message), "the task was dead-lettered after %u attempts: %s", job->attempt - 1, why);
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s %s: dead-lettered", entry_id, why);
		asynctask_redis_node_dead_letter(entry_id, job->raw, job->raw_len, job, job->attempt - 1, why,
			ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	asynctask_redis_node_live_add(job);
	asynctask_rnode.hooks.run(job);
}

/* The answer to a take step or a blocked read (privdata: non-NULL for a
 * blocked read): [[stream, [[id, fields], ...]], ...]. A take step that took
 * nothing makes the next read block; after entries or a blocked read that
 * timed out, the next is a take step again (levels above may have filled
 * meanwhile). */
static void on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	bool blocked = privdata != NULL;
	size_t taken = 0;

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	asynctask_rnode.reading = false;
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: %s on %s failed: %.*s", blocked ? "XREADGROUP" : "the take step",
			asynctask_rnode.stream, (int) reply->len, reply->str);
		asynctask_rnode.take_blocks = false;
		return;  /* tried again at the next tick */
	}
	if (reply && reply->type == REDIS_REPLY_ARRAY) {
		for (size_t s = 0; s < reply->elements; s++) {
			const redisReply *stream = reply->element[s];
			if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2 || stream->element[1]->type != REDIS_REPLY_ARRAY) {
				continue;
			}
			int level = asynctask_redis_node_level_of(stream->element[0]);
			if (level < 0) {
				continue;
			}
			const redisReply *entries = stream->element[1];
			for (size_t i = 0; i < entries->elements; i++) {
				const redisReply *e = entries->element[i];
				if (e->type == REDIS_REPLY_ARRAY && e->elements >= 2) {
					asynctask_redis_node_take_entry(e->element[0], e->element[1], 1, (unsigned) level);
					taken++;
				}
			}
		}
	}
	if (reply) {
		asynctask_rnode.take_blocks = !blocked && taken == 0;
		asynctask_redis_node_poll();
	}
}

uint32_t asynctask_redis_node_capacity(void)
{
	uint32_t free_workers = asynctask_rnode.hooks.capacity();
	return free_workers > asynctask_rnode.reserved ? free_workers - asynctask_rnode.reserved : 0;
}

void asynctask_redis_node_poll(void)
{
	char count[16];

	if (!asynctask_rnode.started || !asynctask_rnode.taking || asynctask_rnode.reading
		|| asynctask_rnode.reader.state != CONN_UP || !asynctask_rnode.reader.ready) {
		return;
	}
	uint32_t n = asynctask_redis_node_capacity();
	if (n == 0) {
		asynctask_rnode.take_blocks = false;   /* entries may pile up on every level meanwhile: a take step first */
		return;
	}
	snprintf(count, sizeof(count), "%u", n);
	const char *streams[ASYNCTASK_REDIS_LEVELS] = { asynctask_rnode.streams[0], asynctask_rnode.streams[1],
		asynctask_rnode.streams[2] };
	int status;
	if (asynctask_rnode.take_blocks) {
		/* nothing on any level a moment ago: wait for the first entry on any,
		 * one (what came with it is the take step's, in level order) */
		const char *argv[] = { "XREADGROUP", "GROUP", ASYNCTASK_REDIS_GROUP, asynctask_rnode.config.node, "COUNT",
			"1", "BLOCK", BLOCK_MS, "STREAMS", streams[0], streams[1], streams[2], ">", ">", ">" };
		size_t argvlen[15];
		for (int i = 0; i < 15; i++) {
			argvlen[i] = strlen(argv[i]);
		}
		status = redisAsyncCommandArgv(asynctask_rnode.reader.ac, on_read, (void *) 1, 15, argv, argvlen);
	} else {
		const char *argv[] = { "EVAL", TAKE_SCRIPT, "3", streams[0], streams[1], streams[2], ASYNCTASK_REDIS_GROUP,
			asynctask_rnode.config.node, count };
		size_t argvlen[9];
		for (int i = 0; i < 9; i++) {
			argvlen[i] = strlen(argv[i]);
		}
		status = redisAsyncCommandArgv(asynctask_rnode.reader.ac, on_read, NULL, 9, argv, argvlen);
	}
	if (status == REDIS_OK) {
		asynctask_rnode.reading = true;
	}
}

/* --- reclaiming --------------------------------------------------------------------- */

/* claim: KEYS the streams (HIGH first; one for 'id'); ARGV group consumer
 * min_idle_ms 'auto'|'id' count|id. XAUTOCLAIM over the streams, HIGH
 * first, for what the levels above left of count (entries idle past
 * visibility_timeout), or XCLAIM (one entry, again at once: its worker
 * crashed), each with its delivery count after the claim, which is the
 * attempt, and its stream: [[id, fields, deliveries, stream], ...]. */
static const char CLAIM_SCRIPT[] =
	"local out = {}\n"
	"local left = tonumber(ARGV[5]) or 1\n"
	"for k = 1, #KEYS do\n"
	"  local claimed\n"
	"  if ARGV[4] == 'id' then\n"
	"    claimed = redis.call('XCLAIM', KEYS[k], ARGV[1], ARGV[2], ARGV[3], ARGV[5])\n"
	"  elseif left > 0 then\n"
	"    claimed = redis.call('XAUTOCLAIM', KEYS[k], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', left)[2]\n"
	"  else\n"
	"    claimed = {}\n"
	"  end\n"
	"  for _, e in ipairs(claimed) do\n"
	"    if type(e) == 'table' and type(e[2]) == 'table' then\n"
	"      local p = redis.call('XPENDING', KEYS[k], ARGV[1], e[1], e[1], 1)\n"
	"      local n = 0\n"
	"      if #p > 0 then n = p[1][4] end\n"
	"      out[#out + 1] = {e[1], e[2], n, KEYS[k]}\n"
	"      left = left - 1\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return out\n";

static void on_claim(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	uint32_t reserved = (uint32_t) (uintptr_t) privdata;

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	asynctask_rnode.claiming--;
	asynctask_rnode.reserved -= reserved;
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: reclaiming entries of %s failed: %.*s", asynctask_rnode.stream, (int) reply->len,
			reply->str);
		return;
	}
	if (!reply || reply->type != REDIS_REPLY_ARRAY) {
		return;
	}
	for (size_t i = 0; i < reply->elements; i++) {
		const redisReply *e = reply->element[i];
		int level = e->type == REDIS_REPLY_ARRAY && e->elements >= 4 ? asynctask_redis_node_level_of(e->element[3]) : -1;
		if (level < 0 || e->element[2]->type != REDIS_REPLY_INTEGER) {
			continue;
		}
		uint32_t attempts = (uint32_t) e->element[2]->integer;
		if (reserved > 1) {
			/* an automatic reclaim, not a crashed task's second run */
			asynctask_rnode.stats.reclaimed++;
		}
		asynctask_redis_node_take_entry(e->element[0], e->element[1], attempts, (unsigned) level);
	}
	asynctask_redis_node_poll();
}

/* XAUTOCLAIM over every level (mode "auto", what: how many) or XCLAIM of one entry of level's stream
 * (mode "id", what: its id). */
void asynctask_redis_node_claim(const char *mode, const char *what, uint64_t min_idle_ms, uint32_t reserve,
	unsigned level)
{
	char idle[32];
	bool one = strcmp(mode, "id") == 0;

	if (asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready) {
		return;
	}
	snprintf(idle, sizeof(idle), "%" PRIu64, min_idle_ms);
	const char *argv[11] = { "EVAL", CLAIM_SCRIPT, one ? "1" : "3" };
	int argc = 3;
	if (one) {
		argv[argc++] = asynctask_rnode.streams[level < ASYNCTASK_REDIS_LEVELS ? level : ASYNCTASK_REDIS_LEVEL_NORMAL];
	} else {
		for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
			argv[argc++] = asynctask_rnode.streams[l];
		}
	}
	argv[argc++] = ASYNCTASK_REDIS_GROUP;
	argv[argc++] = asynctask_rnode.config.node;
	argv[argc++] = idle;
	argv[argc++] = mode;
	argv[argc++] = what;
	size_t argvlen[11];
	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	/* privdata: the workers promised (an "auto" claim promises at least 2, so that on_claim tells them apart) */
	uint32_t promised = strcmp(mode, "auto") == 0 ? (reserve < 2 ? 2 : reserve) : 1;
	if (redisAsyncCommandArgv(asynctask_rnode.writer.ac, on_claim, (void *) (uintptr_t) promised, argc, argv, argvlen)
		== REDIS_OK) {
		asynctask_rnode.claiming++;
		asynctask_rnode.reserved += promised;
	}
}

void asynctask_redis_node_reclaim(void)
{
	char count[16];
	uint64_t now = asynctask_now_ns();

	if (!asynctask_rnode.taking || now < asynctask_rnode.next_reclaim || asynctask_rnode.claiming) {
		return;
	}
	/* a quarter of visibility_timeout between looks, within 50 ms .. 5 s */
	uint64_t every = asynctask_rnode.config.visibility_ms * 1000000ull / 4;
	every = every < 50000000ull ? 50000000ull : every > 5000000000ull ? 5000000000ull : every;
	asynctask_rnode.next_reclaim = now + every;
	uint32_t n = asynctask_redis_node_capacity();
	if (n == 0) {
		return;
	}
	snprintf(count, sizeof(count), "%u", n);
	asynctask_redis_node_claim("auto", count, asynctask_rnode.config.visibility_ms, n, ASYNCTASK_REDIS_LEVEL_NORMAL);
}

/* --- the outcome of a job ------------------------------------------------------------ */

void asynctask_redis_node_abandon(asynctask_redis_job_t *job)
{
	asynctask_redis_node_live_remove(job);
	asynctask_redis_node_job_free(job);
}

void asynctask_redis_node_finish(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size)
{
	asynctask_redis_node_live_remove(job);
	if (status != ASYNCTASK_RESULT_CRASHED) {
		asynctask_redis_node_store(job, status, data, len, decoded_size);
		return;
	}
	/* its worker died: as a node that died, it runs again while attempts are left */
	asynctask_remote_error_t error = {0};
	const char *message = "its worker died";
	if (asynctask_remote_error_decode(data, len, &error) && error.message) {
		message = ZSTR_VAL(error.message);
	}
	if (job->attempt < asynctask_rnode.config.max_attempts) {
		if (asynctask_rnode.taking) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_redelivered",
				"redis node: entry %s (attempt %u of %u): %s; it runs again", job->entry_id, job->attempt,
				asynctask_rnode.config.max_attempts, message);
			asynctask_redis_node_claim("id", job->entry_id, 0, 1, job->level);
		} else {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_left_pending",
				"redis node: entry %s (attempt %u of %u): %s; the node is draining: left pending, to run "
				"again after asynctask.visibility_timeout", job->entry_id, job->attempt, asynctask_rnode.config.max_attempts,
				message);
		}
		asynctask_redis_node_job_free(job);
	} else {
		char why[700], result[800];
		snprintf(why, sizeof(why), "%s", message);
		snprintf(result, sizeof(result), "the task was dead-lettered after %u attempts: %s", job->attempt, message);
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "entry_dead_lettered",
			"redis node: entry %s crashed on attempt %u of %u (%s): dead-lettered", job->entry_id,
			job->attempt, asynctask_rnode.config.max_attempts, message);
		asynctask_redis_node_dead_letter(job->entry_id, job->raw, job->raw_len, job, job->attempt, why,
			ASYNCTASK_RESULT_CRASHED, result);
	}
	asynctask_remote_error_dtor(&error);
}
