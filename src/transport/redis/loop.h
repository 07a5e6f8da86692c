/*
 * The loop glue (hiredis' libevent adapter), apart from the protocol
 * (node_*.c), as hiredis keeps its adapters apart from its client: attaches
 * an async connection to a libevent base.
 */
#ifndef ASYNCTASK_REDIS_LOOP_H
#define ASYNCTASK_REDIS_LOOP_H

#include <hiredis/async.h>

struct event_base;

/* Makes base's loop drive ac's reads and writes. 0, or -1 (out of memory, or already attached). */
int asynctask_redis_loop_attach(redisAsyncContext *ac, struct event_base *base);

#endif
