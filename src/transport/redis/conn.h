/*
 * transport/redis/: the Redis Streams transport, being built. Today it owns
 * what asynctask.backend's URL says (url.h), the dispatching side's
 * connection (this header), the keys both sides use (protocol.h) and the
 * dispatching side of transport.h over Redis (dispatch.h: send = XADD,
 * cancel, collect and sleep on the reply list); the node's side comes
 * next. It may call the interface's types, codec/ (the wire form,
 * redis/wire.h) and base/; never shm/, the pool or the api.
 *
 * The dispatching side's connection to Redis: one blocking hiredis
 * connection per process, made on first use and kept across requests (one
 * per php-fpm child), never shared with a forked child.
 *
 * The manager's side (a node) uses hiredis' async API on its libevent loop;
 * that glue belongs in a file of its own (STYLE.md: protocol and loop apart).
 */
#ifndef ASYNCTASK_REDIS_CONN_H
#define ASYNCTASK_REDIS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

/* Runs one binary-safe command (argv[0] is its name) on this process's
 * connection to asynctask.backend. Connects when there is none yet, after a
 * fork, after an error, or when asynctask.backend changed: AUTH (user and
 * password, or the password alone) and SELECT as the URL says.
 *
 * Under redis-sentinel:// it connects to the master the Sentinels name (asked
 * in turn), checked with ROLE; READONLY is one more answer that asks them
 * again. While Redis cannot be reached, drops the connection or answers LOADING,
 * BUSY, MASTERDOWN, TRYAGAIN or CLUSTERDOWN, it retries with backoff until
 * asynctask.dispatch_timeout has passed since the call, then throws
 * AsyncTask\BackendException with the last error. A command cut off by a lost
 * connection may have run: a retry can run it twice (delivery is
 * at-least-once). Credentials refused, a command refused (NOPERM, WRONGTYPE,
 * ...) or an invalid URL throw at once: waiting would not change the answer.
 *
 * Returns the reply (never an error reply; the caller frees it with
 * freeReplyObject()), or NULL with the exception thrown. */
redisReply *asynctask_redis_command(int argc, const char **argv, const size_t *argv_len);

/* The same on the connection to `backend` (a URL as asynctask.backend
 * takes; the one connection is replaced when the URL differs from the
 * last), for a command that Redis may hold up to `blocks` seconds before it
 * answers (a BLMOVE's timeout, else 0): each attempt waits that much longer
 * for the reply, so that a blocking command is not cut off by the socket's
 * timeout while Redis still holds it. */
redisReply *asynctask_redis_command_to(const char *backend, double blocks, int argc, const char **argv,
	const size_t *argv_len);

/* The same until `deadline` (asynctask_redis_clock()'s seconds) rather
 * than dispatch_timeout from now: for the steps of one dispatch() that
 * share its budget (XADD, then WAIT) from `started`, when it began (the
 * message of a timeout says how long since). */
redisReply *asynctask_redis_command_by(const char *backend, double started, double deadline, double blocks, int argc,
	const char **argv, const size_t *argv_len);

/* Queues a command to go out in the same write as the next command on the
 * connection to `backend` (no round trip of its own); its reply is read
 * then, before that command's, and dropped, an error too: for a command
 * whose outcome nobody waits for and that may be lost harmlessly with the
 * connection (LTRIM of results already booked: read again, they are dropped
 * as settled). false when there is no usable connection to `backend` now:
 * nothing was queued. */
bool asynctask_redis_command_later(const char *backend, int argc, const char **argv, const size_t *argv_len);

/* Sends what asynctask_redis_command_later() queued, if anything, with a
 * PING, and reads the replies (at most a second; nothing thrown): at the end
 * of a request, so that a process that ends leaves no booked result behind,
 * and before an event stream's BLMOVE (events.c), which must not find them. */
void asynctask_redis_command_flush(void);

/* A monotonic clock, seconds. */
double asynctask_redis_clock(void);

/* Which connection a command just ran on (a number that changes with each
 * connection this process makes), 0 when there is none now. */
uint64_t asynctask_redis_connection(void);

/* One try of a command on `connection` only, never on a new one: WAIT
 * counts the replicas that have this connection's own writes, so asked on
 * another connection it would confirm nothing. `seconds` bounds the
 * connection's own part (a reply Redis holds `blocks` seconds more is
 * waited for). NULL with the reason in `error` (nothing thrown) when the
 * connection is gone, fails or Redis answers an error. */
redisReply *asynctask_redis_command_on(uint64_t connection, double seconds, double blocks, int argc,
	const char **argv, const size_t *argv_len, char *error, size_t error_size);

/* A connection of the caller's own to `backend` (not this process's command
 * connection, which it leaves alone), made now with the same handshake
 * (AUTH, SELECT; the master the Sentinels name), one try within `seconds`:
 * for a blocking read kept apart (the event stream, events.h). The caller
 * frees it with redisFree(). NULL with the reason in `error`. */
redisContext *asynctask_redis_connect_own(const char *backend, double seconds, char *error, size_t error_size);

/* Closes this process's connection, if any (module shutdown). */
void asynctask_redis_disconnect(void);

#endif
