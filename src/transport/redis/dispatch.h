/*
 * The dispatching side of the Redis transport (transport.h over Redis
 * Streams): send = XADD of a signed task to {prefix}:q:default, naming this
 * process's reply list; send_job = the same on the stream of the task's
 * priority level, or for a delayed task protocol.h's delay step (into the
 * queue's delayed set, due by Redis' clock); cancel = protocol.h's atomic
 * cancel (a Lua script; for a delayed task, out of the set or, once moved,
 * as any entry);
 * collect and sleep = LRANGE/LTRIM and a BLMOVE that waits without taking,
 * on the reply list (replies.h). The
 * worker's side (take, wait, post) is not here: a node's manager bridges
 * the stream into its local pool, whose workers keep the shm transport.
 *
 * With asynctask.redis_replicas = N > 0, send returns only after WAIT N
 * (on the connection that ran the XADD, for what is left of
 * asynctask.dispatch_timeout) confirmed the entry on N replicas; fewer:
 * BackendException saying how many (the entry stays in the stream).
 *
 * Every call goes through this process's blocking connection (conn.h),
 * so a call may throw AsyncTask\BackendException after
 * asynctask.dispatch_timeout (send, cancel, collect, sleep).
 */
#ifndef ASYNCTASK_REDIS_DISPATCH_H
#define ASYNCTASK_REDIS_DISPATCH_H

#include "php.h"

#include "src/transport/transport.h"

extern const asynctask_transport_t asynctask_redis_transport;

/* Before a dispatch: what to sign with and the node name the task carries
 * (the api reads both from the settings). FAILURE with an exception thrown. */
zend_result asynctask_redis_dispatch_use(const zend_string *secret, const char *node);

/* Pool::stats() of a process that only dispatches to Redis: this process's
 * own counts (see the README, "Several machines"), collected first (which
 * may throw), and its queues' figures in Redis (below). */
void asynctask_redis_dispatch_stats(zval *return_value);

/* Adds "queues" to stats: for each queue asynctask.queues names ("default"
 * when empty), at asynctask.backend under asynctask.prefix: "queued" (in
 * its streams, not taken by a node yet), "pending" (taken by a node, not
 * acknowledged yet: running, or on a node that died until it is
 * reclaimed), "delayed" (in its delayed set: delayed tasks and retries
 * waiting for their time) and "stream_length" (queued + pending), in one
 * round trip (dispatch_figures.c); and "backend_connected" => true. When
 * Redis cannot be read (unreachable past dispatch_timeout, or it refused),
 * no "queues" but "backend_connected" => false and "backend_error", the
 * reason: nothing thrown. false with an exception thrown only when
 * asynctask.queues cannot be parsed (its handler refuses such values). */
bool asynctask_redis_dispatch_queue_figures(zval *stats);

/* RSHUTDOWN and MSHUTDOWN (dispatcher.h). */
void asynctask_redis_dispatch_rshutdown(void);
void asynctask_redis_dispatch_mshutdown(void);

#endif
