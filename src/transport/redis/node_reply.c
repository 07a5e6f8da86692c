/*
 * A Redis node's small reply helpers, which every part of it uses: noting
 * that Redis answered on a connection (for the watchdog), telling an error
 * reply, and a callback that only notes the answer. The lowest of the
 * node's files: it calls none of the others.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* Redis answered on ac's connection (for the watchdog, asynctask_redis_node_tick()). */
void asynctask_redis_node_heard(const redisAsyncContext *ac)
{
	uint64_t now = asynctask_now_ns();

	if (ac == asynctask_rnode.reader.ac) {
		asynctask_rnode.reader.heard_ns = now;
	} else if (ac == asynctask_rnode.writer.ac) {
		asynctask_rnode.writer.heard_ns = now;
	}
}

bool asynctask_redis_node_is_error(const redisReply *reply)
{
	return reply && reply->type == REDIS_REPLY_ERROR;
}

void asynctask_redis_node_ignore_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	(void) privdata;
	if (r) {
		asynctask_redis_node_heard(ac);
	}
}
