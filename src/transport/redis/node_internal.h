/*
 * The inside of a Redis node (node.h), shared by the files that make it up;
 * nothing outside src/transport/redis/node*.c includes this. One concept a file,
 * from the top down; each calls only the files below it (scripts/layers-check
 * reads the objects' symbols and fails on a circle of calls):
 *   node_run.c      the node's state, starting, ticking, draining, stopping
 *   node_figures.c  the stream's figures for stats()
 *   node_delayed.c  moving due delayed tasks into their streams (the move step, every queue)
 *   node_conn.c     the two connections (reader, writer): handshake, reconnect, watchdog
 *   node_sentinel.c asking the Sentinels where the master is (redis-sentinel://)
 *   node_outcome.c  a job's outcome: retried, chained, stored, claimed again, dead-lettered, abandoned
 *   node_claim.c    reclaiming entries (the claim step: XAUTOCLAIM per queue, XCLAIM of a crashed one)
 *   node_take.c     taking entries (the take step, XREADGROUP; per queue), the workers promised to each
 *   node_entry.c    each entry read or claimed verified and handed to the bridge (or dead-lettered)
 *   node_jobs.c     a job's retries and chain: the retry and next steps (Lua scripts)
 *   node_steps.c    the atomic steps (Lua scripts): store, dead-letter, keep-fresh
 *   node_writer.c   commands on the writer, kept while it is away; the jobs running here
 *   node_reply.c    the reply helpers every part uses
 *   node_script.c   sending a command: a Lua script by its SHA1 (EVALSHA), in full again on NOSCRIPT
 */
#ifndef ASYNCTASK_TRANSPORT_REDIS_NODE_INTERNAL_H
#define ASYNCTASK_TRANSPORT_REDIS_NODE_INTERNAL_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "php.h"
#include "zend_smart_str.h"

#include "src/base/clock.h"
#include "src/base/log.h"
#include "src/codec/remote_error.h"
#include "src/codec/redis/wire.h"
#include "src/transport/redis/loop.h"
#include "src/transport/redis/node.h"
#include "src/transport/redis/protocol.h"

#define BLOCK_MS            "1000"      /* a blocked read returns this often (and a drain waits at most this) */
#define BACKOFF_MIN_NS      (100ull * 1000 * 1000)
#define BACKOFF_MAX_NS      (5000ull * 1000 * 1000)
#define FIGURES_EVERY_NS    (1000ull * 1000 * 1000)
#define KEPT_MAX_BYTES      (256u << 20)    /* results kept while Redis is away, at most */
#define KEPT_MAX_COUNT      100000u

/* A key of a served queue: prefix (<= 64) + ":delayed:" + a name (<= 64) + ":moved:" is the longest. */
#define NODE_KEY_MAX        192

typedef enum { CONN_DOWN = 0, CONN_UP } conn_state_t;

typedef struct {
	const char        *name;       /* "reader", "writer" (logs) */
	redisAsyncContext *ac;
	conn_state_t       state;
	bool               ever_up;
	bool               ready;      /* handshake answered */
	uint64_t           retry_at;   /* when to connect again */
	uint64_t           backoff_ns;
	bool               lost_logged;
	bool               refused;    /* Redis refused its AUTH or SELECT: being closed */
	uint64_t           heard_ns;   /* when Redis last answered on it (or it was opened) */
	long long          client_id;  /* CLIENT ID (the reader's: unblocked by the writer when the node drains) */
	bool               waiting_master;  /* Sentinel: connects once the Sentinels named the master */
	char               host[256];  /* Sentinel: the master it connected to */
	int                port;
} conn_t;

