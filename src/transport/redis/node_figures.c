/*
 * A Redis node's figures for stats() and the status endpoint: the stream's
 * length, the group's consumers, pending entries and lag (entries not yet
 * delivered), the dead stream's length, asked for on the writer once a
 * second (never per scrape).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- figures ---------------------------------------------------------------------- */

static void on_figures(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	(void) privdata;

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	asynctask_rnode.figures_out = false;
	/* MULTI/EXEC: [XLEN, XINFO GROUPS, XLEN dead] */
	if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) {
		return;
	}
	if (reply->element[0]->type == REDIS_REPLY_INTEGER) {
		asynctask_rnode.stats.stream_length = (uint64_t) reply->element[0]->integer;
	}
	if (reply->element[2]->type == REDIS_REPLY_INTEGER) {
		asynctask_rnode.stats.dead_length = (uint64_t) reply->element[2]->integer;
	}
	const redisReply *groups = reply->element[1];
	if (groups->type != REDIS_REPLY_ARRAY) {
		return;
	}
	for (size_t g = 0; g < groups->elements; g++) {
		const redisReply *group = groups->element[g];
		bool ours = false;
		long long consumers = -1, pending = -1, lag = -1;
		for (size_t i = 0; group->type == REDIS_REPLY_ARRAY && i + 1 < group->elements; i += 2) {
			const redisReply *k = group->element[i], *v = group->element[i + 1];
			if (k->type != REDIS_REPLY_STRING) continue;
			if (strcmp(k->str, "name") == 0 && v->type == REDIS_REPLY_STRING) {
				ours = strcmp(v->str, ASYNCTASK_REDIS_GROUP) == 0;
			} else if (strcmp(k->str, "consumers") == 0 && v->type == REDIS_REPLY_INTEGER) {
				consumers = v->integer;
			} else if (strcmp(k->str, "pending") == 0 && v->type == REDIS_REPLY_INTEGER) {
				pending = v->integer;
			} else if (strcmp(k->str, "lag") == 0 && v->type == REDIS_REPLY_INTEGER) {
				lag = v->integer;  /* nil (unknown) or absent (Redis < 7): stays -1 */
			}
		}
		if (ours) {
			asynctask_rnode.stats.consumers = consumers > 0 ? (uint64_t) consumers : 0;
			asynctask_rnode.stats.pending = pending > 0 ? (uint64_t) pending : 0;
			asynctask_rnode.stats.lag_known = lag >= 0;
			asynctask_rnode.stats.lag = lag > 0 ? (uint64_t) lag : 0;
		}
	}
}

void asynctask_redis_node_figures(void)
{
	uint64_t now = asynctask_now_ns();

	if (now < asynctask_rnode.next_figures || asynctask_rnode.figures_out || asynctask_rnode.writer.state != CONN_UP
		|| !asynctask_rnode.writer.ready) {
		return;
	}
	asynctask_rnode.next_figures = now + FIGURES_EVERY_NS;
	redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "MULTI");
	redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "XLEN %s",
		asynctask_rnode.stream);
	redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "XINFO GROUPS %s",
		asynctask_rnode.stream);
	redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "XLEN %s",
		asynctask_rnode.dead);
	if (redisAsyncCommand(asynctask_rnode.writer.ac, on_figures, NULL, "EXEC") == REDIS_OK) {
		asynctask_rnode.figures_out = true;
	}
}
