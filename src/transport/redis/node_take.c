/*
 * A Redis node taking entries, queue by queue: the take step (every queue
 * with free workers in one script, each for no more than its free workers,
 * HIGH first) and the blocked XREADGROUP on every level of those queues;
 * reclaiming entries left pending too long (the claim step, a Lua script,
 * likewise); the verification of every entry read or claimed, handing it to
 * the bridge, and a job's outcome (finished: stored or dead-lettered;
 * abandoned).
 *
 * The reader takes; while it waits in a blocked read on the queues that had
 * free workers, a queue whose workers come free is taken from on the writer
 * (one take step out there at a time), and when that finds the queue empty
 * the writer ends the blocked read (CLIENT UNBLOCK) so that the next one
 * watches that queue too: a busy queue never waits for an idle one's read.
 *
 * It calls down to node_jobs.c (retries, chains), node_steps.c (store, dead-letter), node_writer.c (the
 * jobs running) and node_reply.c; none of them calls back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- taking entries ---------------------------------------------------------------- */

/* protocol.h's take: KEYS the streams of the queues taken from, three a
 * queue, HIGH first; ARGV group consumer, then one count a queue (its idle
 * workers). Each level of a queue for what the levels above left of that
 * queue's count; replies as XREADGROUP ([stream, entries] per stream that
 * had some). */
static const char TAKE_SCRIPT[] =
	"local out = {}\n"
	"for q = 1, #ARGV - 2 do\n"
	"  local n = tonumber(ARGV[q + 2])\n"
	"  for l = 1, 3 do\n"
	"    if n <= 0 then break end\n"
	"    local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', n, 'STREAMS', KEYS[(q - 1) * 3 + l], '>')\n"
	"    if r and #r > 0 then\n"
	"      out[#out + 1] = r[1]\n"
	"      n = n - #r[1][2]\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return out\n";

bool asynctask_redis_node_stream_of(const redisReply *stream, unsigned *queue, unsigned *level)
{
	if (!stream || stream->type != REDIS_REPLY_STRING) {
		return false;
	}
	for (unsigned q = 0; q < asynctask_rnode.nqueues; q++) {
		for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
			const char *name = asynctask_rnode.queues[q].streams[l];
			if (stream->len == strlen(name) && memcmp(stream->str, name, stream->len) == 0) {
				*queue = q;
				*level = l;
				return true;
			}
		}
	}
	return false;
}

/* One entry from a read or a claim: [id, [field, value, ...]], delivered for the attempts-th time. */
void asynctask_redis_node_take_entry(const redisReply *id, const redisReply *fields, uint32_t attempts, unsigned queue,
	unsigned level)
{
	char entry_id[48], why[512];
	const redisReply *t = NULL;
	zend_string *error = NULL;
	const char *stream = asynctask_rnode.queues[queue].streams[level];

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
	job->queue = (uint16_t) queue;
	memcpy(job->entry_id, entry_id, sizeof(entry_id));
	if (!t) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s has no \"t\" field: dead-lettered, never run", entry_id, stream);
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
			"redis node: entry %s of %s %s: dead-lettered, never run", entry_id, stream, why);
		if (error) zend_string_release(error);
		memset(&job->task, 0, sizeof(job->task));   /* never decoded: no reply key to answer on */
		asynctask_redis_node_dead_letter(entry_id, raw, t->len, job, attempts, why, ASYNCTASK_RESULT_FAILED, NULL);
		free(raw);
		return;
	}
	job->raw = raw;
	job->raw_len = t->len;
	job->attempt = attempts ? attempts : 1;
	/* the runs before this entry (its signed attempt: retries, node_jobs.c) and its deliveries since */
	job->run = job->task.attempt < UINT32_MAX - job->attempt ? job->task.attempt + job->attempt - 1 : UINT32_MAX;
	if (job->attempt > asynctask_rnode.config.max_attempts) {
		char message[600];
		snprintf(why, sizeof(why), "not acknowledged after %u deliveries (asynctask.max_attempts=%u): its node "
			"stopped answering each time", job->attempt - 1, asynctask_rnode.config.max_attempts);
		snprintf(message, sizeof(message), "the task was dead-lettered after %u attempts: %s", job->attempt - 1, why);
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s %s: dead-lettered", entry_id, stream, why);
		asynctask_redis_node_dead_letter(entry_id, job->raw, job->raw_len, job, job->attempt - 1, why,
			ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	asynctask_redis_node_live_add(job);
	asynctask_rnode.hooks.run(job);
}

uint32_t asynctask_redis_node_capacity(uint32_t queue)
{
	uint32_t free_workers = asynctask_rnode.hooks.capacity(queue);
	uint32_t promised = asynctask_rnode.queues[queue].promised;
	return free_workers > promised ? free_workers - promised : 0;
}

/* A request's promises are kept no longer: its answer came (or never will). */
static void release(const take_t *t)
{
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		node_queue_t *queue = &asynctask_rnode.queues[q];
		queue->promised = queue->promised > t->promised[q] ? queue->promised - t->promised[q] : 0;
	}
}

