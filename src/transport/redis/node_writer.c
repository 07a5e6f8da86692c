/*
 * A Redis node's commands on the writer: each op with its arguments and the
 * job it finishes, sent, or kept (bounded) while the writer is away and sent
 * again when it is back; and the list of jobs running here.
 *
 * It calls only node_reply.c below it.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- commands on the writer, kept while it is away ---------------------------------- */

op_t *asynctask_redis_node_op_new(int argc, const char **argv, const size_t *argvlen)
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

void asynctask_redis_node_job_free(asynctask_redis_job_t *job)
{
	if (job) {
		free(job->raw);
		free(job);
	}
}

void asynctask_redis_node_live_add(asynctask_redis_job_t *job)
{
	job->prev = NULL;
	job->next = asynctask_rnode.live;
	if (asynctask_rnode.live) {
		asynctask_rnode.live->prev = job;
	}
	asynctask_rnode.live = job;
	asynctask_rnode.live_count++;
}

void asynctask_redis_node_live_remove(asynctask_redis_job_t *job)
{
	if (job->prev) {
		job->prev->next = job->next;
	} else if (asynctask_rnode.live == job) {
		asynctask_rnode.live = job->next;
	} else {
		return;  /* not in the list */
	}
	if (job->next) {
		job->next->prev = job->prev;
	}
	job->next = job->prev = NULL;
	asynctask_rnode.live_count--;
}

void asynctask_redis_node_op_free(op_t *op)
{
	for (int i = 0; i < op->argc; i++) {
		free(op->argv[i]);
	}
	free(op->argv);
	free(op->argvlen);
	asynctask_redis_node_job_free(op->job);
	free(op);
}

/* The writer is away: the op waits for it (bounded; past the bound it is
 * dropped and its entry stays pending, for a node to reclaim and run again). */
static void keep_op(op_t *op)
{
	if (asynctask_rnode.kept_count >= KEPT_MAX_COUNT || asynctask_rnode.kept_bytes + op->bytes > KEPT_MAX_BYTES) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "result_dropped",
			"redis node: Redis is away and %u results (%zu bytes) are kept already: the result of entry %s "
			"is dropped; the entry stays pending and runs again elsewhere after asynctask.visibility_timeout",
			asynctask_rnode.kept_count, asynctask_rnode.kept_bytes, op->job ? op->job->entry_id : "?");
		asynctask_redis_node_op_free(op);
		return;
	}
	op->next = NULL;
	*asynctask_rnode.kept_tail = op;
	asynctask_rnode.kept_tail = &op->next;
	asynctask_rnode.kept_bytes += op->bytes;
	asynctask_rnode.kept_count++;
	asynctask_rnode.stats.results_kept = asynctask_rnode.kept_count;
}

void asynctask_redis_node_send_kept(void)
{
	op_t *op = asynctask_rnode.kept;

	if (asynctask_rnode.kept_count) {
		asynctask_log_event(ASYNCTASK_LOG_INFO, "kept_results_stored", "redis node: Redis is back: storing the %u results kept meanwhile", asynctask_rnode.kept_count);
	}

	asynctask_rnode.kept = NULL;
	asynctask_rnode.kept_tail = &asynctask_rnode.kept;
	asynctask_rnode.kept_bytes = 0;
	asynctask_rnode.kept_count = 0;
	asynctask_rnode.stats.results_kept = 0;
	while (op) {
		op_t *next = op->next;
		asynctask_redis_node_send_op(op);
		op = next;
	}
}

static void on_op(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	op_t *op = privdata;

	asynctask_redis_node_replied(ac, reply);
	asynctask_rnode.ops_out--;
	if (!reply && !asynctask_rnode.started) {
		asynctask_redis_node_op_free(op);  /* the node is leaving (asynctask_redis_node_shutdown() logged what it drops) */
		return;
	}
	if (!reply) {
		/* the connection went before the answer: the step may have run, and
		 * running it again is harmless (it acts only while the entry is pending to us) */
		keep_op(op);
		return;
	}
	if (asynctask_redis_node_demoted(ac, reply)) {
		/* a master turned replica, or loading: stored again on the master, once back */
		keep_op(op);
		return;
	}
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: storing the outcome of entry %s failed: %.*s", op->job ? op->job->entry_id : "?",
			(int) reply->len, reply->str);
	} else if (op->kind == OP_STORE && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "result_late",
			"redis node: the result of entry %s (attempt %u) came late: the entry was delivered again "
			"meanwhile; dropped", op->job->entry_id, op->job->attempt);
	} else if (op->kind == OP_DEAD && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) {
		asynctask_rnode.stats.dead_lettered++;
	}
	asynctask_redis_node_op_free(op);
}

void asynctask_redis_node_send_op(op_t *op)
{
	if (asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready) {
		keep_op(op);
		return;
	}
	if (asynctask_redis_node_command(asynctask_rnode.writer.ac, on_op, op, op->argc, (const char **) op->argv, op->argvlen)
		!= REDIS_OK) {
		keep_op(op);
		return;
	}
	asynctask_rnode.ops_out++;
}

void asynctask_redis_node_store_op(op_t *op)
{
	if (op->kind == OP_STORE && op->bytes <= FOLD_MAX_BYTES && asynctask_rnode.folded_count < FOLD_MAX
		&& asynctask_rnode.started && asynctask_rnode.taking
		&& (!asynctask_rnode.reading || (!asynctask_rnode.read_blocks && asynctask_rnode.backlog))
		&& asynctask_rnode.reader.state == CONN_UP && asynctask_rnode.reader.ready) {
		op->next = asynctask_rnode.folded;
		asynctask_rnode.folded = op;
		asynctask_rnode.folded_count++;
		return;
	}
	asynctask_redis_node_send_op(op);
}

void asynctask_redis_node_send_folded(void)
{
	op_t *op = asynctask_rnode.folded;

	asynctask_rnode.folded = NULL;
	asynctask_rnode.folded_count = 0;
	while (op) {
		op_t *next = op->next;
		asynctask_redis_node_send_op(op);
		op = next;
	}
}
