/*
 * A node's side of the Redis protocol (protocol.h), run by the manager on
 * its libevent loop with hiredis' async API (loop.h attaches a connection to
 * the loop). It takes task entries from the queue's stream through the
 * consumer group, verifies each before anything of it is decoded, hands
 * the verified ones to its caller (the pool's bridge, through the hooks
 * below: this layer never calls the pool) and stores each task's result
 * with the atomic store step; it dead-letters what cannot run, reclaims
 * what other nodes left past visibility_timeout, and reconnects with
 * backoff, keeping (bounded) what it could not store meanwhile.
 *
 * While a job runs its entry's idle time is reset every third of
 * visibility_timeout (XCLAIM ... JUSTID, only while it is still ours, which
 * keeps its delivery count): a long task on a live node is never reclaimed;
 * a node that died, froze or lost Redis stops doing it, and its entries are
 * reclaimed once visibility_timeout has passed.
 *
 * Queues: a node serves the named queues of its config (asynctask.queues,
 * each with its own workers on this machine); each has its own streams and
 * delayed set (protocol.h), and the node never takes more of a queue's
 * entries than that queue has workers free (the capacity hook), so that a
 * busy queue neither hoards nor starves another. Every step covers all the
 * queues in one round trip.
 *
 * Priorities: a stream per level (protocol.h); the reader takes HIGH
 * first, then NORMAL, then LOW, never more than the workers free (the take
 * step). Delays: the node moves due members of each queue's delayed set into
 * their streams (the move step) every ASYNCTASK_REDIS_MOVE_EVERY_MS, or
 * sooner when the first one is due sooner (node_delayed.c).
 *
 * Two connections: the reader blocks in XREADGROUP ... BLOCK (so that the
 * node wakes when a task arrives), the writer stores results, reclaims,
 * dead-letters and reads the figures stats() shows, never waiting behind a
 * blocked read. Both belong to the manager: workers never talk to Redis.
 *
 * Nothing here throws or touches PHP's request state (the manager runs no
 * PHP code): errors are logged (base/log.h) and retried.
 */
#ifndef ASYNCTASK_REDIS_NODE_H
#define ASYNCTASK_REDIS_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "php.h"
#include "src/base/queues.h"
#include "src/codec/chain.h"
#include "src/codec/redis/wire.h"
#include "src/codec/retry.h"
#include "src/transport/redis/url.h"
#include "src/transport/transport.h"

struct event_base;

/* What a node serves and how; filled by the api (api/serve.c), read by the
 * manager after fork. The strings are copies the node owns (malloc). */
typedef struct {
	asynctask_redis_url_t url;
	char     *secret;
	size_t    secret_len;
	char      prefix[65];
	char      node[256];               /* the consumer name: asynctask.node */
	uint32_t  nqueues;                 /* the queues served (at least one), in the pool's order */
	char      queues[ASYNCTASK_QUEUES_MAX][ASYNCTASK_QUEUE_NAME_MAX + 1];
	uint64_t  visibility_ms;
	uint32_t  max_attempts;
	uint64_t  result_ttl_ms;
	size_t    max_payload;
} asynctask_redis_node_config_t;

/* One delivery of a verified task entry: handed to the bridge by run(), given
 * back with asynctask_redis_node_finish() once its outcome is known. */
typedef struct asynctask_redis_job {
	struct asynctask_redis_job *next, *prev;  /* the node's list of the jobs running */
	char      entry_id[48];            /* the stream entry's id */
	uint8_t   level;                   /* the priority level of the stream it came from (protocol.h) */
	uint16_t  queue;                   /* the index of the queue (config.queues) whose stream it came from */
	uint32_t  attempt;                 /* the entry's delivery count */
	uint32_t  run;                     /* the run it is (context()->attempt()): the entry's attempt + attempt - 1 */
	asynctask_wire_entry_t task;       /* decoded from raw: its strings point into raw */
	char     *raw;                     /* the signed entry as it arrived (malloc) */
	size_t    raw_len;
} asynctask_redis_job_t;

typedef struct {
	/* Run this verified task on its queue's workers (job->queue); the bridge
	 * owns job until it finishes it. */
	void     (*run)(asynctask_redis_job_t *job);
	/* How many more tasks of queue (an index of config.queues) the bridge
	 * can start now (that queue's idle workers with no task coming): the
	 * node never takes more of that queue than that (no hoarding). */
	uint32_t (*capacity)(uint32_t queue);
} asynctask_redis_node_hooks_t;