/* The entries of a take step, a blocked read or a claim (reply: [[stream, [[id, fields], ...]], ...],
 * or for a claim [[id, fields, deliveries, stream], ...]), each handed on with its queue and level; which
 * queues had some into got. Returns how many. */
static size_t take_entries(const redisReply *reply, bool claim, bool got[ASYNCTASK_QUEUES_MAX])
{
	size_t taken = 0;
	unsigned queue, level;

	for (size_t s = 0; reply && reply->type == REDIS_REPLY_ARRAY && s < reply->elements; s++) {
		const redisReply *e = reply->element[s];
		if (claim) {
			if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 || e->element[2]->type != REDIS_REPLY_INTEGER
				|| !asynctask_redis_node_stream_of(e->element[3], &queue, &level)) {
				continue;
			}
			asynctask_redis_node_take_entry(e->element[0], e->element[1], (uint32_t) e->element[2]->integer, queue,
				level);
			taken++;
			continue;
		}
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[1]->type != REDIS_REPLY_ARRAY
			|| !asynctask_redis_node_stream_of(e->element[0], &queue, &level)) {
			continue;
		}
		const redisReply *entries = e->element[1];
		for (size_t i = 0; i < entries->elements; i++) {
			const redisReply *entry = entries->element[i];
			if (entry->type == REDIS_REPLY_ARRAY && entry->elements >= 2) {
				if (got) {
					got[queue] = true;
				}
				asynctask_redis_node_take_entry(entry->element[0], entry->element[1], 1, queue, level);
				taken++;
			}
		}
	}
	return taken;
}

/* The blocked read watches too few queues (one it leaves out has free
 * workers and nothing waiting): the writer ends it (CLIENT UNBLOCK, as a
 * timeout), so that the take step and a blocked read on every queue with
 * free workers follow at once. */
static void rewatch(void)
{
	char id[32];

	if (asynctask_rnode.rewatching || asynctask_rnode.reader.client_id <= 0 || asynctask_rnode.writer.state != CONN_UP
		|| !asynctask_rnode.writer.ready) {
		return;   /* (else the blocked read ends within BLOCK_MS anyway) */
	}
	snprintf(id, sizeof(id), "%lld", asynctask_rnode.reader.client_id);
	const char *argv[] = { "CLIENT", "UNBLOCK", id };
	size_t argvlen[] = { 6, 7, strlen(id) };
	if (redisAsyncCommandArgv(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, 3, argv, argvlen)
		== REDIS_OK) {
		asynctask_rnode.rewatching = true;
	}
}

/* The answer to a take step (on the reader, or on the writer while the
 * reader is blocked) or to a blocked read (privdata: its take_t). A take
 * step on the reader that took nothing makes the next read block; after
 * entries or a blocked read that timed out, the next is a take step again
 * (levels above may have filled meanwhile). A take step on the writer that
 * found a queue with free workers empty has the blocked read watch it too. */
