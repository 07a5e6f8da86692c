/*
 * A Redis node taking entries, queue by queue: the take step (every queue
 * with free workers in one script, each for no more than its free workers,
 * HIGH first) and the blocked XREADGROUP on every level of those queues;
 * and the workers each request that is out promised each queue (a claim's
 * too: node_claim.c builds its request with the helpers here), so that no
 * queue is asked for more entries than it has free workers.
 *
 * The reader takes; while it waits in a blocked read on the queues that had
 * free workers, a queue whose workers come free is taken from on the writer
 * (one take step out there at a time), and when that finds the queue empty
 * the writer ends the blocked read (CLIENT UNBLOCK) so that the next one
 * watches that queue too: a busy queue never waits for an idle one's read.
 * While entries wait (the last take step took some), a worker that comes
 * free while the reader's take step is out is taken for on the writer at
 * once, and a take step carries the results that finished since (their
 * store steps, TAKE_STORE_SCRIPT): one Lua call and one answer a task.
 *
 * It calls down to node_entry.c (each entry verified and handed on),
 * node_writer.c (the store ops folded) and node_reply.c; none of them calls
 * back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"
#include "src/transport/redis/node_lua.h"

/* --- taking entries ---------------------------------------------------------------- */

/* protocol.h's take: KEYS the streams of the queues taken from, three a
 * queue, HIGH first; ARGV group consumer, then one count a queue (its idle
 * workers). node_lua.h's take(): each level of a queue for what the levels
 * above left of that queue's count; replies as XREADGROUP ([stream, entries]
 * per stream that had some). */
static const char TAKE_SCRIPT[] =
	NODE_LUA_TAKE
	"return take(#ARGV - 2, 2)\n";

/* The take step carrying store steps (node_lua.h's store(), node_steps.c's
 * STORE_SCRIPT, each done first, as there: stored, then acknowledged and
 * deleted, only while pending to this consumer in that delivery): KEYS the
 * take's streams as above, then a (stream, reply list) pair a store (the
 * stream twice when nobody waits); ARGV group consumer, the count of queues,
 * one count a queue, then (id, attempt, 1|0 a reply, result, ttl_ms) a
 * store. Replies {the take's reply, {1|0 a store}}. */
static const char TAKE_STORE_SCRIPT[] =
	NODE_LUA_STORE
	NODE_LUA_TAKE
	"local nq = tonumber(ARGV[3])\n"
	"local done, k = {}, nq * 3\n"
	"for a = nq + 4, #ARGV - 4, 5 do\n"
	"  local reply = ARGV[a + 2] == '1' and KEYS[k + 2] or nil\n"
	"  done[#done + 1] = store(KEYS[k + 1], ARGV[1], ARGV[a], ARGV[2], ARGV[a + 1], reply, ARGV[a + 3], ARGV[a + 4])\n"
	"  k = k + 2\n"
	"end\n"
	"return {take(nq, 3), done}\n";

uint32_t asynctask_redis_node_capacity(uint32_t queue)
{
	uint32_t free_workers = asynctask_rnode.hooks.capacity(queue);
	uint32_t promised = asynctask_rnode.queues[queue].promised;
	return free_workers > promised ? free_workers - promised : 0;
}

/* A request's promises are kept no longer: its answer came (or never will). */
void asynctask_redis_node_release(const take_t *t)
{
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		node_queue_t *queue = &asynctask_rnode.queues[q];
		queue->promised = queue->promised > t->promised[q] ? queue->promised - t->promised[q] : 0;
	}
}

uint32_t asynctask_redis_node_free_queues(bool skip_watched, uint32_t included[ASYNCTASK_QUEUES_MAX], char counts[][16])
{
	uint32_t n = 0;

	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		uint32_t free_workers = asynctask_redis_node_capacity(q);
		if (free_workers > 0 && !(skip_watched && asynctask_rnode.queues[q].watched)) {
			snprintf(counts[n], sizeof(counts[n]), "%u", free_workers);
			included[n++] = q;
		}
	}
	return n;
}

int asynctask_redis_node_add_streams(const char **argv, int argc, const uint32_t *included, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
			argv[argc++] = asynctask_rnode.queues[included[i]].streams[l];
		}
	}
	return argc;
}