/* One queue's figures, last looked (about once a second). */
typedef struct {
	uint64_t stream_length;    /* XLEN of the queue's streams (all levels) */
	uint64_t pending;          /* entries delivered and not acknowledged (all consumers, all levels) */
	uint64_t delayed;          /* delayed tasks waiting in the queue's delayed set (ZCARD) */
	uint64_t lag;              /* entries not yet delivered to the group (all levels), when lag_known */
	uint64_t consumers;        /* consumers of the group (the most of any level) */
	bool     lag_known;
} asynctask_redis_node_queue_stats_t;

/* The node's figures (stats()); the counters only grow. */
typedef struct {
	uint64_t stream_length;    /* the sum of the queues' (asynctask_redis_node_queue_stats_t) */
	uint64_t pending;
	uint64_t delayed;
	uint64_t moved;            /* delayed tasks this node moved into a stream */
	uint64_t lag;              /* entries not yet delivered to the group, all queues and levels (XINFO GROUPS' lag), when lag_known */
	uint64_t dead_length;      /* XLEN of {prefix}:dead, every node's dead letters */
	uint64_t consumers;        /* consumers of the group (the most of any stream) */
	uint64_t reclaimed;        /* entries this node took over past visibility_timeout */
	uint64_t dead_lettered;    /* entries this node moved to {prefix}:dead */
	uint64_t reconnects;       /* connections made again after one was lost */
	uint64_t results_kept;     /* results waiting for Redis to come back */
	bool     connected;
	bool     lag_known;        /* Redis 7+ says it, unless entries were deleted out of order */
} asynctask_redis_node_stats_t;

/* A job's payload, cut at the blocks its flags announce (wire.h): pointers into it. */
typedef struct {
	const char *plan;  size_t plan_len;    /* RETRY: its retry plan (codec/retry.h), read into retry */
	asynctask_retry_plan_t retry;
	const char *block; size_t block_len;   /* CHAIN: its chain block (codec/chain.h), read into chain */
	asynctask_chain_t chain;
	const char *body;  size_t body_len;    /* the task itself (payload.h) */
} asynctask_redis_job_parts_t;

/* Cuts job's payload (node_jobs.c); false when a block its flags announce is missing or bad. */
bool asynctask_redis_job_parts(const asynctask_redis_job_t *job, asynctask_redis_job_parts_t *parts);

/* Starts connecting on base's loop. config is copied (its strings taken over). */
void asynctask_redis_node_start(struct event_base *base, asynctask_redis_node_config_t *config,
	const asynctask_redis_node_hooks_t *hooks);

/* The bridge may take more tasks now (a worker became free): read if none is being read. */
void asynctask_redis_node_poll(void);

/* Called about ten times a second: reconnects, reclaims past visibility_timeout, refreshes the figures. */
void asynctask_redis_node_tick(void);

/* The outcome of job (a received result's status and bytes, transport.h):
 * stored under its reply key with the atomic store step (or, for a task
 * nobody waits on, acknowledged); a task with retries that failed with runs
 * left goes back to its delayed set for its backoff, a chain's link that
 * succeeded queues the next (node_jobs.c); else a crash with attempts left
 * runs it again, a crash on its last attempt dead-letters it. Frees job. */
void asynctask_redis_node_finish(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size);

/* A job the bridge will not run after all (or cannot finish: the manager
 * leaves): forgotten and freed, its entry left pending, for a node to
 * reclaim past visibility_timeout. */
void asynctask_redis_node_abandon(asynctask_redis_job_t *job);

/* Stop taking tasks (drain): what is running still finishes and is stored. */
void asynctask_redis_node_stop_taking(void);

/* Nothing is on its way to or from Redis (no read, no store waiting). */
bool asynctask_redis_node_idle(void);

void asynctask_redis_node_stats(asynctask_redis_node_stats_t *out);

/* The figures of the queue of that index (config.queues); zeros for none. */
void asynctask_redis_node_queue_stats(uint32_t queue, asynctask_redis_node_queue_stats_t *out);

/* Closes the connections (the manager leaves); what could not be stored is dropped and logged. */
void asynctask_redis_node_shutdown(void);

#endif