static void on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	take_t *t = privdata;
	bool got[ASYNCTASK_QUEUES_MAX] = { false };
	bool watch_more = false;

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	release(t);
	if (t->kind == TAKE_WRITER) {
		asynctask_rnode.writer_taking = false;
	} else {
		asynctask_rnode.reading = false;
		asynctask_rnode.read_blocks = false;
	}
	if (t->kind == TAKE_BLOCKED) {
		for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
			asynctask_rnode.queues[q].watched = false;
		}
		asynctask_rnode.rewatching = false;
	}
	if (asynctask_redis_node_demoted(ac, reply)) {
		free(t);
		return;   /* read again once reconnected (node_conn.c) */
	}
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: %s failed: %.*s", t->kind == TAKE_BLOCKED ? "XREADGROUP" : "the take step",
			(int) reply->len, reply->str);
		if (t->kind != TAKE_WRITER) {
			asynctask_rnode.take_blocks = false;
		}
		free(t);
		return;  /* tried again at the next tick */
	}
	size_t taken = take_entries(reply, false, got);
	int kind = t->kind;
	if (kind == TAKE_WRITER) {
		for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
			watch_more |= t->promised[q] > 0 && !got[q] && !asynctask_rnode.queues[q].watched
				&& asynctask_redis_node_capacity(q) > 0;
		}
	}
	free(t);
	if (!reply) {
		return;
	}
	if (kind == TAKE_WRITER) {
		if (watch_more && asynctask_rnode.reading && asynctask_rnode.read_blocks) {
			rewatch();
		}
	} else {
		asynctask_rnode.take_blocks = kind == TAKE_READER && taken == 0;
	}
	asynctask_redis_node_poll();
}

/* Sends a take step (or, blocked, the blocked read) on conn for every queue
 * with free workers (skip_watched: but those the blocked read watches).
 * false when no queue has any, or it could not be sent. */
static bool send_take(conn_t *conn, int kind)
{
	char counts[ASYNCTASK_QUEUES_MAX][16], keys[16];
	const char *argv[16 + 4 * ASYNCTASK_QUEUES_MAX];
	size_t argvlen[16 + 4 * ASYNCTASK_QUEUES_MAX];
	uint32_t included[ASYNCTASK_QUEUES_MAX], n = 0;
	int argc = 0;

	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		uint32_t free_workers = asynctask_redis_node_capacity(q);
		if (free_workers > 0 && !(kind == TAKE_WRITER && asynctask_rnode.queues[q].watched)) {
			snprintf(counts[n], sizeof(counts[n]), "%u", free_workers);
			included[n++] = q;
		}
	}
	if (n == 0) {
		return false;
	}
	take_t *t = calloc(1, sizeof(*t));
	if (!t) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory for a take step (tried again at the next tick)");
		return false;
	}
	t->kind = kind;
	if (kind == TAKE_BLOCKED) {
		/* nothing on any level of these queues a moment ago: wait for the
		 * first entry on any, one a stream (what came with it is the take
		 * step's, in level order) */
		argv[argc++] = "XREADGROUP"; argv[argc++] = "GROUP"; argv[argc++] = ASYNCTASK_REDIS_GROUP;
		argv[argc++] = asynctask_rnode.config.node; argv[argc++] = "COUNT"; argv[argc++] = "1";
		argv[argc++] = "BLOCK"; argv[argc++] = BLOCK_MS; argv[argc++] = "STREAMS";
		for (uint32_t i = 0; i < n; i++) {
			for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
				argv[argc++] = asynctask_rnode.queues[included[i]].streams[l];
			}
		}
		for (uint32_t i = 0; i < n * ASYNCTASK_REDIS_LEVELS; i++) {
			argv[argc++] = ">";
		}
	} else {
		snprintf(keys, sizeof(keys), "%u", n * ASYNCTASK_REDIS_LEVELS);
		argv[argc++] = "EVAL"; argv[argc++] = TAKE_SCRIPT; argv[argc++] = keys;
		for (uint32_t i = 0; i < n; i++) {
			for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
				argv[argc++] = asynctask_rnode.queues[included[i]].streams[l];
			}
		}
		argv[argc++] = ASYNCTASK_REDIS_GROUP;
		argv[argc++] = asynctask_rnode.config.node;
		for (uint32_t i = 0; i < n; i++) {
			argv[argc++] = counts[i];
			t->promised[included[i]] = (uint32_t) strtoul(counts[i], NULL, 10);
		}
	}
	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (asynctask_redis_node_command(conn->ac, on_read, t, argc, argv, argvlen) != REDIS_OK) {
		free(t);
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		node_queue_t *queue = &asynctask_rnode.queues[included[i]];
		queue->promised += t->promised[included[i]];
		if (kind == TAKE_BLOCKED) {
			queue->watched = true;
		}
	}
	return true;
}

