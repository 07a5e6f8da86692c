/*
 * A Redis node's small reply helpers, which every part of it uses: noting
 * that Redis answered on a connection (for the watchdog; a reply callback's
 * answer, or none when the connection went first), telling an error
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

void asynctask_redis_node_replied(const redisAsyncContext *ac, const redisReply *reply)
{
	if (reply) {
		asynctask_redis_node_heard(ac);
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
		asynctask_redis_node_demoted(ac, r);
	}
}

bool asynctask_redis_node_demoted(redisAsyncContext *ac, const redisReply *reply)
{
	static const char *const codes[] = { "READONLY", "LOADING", "MASTERDOWN", "UNBLOCKED" };
	size_t i, n = sizeof(codes) / sizeof(codes[0]);

	if (!reply || reply->type != REDIS_REPLY_ERROR) {
		return false;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(codes[i]);
		if (reply->len >= len && memcmp(reply->str, codes[i], len) == 0) {
			break;
		}
	}
	if (i == n) {
		return false;
	}
	conn_t *conns[] = { &asynctask_rnode.writer, &asynctask_rnode.reader };
	bool said = false;
	for (int c = 0; c < 2; c++) {
		/* both: they are on the same server. Disconnect, not free: from a
		 * callback hiredis closes once the callback returns; what is out comes
		 * back (kept by its caller) and the disconnect callback reconnects */
		if (conns[c]->ac && !(conns[c]->ac->c.flags & REDIS_DISCONNECTING)) {
			if (!said) {
				asynctask_log_event(ASYNCTASK_LOG_WARNING, "redis_not_master", "redis node: Redis answered %.*s on the %s connection: it is not a master that takes "
					"writes (now); reconnecting%s", (int) (reply->len > 200 ? 200 : reply->len), reply->str,
					conns[c]->ac == ac ? conns[c]->name : conns[1 - c]->name,
					asynctask_rnode.config.url.kind == ASYNCTASK_BACKEND_REDIS_SENTINEL ? " to the master the Sentinels name"
						: "");
				said = true;
			}
			redisAsyncDisconnect(conns[c]->ac);
		}
	}
	return true;
}