/* Sentinel (redis-sentinel://): who the master is, and the question out to a Sentinel. */
#define SENTINEL_TIMEOUT_MS 1000   /* each Sentinel: connect, AUTH and answer within this */
typedef void (*sentinel_done_t)(bool found, const char *why);
typedef struct {
	bool               known;      /* host and port are the master the Sentinels named last */
	char               host[256];
	int                port;
	char               said[300];  /* the last master logged ("host:port"), so a change is said once */
	bool               asking;
	bool               failing;    /* the last round found no master (said once until one is found) */
	int                index;      /* the Sentinel being asked */
	redisAsyncContext *ac;         /* the connection to it */
	struct event      *timer;      /* its time limit, and the step to the next one */
	sentinel_done_t    done;
	char               failure[1024];  /* every Sentinel tried and its answer */
	size_t             failure_len;
} sentinel_t;

/* A command on the writer: its arguments (malloc), and the job it finishes. */
typedef struct op {
	struct op *next;
	int        argc;
	char     **argv;
	size_t    *argvlen;
	size_t     bytes;
	asynctask_redis_job_t *job;   /* freed when the reply comes */
	enum { OP_STORE, OP_DEAD } kind;
} op_t;

/* A queue the node serves (config.queues, same index): its keys (protocol.h) and its share of what is out. */
typedef struct {
	const char *name;          /* config.queues[i] */
	char     streams[ASYNCTASK_REDIS_LEVELS][NODE_KEY_MAX];   /* a stream per priority level, HIGH first */
	char     delayed[NODE_KEY_MAX];   /* its delayed set, the set's hash, and its moved keys' prefix */
	char     delayed_tasks[NODE_KEY_MAX];
	char     delayed_moved[NODE_KEY_MAX];
	uint32_t promised;         /* its workers promised to take steps and claims out */
	bool     watched;          /* its streams are in the blocked read out on the reader */
	asynctask_redis_node_queue_stats_t figures;
} node_queue_t;

/* The workers a take step, a blocked read or a claim promised each queue
 * (released when it is answered), and how it is to be read (malloc'd, the
 * request's privdata). */
typedef struct {
	enum { TAKE_READER, TAKE_BLOCKED, TAKE_WRITER, CLAIM_AUTO, CLAIM_ONE } kind;
	uint32_t promised[ASYNCTASK_QUEUES_MAX];
	op_t    *stores;   /* a take step's store ops (folded), sent on the writer if it fails */
	uint32_t nstores;
} take_t;

/* Store ops a take step on the reader may carry (one Lua call and one answer
 * per finished task instead of two): at most this many, each this small. */
#define FOLD_MAX            16
#define FOLD_MAX_BYTES      (64u << 10)

typedef struct {
	struct event_base *base;
	asynctask_redis_node_config_t config;
	asynctask_redis_node_hooks_t hooks;
	uint32_t nqueues;
	node_queue_t queues[ASYNCTASK_QUEUES_MAX];
	struct event *move_timer;  /* the next move step */
	bool     moving;           /* a move step is out on the writer */
	bool     take_blocks;      /* the take step found nothing: the next read blocks (XREADGROUP ... BLOCK) */
	bool     backlog;          /* the last take step on the reader took entries: more are likely waiting */
	char     dead[NODE_KEY_MAX];
	conn_t   reader, writer;
	bool     started;
	bool     taking;
	bool     reading;          /* a take step or an XREADGROUP is out on the reader */
	bool     read_blocks;      /* ... and it is the blocked XREADGROUP */
	bool     writer_taking;    /* a take step is out on the writer (for queues the blocked read does not watch) */
	bool     rewatching;       /* the blocked read is being ended (CLIENT UNBLOCK) to watch more queues */
	uint32_t claiming;         /* claim scripts out on the writer */
	uint32_t ops_out;          /* store/dead scripts out on the writer */
	op_t    *kept;             /* waiting for the writer to come back (oldest first) */
	op_t   **kept_tail;
	size_t   kept_bytes;
	uint32_t kept_count;
	op_t    *folded;           /* store ops for the take step poll() sends next on the reader (newest first) */
	uint32_t folded_count;
	uint64_t next_reclaim;
	uint64_t next_touch;
	asynctask_redis_job_t *live;   /* jobs running (handed to the bridge, not finished) */
	uint32_t live_count;
	uint64_t next_figures;
	bool     figures_out;
	bool     unblocking;       /* CLIENT UNBLOCK of the reader out on the writer (draining) */
	sentinel_t sentinel;       /* redis-sentinel:// only */
	asynctask_redis_node_stats_t stats;
} asynctask_redis_node_state_t;

