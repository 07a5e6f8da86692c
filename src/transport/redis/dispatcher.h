/*
 * This process as a dispatcher of the Redis backend: who it is to the
 * backend and what it is owed.
 *
 *  - Its identity: a dispatcher id (128 bits from the CSPRNG, as 32 hex
 *    digits) drawn on its first dispatch, and the reply list named after it
 *    (protocol.h). A forked child notices it is not the process that drew
 *    them and draws its own, with empty books: it never reads its parent's
 *    list, and its parent's tasks are not its own.
 *  - What the api handed it at its latest dispatch: the secret, this
 *    machine's node name, the backend URL and the key prefix (persistent
 *    copies, replaced when they change). Futures read the reply list at
 *    that backend under that prefix, whatever asynctask.backend says when
 *    they wait (a script may dispatch to Redis and to its own pool in turn).
 *  - The tasks it sent whose outcome it has not had: the 64-bit task id
 *    transport.h speaks is the first 64 bits of the 128-bit wire id (drawn
 *    again in the rare case they collide with a task still in the books), so
 *    a result's wire id finds its task with one lookup and a comparison of
 *    all 128 bits. Kept for the life of the process (a php-fpm child's
 *    Futures are gone at the end of a request, but their late results still
 *    come to its list): a task whose Future is gone is marked forgotten and
 *    leaves the books when its result comes, or when more than
 *    ASYNCTASK_REDIS_FORGOTTEN_MAX such tasks wait (the oldest go first).
 *  - The outcomes received and not yet taken by their Future (request
 *    memory: a Future takes and frees it), and this process's counts.
 */
#ifndef ASYNCTASK_REDIS_DISPATCHER_H
#define ASYNCTASK_REDIS_DISPATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "php.h"

#include "src/base/queues.h"
#include "src/codec/redis/wire.h"
#include "src/transport/transport.h"

#define ASYNCTASK_REDIS_FORGOTTEN_MAX 65536
#define ASYNCTASK_REDIS_ENTRY_ID_MAX  48     /* "<ms>-<seq>": two 64-bit numbers */
#define ASYNCTASK_REDIS_NODE_MAX      256
#define ASYNCTASK_REDIS_PREFIX_MAX    64
#define ASYNCTASK_REDIS_KEY_MAX       384    /* prefix + ":r:" + 32 hex digits, or ":q:" + a queue (<= 255) */

typedef struct {
	uint8_t id[ASYNCTASK_WIRE_ID_SIZE];
	bool    forgotten;                          /* its Future is gone: drop its result when it comes */
	char    entry[ASYNCTASK_REDIS_ENTRY_ID_MAX]; /* the stream entry XADD made (for cancel); "" when delayed */
	uint8_t level;                              /* its priority level (protocol.h): the stream it is on */
	bool    delayed;                            /* sent to the delayed set (protocol.h), not to a stream */
	char    queue[ASYNCTASK_QUEUE_NAME_MAX + 1];  /* its queue (Task::onQueue()): the stream or set it is in */
} asynctask_redis_sent_t;

typedef struct {
	uint64_t dispatched;   /* tasks XADDed */
	uint64_t completed;    /* outcomes received, by status */
	uint64_t failed;
	uint64_t crashed;
	uint64_t timed_out;
	uint64_t cancelled;    /* cancel() took the entry back */
	uint64_t unread;       /* outcomes of tasks whose Future was gone: dropped */
	uint64_t refused;      /* results dropped unread: unsigned, forged, not ours, a second one */
} asynctask_redis_counts_t;

/* Hands the dispatcher what it signs with, names itself by, sends to and
 * names its keys with (api: before a dispatch). FAILURE (an exception
 * thrown) when the CSPRNG fails. */
zend_result asynctask_redis_dispatcher_use(const zend_string *secret, const char *node, const char *backend,
	const char *prefix);

/* What was last handed over: NULL (secret, backend) or "" before any. */
const zend_string *asynctask_redis_dispatcher_secret(void);
const char *asynctask_redis_dispatcher_node(void);
const char *asynctask_redis_dispatcher_backend(void);

/* This process's reply list, {prefix}:r:{dispatcher}, into out
 * (ASYNCTASK_REDIS_KEY_MAX bytes); false before the dispatcher id is drawn. */
bool asynctask_redis_dispatcher_reply_key(char *out);
/* The stream of `queue`, {prefix}:q:{queue}, into out (ASYNCTASK_REDIS_KEY_MAX bytes). */
void asynctask_redis_dispatcher_stream_key(const char *queue, char *out);
/* The same for a priority level (protocol.h: {prefix}:q:{queue}[:high|:low]). */
void asynctask_redis_dispatcher_level_key(const char *queue, unsigned level, char *out);
/* The delayed set of `queue`, {prefix}:delayed:{queue}, followed by `suffix` (protocol.h). */
void asynctask_redis_dispatcher_delayed_key(const char *queue, const char *suffix, char *out);

/* A fresh wire id for a task to send, unique among the tasks in the books,
 * into sent (not yet in the books); its task id into *task_id. */
zend_result asynctask_redis_sent_draw(asynctask_redis_sent_t *sent, uint64_t *task_id);
/* Puts a sent task in the books (after Redis took it). */
void asynctask_redis_sent_keep(uint64_t task_id, const asynctask_redis_sent_t *sent);
asynctask_redis_sent_t *asynctask_redis_sent_find(uint64_t task_id);
/* The task in the books whose wire id this is (all 128 bits), or NULL. */
asynctask_redis_sent_t *asynctask_redis_sent_find_wire(const uint8_t id[ASYNCTASK_WIRE_ID_SIZE], uint64_t *task_id);
void asynctask_redis_sent_remove(uint64_t task_id);
/* Its Future is gone: its result is dropped now (if it came) or when it comes. */
void asynctask_redis_sent_forget(uint64_t task_id);
/* How many tasks are in the books (forgotten ones included). */
uint32_t asynctask_redis_sent_pending(void);
uint32_t asynctask_redis_sent_forgotten(void);

/* A received outcome (a received result, transport.h) for task_id's Future. */
void asynctask_redis_result_store(uint64_t task_id, zend_string *result);
/* The outcome of task_id, handed over (the caller owns it), or NULL. */
zend_string *asynctask_redis_result_take(uint64_t task_id);

asynctask_redis_counts_t *asynctask_redis_counts(void);
/* Counts an outcome this process received: completed, crashed, timed_out or
 * (any other status) failed. */
void asynctask_redis_count_outcome(asynctask_result_status_t status);

/* RSHUTDOWN: the outcomes no Future took are freed (request memory). */
void asynctask_redis_dispatcher_rshutdown(void);
/* MSHUTDOWN: the books and the copies are freed, the secret wiped. */
void asynctask_redis_dispatcher_mshutdown(void);

#endif
