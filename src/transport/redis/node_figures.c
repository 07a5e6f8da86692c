/*
 * A Redis node's figures for stats() and the status endpoint: each queue's
 * streams' length, the group's pending entries (all levels) and its delayed
 * tasks waiting, their sums, the group's lag (entries not yet delivered) and
 * consumers, and the dead stream's length, asked for on the writer once a
 * second in one MULTI/EXEC (never per scrape).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- figures ---------------------------------------------------------------------- */

/* One level's XINFO GROUPS: adds our group's pending entries to *pending, its consumers to *consumers (the most
 * on any level: a node reads every level); its lag (entries not yet delivered: Redis 7+, nil when it cannot tell)
 * into *lag, -1 when unknown or when the group is not there. */
static void add_group(const redisReply *groups, uint64_t *pending, uint64_t *consumers, long long *lag)
{
	*lag = -1;
	if (groups->type != REDIS_REPLY_ARRAY) {
		return;
	}
	for (size_t g = 0; g < groups->elements; g++) {
		const redisReply *group = groups->element[g];
		bool ours = false;
		long long group_consumers = -1, group_pending = -1, group_lag = -1;
		for (size_t i = 0; group->type == REDIS_REPLY_ARRAY && i + 1 < group->elements; i += 2) {
			const redisReply *k = group->element[i], *v = group->element[i + 1];
			if (k->type != REDIS_REPLY_STRING) continue;
			if (strcmp(k->str, "name") == 0 && v->type == REDIS_REPLY_STRING) {
				ours = strcmp(v->str, ASYNCTASK_REDIS_GROUP) == 0;
			} else if (strcmp(k->str, "consumers") == 0 && v->type == REDIS_REPLY_INTEGER) {
				group_consumers = v->integer;
			} else if (strcmp(k->str, "pending") == 0 && v->type == REDIS_REPLY_INTEGER) {
				group_pending = v->integer;
			} else if (strcmp(k->str, "lag") == 0 && v->type == REDIS_REPLY_INTEGER) {
				group_lag = v->integer;  /* nil (unknown) or absent (Redis < 7): stays -1 */
			}
		}
		if (ours) {
			*lag = group_lag;
			*pending += group_pending > 0 ? (uint64_t) group_pending : 0;
			if (group_consumers > 0 && (uint64_t) group_consumers > *consumers) {
				*consumers = (uint64_t) group_consumers;
			}
		}
	}
}

/* The replies of one queue in the MULTI/EXEC: [XLEN, XINFO GROUPS] of each level, then ZCARD of its delayed set. */
#define PER_QUEUE (2 * ASYNCTASK_REDIS_LEVELS + 1)

static void on_figures(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	uint64_t length = 0, pending = 0, delayed = 0, consumers = 0, lag = 0;
	bool lag_known = true;
	(void) privdata;

	asynctask_redis_node_replied(ac, reply);
	asynctask_rnode.figures_out = false;
	/* MULTI/EXEC: per queue PER_QUEUE replies, then XLEN of the dead stream */
	if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < PER_QUEUE * (size_t) asynctask_rnode.nqueues + 1) {
		return;
	}
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		redisReply **mine = reply->element + PER_QUEUE * q;
		asynctask_redis_node_queue_stats_t *figures = &asynctask_rnode.queues[q].figures;
		uint64_t queue_length = 0, queue_pending = 0, queue_lag = 0, queue_consumers = 0;
		bool queue_lag_known = true;
		for (unsigned level = 0; level < ASYNCTASK_REDIS_LEVELS; level++) {
			const redisReply *xlen = mine[2 * level], *groups = mine[2 * level + 1];
			long long level_lag;
			if (xlen->type == REDIS_REPLY_INTEGER && xlen->integer > 0) {
				queue_length += (uint64_t) xlen->integer;
			}
			add_group(groups, &queue_pending, &queue_consumers, &level_lag);
			if (level_lag >= 0) {
				queue_lag += (uint64_t) level_lag;
			} else if (xlen->type != REDIS_REPLY_INTEGER || xlen->integer > 0) {
				queue_lag_known = false;  /* (a level without entries and without the group has none undelivered) */
			}
		}
		figures->stream_length = queue_length;
		figures->pending = queue_pending;
		figures->lag = queue_lag_known ? queue_lag : 0;
		figures->lag_known = queue_lag_known;
		figures->consumers = queue_consumers;
		lag += figures->lag;
		lag_known = lag_known && queue_lag_known;
		consumers = queue_consumers > consumers ? queue_consumers : consumers;
		const redisReply *zcard = mine[2 * ASYNCTASK_REDIS_LEVELS];
		if (zcard->type == REDIS_REPLY_INTEGER) {
			figures->delayed = zcard->integer > 0 ? (uint64_t) zcard->integer : 0;
		}
		length += figures->stream_length;
		pending += figures->pending;
		delayed += figures->delayed;
	}
	asynctask_rnode.stats.stream_length = length;
	asynctask_rnode.stats.pending = pending;
	asynctask_rnode.stats.delayed = delayed;
	asynctask_rnode.stats.consumers = consumers;
	asynctask_rnode.stats.lag = lag_known ? lag : 0;
	asynctask_rnode.stats.lag_known = lag_known;
	const redisReply *dead = reply->element[PER_QUEUE * asynctask_rnode.nqueues];
	if (dead->type == REDIS_REPLY_INTEGER) {
		asynctask_rnode.stats.dead_length = dead->integer > 0 ? (uint64_t) dead->integer : 0;
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
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		const node_queue_t *queue = &asynctask_rnode.queues[q];
		for (unsigned level = 0; level < ASYNCTASK_REDIS_LEVELS; level++) {
			redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "XLEN %s",
				queue->streams[level]);
			redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "XINFO GROUPS %s",
				queue->streams[level]);
		}
		redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "ZCARD %s",
			queue->delayed);
	}
	redisAsyncCommand(asynctask_rnode.writer.ac, asynctask_redis_node_ignore_reply, NULL, "XLEN %s",
		asynctask_rnode.dead);
	if (redisAsyncCommand(asynctask_rnode.writer.ac, on_figures, NULL, "EXEC") == REDIS_OK) {
		asynctask_rnode.figures_out = true;
	}
}