void asynctask_redis_node_poll(void)
{
	if (!asynctask_rnode.started || !asynctask_rnode.taking) {
		return;
	}
	if (!asynctask_rnode.reading) {
		if (asynctask_rnode.reader.state != CONN_UP || !asynctask_rnode.reader.ready) {
			return;
		}
		bool blocked = asynctask_rnode.take_blocks;
		if (send_take(&asynctask_rnode.reader, blocked ? TAKE_BLOCKED : TAKE_READER)) {
			asynctask_rnode.reading = true;
			asynctask_rnode.read_blocks = blocked;
		} else {
			/* no queue has free workers: entries may pile up on every level meanwhile, a take step first */
			asynctask_rnode.take_blocks = false;
		}
		return;
	}
	/* the reader waits in a blocked read on the queues that had free workers
	 * then: a queue whose workers came free since is taken from on the writer */
	if (asynctask_rnode.read_blocks && !asynctask_rnode.rewatching && !asynctask_rnode.writer_taking
		&& asynctask_rnode.writer.state == CONN_UP && asynctask_rnode.writer.ready
		&& send_take(&asynctask_rnode.writer, TAKE_WRITER)) {
		asynctask_rnode.writer_taking = true;
	}
}

/* --- reclaiming --------------------------------------------------------------------- */

/* claim: ARGV group consumer min_idle_ms 'auto'|'id', then for 'auto' one
 * count a queue (KEYS its three streams, HIGH first), for 'id' the entry's id
 * (KEYS its stream). XAUTOCLAIM over each queue's streams, HIGH first, for
 * what the levels above left of the queue's count (entries idle past
 * visibility_timeout), or XCLAIM (one entry, again at once: its worker
 * crashed), each with its delivery count after the claim, which is the
 * attempt, and its stream: [[id, fields, deliveries, stream], ...]. */
static const char CLAIM_SCRIPT[] =
	"local out = {}\n"
	"local function add(key, claimed)\n"
	"  local n = 0\n"
	"  for _, e in ipairs(claimed) do\n"
	"    if type(e) == 'table' and type(e[2]) == 'table' then\n"
	"      local p = redis.call('XPENDING', key, ARGV[1], e[1], e[1], 1)\n"
	"      local d = 0\n"
	"      if #p > 0 then d = p[1][4] end\n"
	"      out[#out + 1] = {e[1], e[2], d, key}\n"
	"      n = n + 1\n"
	"    end\n"
	"  end\n"
	"  return n\n"
	"end\n"
	"if ARGV[4] == 'id' then\n"
	"  add(KEYS[1], redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[5]))\n"
	"  return out\n"
	"end\n"
	"for q = 1, #ARGV - 4 do\n"
	"  local left = tonumber(ARGV[q + 4])\n"
	"  for l = 1, 3 do\n"
	"    if left <= 0 then break end\n"
	"    local key = KEYS[(q - 1) * 3 + l]\n"
	"    left = left - add(key, redis.call('XAUTOCLAIM', key, ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', left)[2])\n"
	"  end\n"
	"end\n"
	"return out\n";

static void on_claim(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	take_t *t = privdata;

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	asynctask_rnode.claiming--;
	release(t);
	if (asynctask_redis_node_demoted(ac, reply)) {
		free(t);
		return;
	}
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: reclaiming entries failed: %.*s", (int) reply->len, reply->str);
		free(t);
		return;
	}
	size_t taken = take_entries(reply, true, NULL);
	if (t->kind == CLAIM_AUTO) {
		/* an automatic reclaim, not a crashed task's second run */
		asynctask_rnode.stats.reclaimed += taken;
	}
	free(t);
	asynctask_redis_node_poll();
}