int asynctask_redis_node_add_counts(const char **argv, int argc, take_t *t, const uint32_t *included, uint32_t n,
	char counts[][16])
{
	for (uint32_t i = 0; i < n; i++) {
		argv[argc++] = counts[i];
		t->promised[included[i]] = (uint32_t) strtoul(counts[i], NULL, 10);
	}
	return argc;
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

/* The store steps a take step carried: done (a late one said so, as
 * node_writer.c's on_op does), or, when the step did not run or did not
 * answer, sent again on the writer (harmless if they ran: a store acts only
 * while its entry is pending to this consumer). Returns the take's own reply
 * within reply, or reply when it is not {take, stores}. */
static redisReply *stores_done(take_t *t, redisReply *reply)
{
	const redisReply *done = NULL;
	redisReply *take = reply;

	if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
		&& reply->element[1]->type == REDIS_REPLY_ARRAY && reply->element[1]->elements == t->nstores) {
		take = reply->element[0];
		done = reply->element[1];
	}
	op_t *op = t->stores;
	t->stores = NULL;
	for (size_t i = 0; op; i++) {
		op_t *next = op->next;
		if (done) {
			if (done->element[i]->type == REDIS_REPLY_INTEGER && done->element[i]->integer == 0) {
				asynctask_log_event(ASYNCTASK_LOG_WARNING, "result_late",
					"redis node: the result of entry %s (attempt %u) came late: the entry was delivered again "
					"meanwhile; dropped", op->job->entry_id, op->job->attempt);
			}
			asynctask_redis_node_op_free(op);
		} else if (!asynctask_rnode.started) {
			asynctask_redis_node_op_free(op);   /* the node is leaving */
		} else {
			asynctask_redis_node_send_op(op);
		}
		op = next;
	}
	return take;
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

	asynctask_redis_node_replied(ac, reply);
	asynctask_redis_node_release(t);
	if (t->stores) {
		reply = stores_done(t, reply);   /* the take's own reply (NULL when none came) */
	}
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
	if (!reply || asynctask_redis_node_is_error(reply)) {
		asynctask_redis_node_send_folded();   /* waited for this step: no next one soon */
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
	size_t taken = asynctask_redis_node_take_entries(reply, false, got);
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
		asynctask_rnode.backlog = kind == TAKE_READER && taken > 0;
	}
	asynctask_redis_node_poll();
}

/* The promises of t (sent) are kept until its answer. */
static void promise(const take_t *t, const uint32_t *included, uint32_t n, int kind)
{
	for (uint32_t i = 0; i < n; i++) {
		node_queue_t *queue = &asynctask_rnode.queues[included[i]];
		queue->promised += t->promised[included[i]];
		if (kind == TAKE_BLOCKED) {
			queue->watched = true;
		}
	}
}

/* The take step (TAKE_STORE_SCRIPT) on conn for the n included queues, with
 * the folded store ops (node_steps.c's store, whose arguments are [EVAL,
 * script, numkeys, stream, reply, group, id, consumer, attempt, result, ttl],
 * or without reply, result and ttl when nobody waits). t is sent or freed;
 * the ops go with it, or stay folded when it cannot be sent. */
static bool send_take_store(conn_t *conn, take_t *t, const uint32_t *included, uint32_t n,
	char counts[][16])
{
	char keys[16], nq[16];
	const char *argv[16 + 4 * ASYNCTASK_QUEUES_MAX + 7 * FOLD_MAX];
	size_t argvlen[16 + 4 * ASYNCTASK_QUEUES_MAX + 7 * FOLD_MAX];
	int argc = 0, a;
	uint32_t stores = 0;

	for (op_t *op = asynctask_rnode.folded; op && stores < FOLD_MAX; op = op->next) {
		stores++;
	}
	snprintf(keys, sizeof(keys), "%u", n * ASYNCTASK_REDIS_LEVELS + 2 * stores);
	snprintf(nq, sizeof(nq), "%u", n);
	argv[argc++] = "EVAL"; argv[argc++] = TAKE_STORE_SCRIPT; argv[argc++] = keys;
	argc = asynctask_redis_node_add_streams(argv, argc, included, n);
	/* each store's stream and reply list (its stream again when nobody waits) */
	uint32_t s = 0;
	for (op_t *op = asynctask_rnode.folded; op && s < stores; op = op->next, s++) {
		bool reply = op->argc == 11;
		argv[argc++] = op->argv[3];
		argv[argc++] = op->argv[reply ? 4 : 3];
	}
	argv[argc++] = ASYNCTASK_REDIS_GROUP;
	argv[argc++] = asynctask_rnode.config.node;
	argv[argc++] = nq;
	argc = asynctask_redis_node_add_counts(argv, argc, t, included, n, counts);
	for (a = 0; a < argc; a++) {
		argvlen[a] = strlen(argv[a]);
	}
	s = 0;
	for (op_t *op = asynctask_rnode.folded; op && s < stores; op = op->next, s++) {
		bool reply = op->argc == 11;
		int id = reply ? 6 : 5, attempt = reply ? 8 : 7;
		argv[argc] = op->argv[id]; argvlen[argc++] = op->argvlen[id];
		argv[argc] = op->argv[attempt]; argvlen[argc++] = op->argvlen[attempt];
		argv[argc] = reply ? "1" : "0"; argvlen[argc++] = 1;
		argv[argc] = reply ? op->argv[9] : ""; argvlen[argc++] = reply ? op->argvlen[9] : 0;
		argv[argc] = reply ? op->argv[10] : "0"; argvlen[argc++] = reply ? op->argvlen[10] : 1;
	}
	if (asynctask_redis_node_command(conn->ac, on_read, t, argc, argv, argvlen) != REDIS_OK) {
		free(t);
		return false;   /* the ops stay folded: poll() sends them on the writer */
	}
	/* the ops carried leave the folded list (newest first: the first `stores`) */
	op_t **link = &asynctask_rnode.folded;
	for (s = 0; s < stores; s++) {
		link = &(*link)->next;
	}
	t->stores = asynctask_rnode.folded;
	t->nstores = stores;
	asynctask_rnode.folded = *link;
	*link = NULL;
	asynctask_rnode.folded_count -= stores;
	promise(t, included, n, t->kind);
	return true;
}