/* The node's state, one per process (defined in node_run.c). */
extern asynctask_redis_node_state_t asynctask_rnode;

/* The stream job's entry is on (its queue's, its level's). */
static inline const char *asynctask_redis_node_job_stream(const asynctask_redis_job_t *job)
{
	unsigned queue = job->queue < asynctask_rnode.nqueues ? job->queue : 0;
	unsigned level = job->level < ASYNCTASK_REDIS_LEVELS ? job->level : ASYNCTASK_REDIS_LEVEL_NORMAL;
	return asynctask_rnode.queues[queue].streams[level];
}

/* --- node_script.c */

/* redisAsyncCommandArgv(), but "EVAL <text> ..." goes as "EVALSHA <its sha1>
 * ..." and, when the server answers NOSCRIPT, once more as the EVAL (which
 * loads it); fn sees only the last answer. Every script of the node goes
 * through it (any other command passes through unchanged). */
int asynctask_redis_node_command(redisAsyncContext *ac, redisCallbackFn *fn, void *privdata, int argc,
	const char **argv, const size_t *argvlen);
/* The node stops: the scripts' texts kept for a NOSCRIPT go. */
void asynctask_redis_node_scripts_free(void);

/* --- node_reply.c */

/* Redis answered on ac's connection (for the watchdog, asynctask_redis_node_tick()). */
void asynctask_redis_node_heard(const redisAsyncContext *ac);
/* A reply callback's answer: heard unless reply is NULL (the connection went before the answer). */
void asynctask_redis_node_replied(const redisAsyncContext *ac, const redisReply *reply);
bool asynctask_redis_node_is_error(const redisReply *reply);
/* A reply callback that only notes Redis answered. */
void asynctask_redis_node_ignore_reply(redisAsyncContext *ac, void *r, void *privdata);
/* reply is READONLY, LOADING, MASTERDOWN or UNBLOCKED: the server is not a
 * master that takes writes (now): both connections are closed (their
 * disconnect callbacks reconnect them, under Sentinel asking again where
 * the master is) and true is returned; the caller keeps what it would lose. */
bool asynctask_redis_node_demoted(redisAsyncContext *ac, const redisReply *reply);

/* --- node_sentinel.c */

bool asynctask_redis_node_sentinel_mode(void);
/* Asks the Sentinels in turn where the master is (async, SENTINEL_TIMEOUT_MS
 * each); done is called once with the answer (asynctask_rnode.sentinel.host
 * and .port) or why none. Already asking: done replaces the one waiting. */
void asynctask_redis_node_ask_sentinels(sentinel_done_t done);
/* The master named last is not to be trusted any more (lost, demoted). */
void asynctask_redis_node_forget_master(void);
void asynctask_redis_node_sentinel_stop(void);

/* --- node_conn.c */

/* Opens conn (the reader or the writer) and starts its handshake. */
void asynctask_redis_node_connect_to(conn_t *conn);
/* Drops conn when Redis stopped answering on it (node_conn.c says how long). */
void asynctask_redis_node_watchdog(conn_t *conn, uint64_t now);

/* --- node_writer.c */

op_t *asynctask_redis_node_op_new(int argc, const char **argv, const size_t *argvlen);
void asynctask_redis_node_op_free(op_t *op);
/* Sends op on the writer, or keeps it while the writer is away. */
void asynctask_redis_node_send_op(op_t *op);
/* The writer is back: sends what was kept, oldest first. */
void asynctask_redis_node_send_kept(void);
/* A store op: folded into the take step poll() sends next on the reader
 * when the reader is free now (asynctask_redis_node_poll() follows every
 * finished job), or when a take step is out there while entries wait (a
 * backlog: its answer polls, and the result waits at most that long); else
 * sent on the writer (send_op) at once, so that a Future's wait never waits
 * for a take step. */