/* Sends the claim step with argv's tail (argc so far) and t's promises. */
static void send_claim(const char **argv, int argc, take_t *t)
{
	size_t argvlen[16 + 4 * ASYNCTASK_QUEUES_MAX];

	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (asynctask_redis_node_command(asynctask_rnode.writer.ac, on_claim, t, argc, argv, argvlen) != REDIS_OK) {
		free(t);
		return;
	}
	asynctask_rnode.claiming++;
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		asynctask_rnode.queues[q].promised += t->promised[q];
	}
}

void asynctask_redis_node_claim_one(const char *entry_id, unsigned queue, unsigned level)
{
	if (asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready || queue >= asynctask_rnode.nqueues) {
		return;   /* left pending: reclaimed past visibility_timeout */
	}
	take_t *t = calloc(1, sizeof(*t));
	if (!t) {
		return;
	}
	t->kind = CLAIM_ONE;
	t->promised[queue] = 1;
	const char *argv[] = { "EVAL", CLAIM_SCRIPT, "1",
		asynctask_rnode.queues[queue].streams[level < ASYNCTASK_REDIS_LEVELS ? level : ASYNCTASK_REDIS_LEVEL_NORMAL],
		ASYNCTASK_REDIS_GROUP, asynctask_rnode.config.node, "0", "id", entry_id };
	send_claim(argv, 9, t);
}

void asynctask_redis_node_reclaim(void)
{
	char counts[ASYNCTASK_QUEUES_MAX][16], keys[16], idle[32];
	const char *argv[16 + 4 * ASYNCTASK_QUEUES_MAX];
	uint32_t included[ASYNCTASK_QUEUES_MAX], n = 0;
	uint64_t now = asynctask_now_ns();
	int argc = 0;

	if (!asynctask_rnode.taking || now < asynctask_rnode.next_reclaim || asynctask_rnode.claiming
		|| asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready) {
		return;
	}
	/* a quarter of visibility_timeout between looks, within 50 ms .. 5 s */
	uint64_t every = asynctask_rnode.config.visibility_ms * 1000000ull / 4;
	every = every < 50000000ull ? 50000000ull : every > 5000000000ull ? 5000000000ull : every;
	asynctask_rnode.next_reclaim = now + every;
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		uint32_t free_workers = asynctask_redis_node_capacity(q);
		if (free_workers > 0) {
			snprintf(counts[n], sizeof(counts[n]), "%u", free_workers);
			included[n++] = q;
		}
	}
	if (n == 0) {
		return;
	}
	take_t *t = calloc(1, sizeof(*t));
	if (!t) {
		return;
	}
	t->kind = CLAIM_AUTO;
	snprintf(keys, sizeof(keys), "%u", n * ASYNCTASK_REDIS_LEVELS);
	snprintf(idle, sizeof(idle), "%" PRIu64, asynctask_rnode.config.visibility_ms);
	argv[argc++] = "EVAL"; argv[argc++] = CLAIM_SCRIPT; argv[argc++] = keys;
	for (uint32_t i = 0; i < n; i++) {
		for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
			argv[argc++] = asynctask_rnode.queues[included[i]].streams[l];
		}
	}
	argv[argc++] = ASYNCTASK_REDIS_GROUP;
	argv[argc++] = asynctask_rnode.config.node;
	argv[argc++] = idle;
	argv[argc++] = "auto";
	for (uint32_t i = 0; i < n; i++) {
		argv[argc++] = counts[i];
		t->promised[included[i]] = (uint32_t) strtoul(counts[i], NULL, 10);
	}
	send_claim(argv, argc, t);
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
	if (asynctask_redis_node_follow_up(job, status, data, len)) {
		return;   /* retried, or the chain's next link queued */
	}
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
			asynctask_redis_node_claim_one(job->entry_id, job->queue, job->level);
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
