/*
 * The loop glue (loop.h): hiredis' own libevent adapter, compiled here only.
 */
#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>

#include "src/transport/redis/loop.h"

int asynctask_redis_loop_attach(redisAsyncContext *ac, struct event_base *base)
{
	return redisLibeventAttach(ac, base) == REDIS_OK ? 0 : -1;
}
