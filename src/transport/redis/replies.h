/*
 * The dispatching side's reply list (protocol.h: {prefix}:r:{dispatcher}):
 * what nodes push there is read, verified and booked here. Every result is
 * decoded only after its HMAC verifies under the secret (wire.h), and only
 * for a task this process sent and still has in its books (dispatcher.h);
 * anything else (unsigned, wrongly signed, altered, another dispatcher's or
 * an unknown task's, a second result for a task already settled) is dropped
 * and logged, and never settles a Future. The first result of a task wins.
 */
#ifndef ASYNCTASK_REDIS_REPLIES_H
#define ASYNCTASK_REDIS_REPLIES_H

#include <stdbool.h>

/* Takes every result that has come (LRANGE, then LTRIM once they are
 * booked: a lost connection loses none; in batches); returns
 * how many were booked for a Future. No round trip when no task is in the
 * books. -1 with BackendException thrown when Redis cannot be reached within
 * asynctask.dispatch_timeout. */
int asynctask_redis_replies_collect(void);

/* Waits at most timeout_ms for the next result (BLMOVE of the list's head
 * onto itself with that timeout, in seconds: it waits without taking); true when one came (booked or dropped). false on a timeout, or
 * with BackendException thrown. */
bool asynctask_redis_replies_sleep(int timeout_ms);

#endif