/* Sends a take step (or, blocked, the blocked read) on conn for every queue
 * with free workers (skip_watched: but those the blocked read watches).
 * false when no queue has any, or it could not be sent. */
static bool send_take(conn_t *conn, int kind)
{
	char counts[ASYNCTASK_QUEUES_MAX][16], keys[16];
	const char *argv[16 + 4 * ASYNCTASK_QUEUES_MAX];
	size_t argvlen[16 + 4 * ASYNCTASK_QUEUES_MAX];
	uint32_t included[ASYNCTASK_QUEUES_MAX];
	int argc = 0;

	uint32_t n = asynctask_redis_node_free_queues(kind == TAKE_WRITER, included, counts);
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
		argc = asynctask_redis_node_add_streams(argv, argc, included, n);
		for (uint32_t i = 0; i < n * ASYNCTASK_REDIS_LEVELS; i++) {
			argv[argc++] = ">";
		}
	} else if (asynctask_rnode.folded) {
		return send_take_store(conn, t, included, n, counts);
	} else {
		snprintf(keys, sizeof(keys), "%u", n * ASYNCTASK_REDIS_LEVELS);
		argv[argc++] = "EVAL"; argv[argc++] = TAKE_SCRIPT; argv[argc++] = keys;
		argc = asynctask_redis_node_add_streams(argv, argc, included, n);
		argv[argc++] = ASYNCTASK_REDIS_GROUP;
		argv[argc++] = asynctask_rnode.config.node;
		argc = asynctask_redis_node_add_counts(argv, argc, t, included, n, counts);
	}
	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (asynctask_redis_node_command(conn->ac, on_read, t, argc, argv, argvlen) != REDIS_OK) {
		free(t);
		return false;
	}
	promise(t, included, n, kind);
	return true;
}

void asynctask_redis_node_poll(void)
{
	if (!asynctask_rnode.started || !asynctask_rnode.taking) {
		asynctask_redis_node_send_folded();
		return;
	}
	if (!asynctask_rnode.reading) {
		if (asynctask_rnode.reader.state != CONN_UP || !asynctask_rnode.reader.ready) {
			asynctask_redis_node_send_folded();
			return;
		}
		/* results to store: a take step carries them (a blocked read cannot) */
		bool blocked = asynctask_rnode.take_blocks && !asynctask_rnode.folded;
		if (send_take(&asynctask_rnode.reader, blocked ? TAKE_BLOCKED : TAKE_READER)) {
			asynctask_rnode.reading = true;
			asynctask_rnode.read_blocks = blocked;
		} else {
			/* no queue has free workers: entries may pile up on every level meanwhile, a take step first */
			asynctask_rnode.take_blocks = false;
		}
		asynctask_redis_node_send_folded();   /* those it did not carry */
		return;
	}
	/* the reader waits in a blocked read on the queues that had free workers
	 * then, or its take step is out while entries wait: a queue whose workers
	 * came free since is taken from on the writer (with the folded stores) */
	bool soon = !asynctask_rnode.read_blocks && asynctask_rnode.backlog;
	if ((asynctask_rnode.read_blocks || soon) && !asynctask_rnode.rewatching && !asynctask_rnode.writer_taking
		&& asynctask_rnode.writer.state == CONN_UP && asynctask_rnode.writer.ready
		&& send_take(&asynctask_rnode.writer, TAKE_WRITER)) {
		asynctask_rnode.writer_taking = true;
	}
	if (!soon) {
		asynctask_redis_node_send_folded();
	}   /* else a take step is out: the folded stores go with the next, once it is answered */
}