void asynctask_redis_node_store_op(op_t *op);
/* The folded store ops no take step carried: sent on the writer. */
void asynctask_redis_node_send_folded(void);
void asynctask_redis_node_job_free(asynctask_redis_job_t *job);
/* The jobs running here (handed to the bridge, not finished). */
void asynctask_redis_node_live_add(asynctask_redis_job_t *job);
void asynctask_redis_node_live_remove(asynctask_redis_job_t *job);

/* --- node_steps.c */

/* The result of job (STORE_SCRIPT): signed, in its reply list and acked, in one step. */
void asynctask_redis_node_store(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size);
/* Moves an entry to the dead stream (DEAD_SCRIPT; node_steps.c says what with). Frees job. */
void asynctask_redis_node_dead_letter(const char *entry_id, const char *raw, size_t raw_len, asynctask_redis_job_t *job,
	uint32_t attempts, const char *why, asynctask_result_status_t status, const char *result_message);
/* Keeps the entries of the jobs running here from looking abandoned (TOUCH_SCRIPT). */
void asynctask_redis_node_touch(void);

/* --- node_jobs.c */

/* job's outcome when its retries or chain ask for more than storing it (the
 * retry step, the next step, its last failure saying how many attempts):
 * true when handled (job taken); false: the caller stores it as any. */
bool asynctask_redis_node_follow_up(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len);

/* --- node_claim.c */

/* XCLAIM of one entry of a queue's level's stream, to run it again at once (its worker died). */
void asynctask_redis_node_claim_one(const char *entry_id, unsigned queue, unsigned level);
/* Takes over entries other nodes left pending too long (when workers are free). */
void asynctask_redis_node_reclaim(void);

/* --- node_take.c */

/* The queue's free workers not yet promised to a take step or a claim that is out. */
uint32_t asynctask_redis_node_capacity(uint32_t queue);
/* A request's promises (a take step's, a blocked read's, a claim's) are kept no longer: its answer came (or
 * never will). */
void asynctask_redis_node_release(const take_t *t);
/* The queues a request asks for: those with free workers not yet promised (skip_watched: but those the
 * blocked read watches), each one's index into included and its free workers, as text, into counts. Returns
 * how many. */
uint32_t asynctask_redis_node_free_queues(bool skip_watched, uint32_t included[ASYNCTASK_QUEUES_MAX], char counts[][16]);
/* Appends to argv (argc so far) the streams of the n included queues, three a queue, HIGH first; returns argc. */
int asynctask_redis_node_add_streams(const char **argv, int argc, const uint32_t *included, uint32_t n);
/* Appends to argv the counts of the n included queues, each promised in t; returns argc. */
int asynctask_redis_node_add_counts(const char **argv, int argc, take_t *t, const uint32_t *included, uint32_t n,
	char counts[][16]);

/* --- node_entry.c */

/* The entries of a take step, a blocked read or a claim (reply: [[stream, [[id, fields], ...]], ...], or for a
 * claim [[id, fields, deliveries, stream], ...]), each verified and handed on with its queue and level (or
 * dead-lettered); which queues had some into got (NULL: not asked). Returns how many. */
size_t asynctask_redis_node_take_entries(const redisReply *reply, bool claim, bool got[ASYNCTASK_QUEUES_MAX]);

/* --- node_delayed.c */

/* Arms the move step's timer (the node starts). */
void asynctask_redis_node_delayed_start(void);
/* Runs the move step now unless one is out (the writer is back, a tick). */
void asynctask_redis_node_move(void);
void asynctask_redis_node_delayed_stop(void);

/* --- node_figures.c */

/* Asks Redis for the queues' streams' length and the group's figures (at most once a second). */
void asynctask_redis_node_figures(void);

#endif
