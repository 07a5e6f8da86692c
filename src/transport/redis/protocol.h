/*
 * The Redis backend's protocol: which keys the dispatchers and the nodes
 * use and what they put in them. The bytes of one entry are the wire form
 * (codec/redis/wire.h); this header says where those bytes go. Both sides
 * (the dispatcher's transport, dispatch.c; the node's bridge on the manager's
 * loop, node_*.c) follow it, so that any dispatcher works with any node of the
 * same version.
 *
 * {prefix} is asynctask.prefix, {queue} a queue's name (Task::onQueue(),
 * "default" without it; 1 to 64 of [A-Za-z0-9_.-], src/base/queues.h),
 * {dispatcher} 32 lowercase hex digits of 128 random bits a process draws
 * on its first dispatch() (a forked child draws its own).
 *
 * Every queue has its own keys below ({prefix}:q:{queue} and its level
 * streams, {prefix}:delayed:{queue} and its hash and moved keys), and an
 * entry's queue field names the queue whose keys it is in. A dispatcher
 * sends to any valid name: nothing says which queues exist, and a task for
 * a queue no node serves waits in its stream (or set) for the first node
 * that does. A node serves the queues of its asynctask.queues ("default"
 * when empty): it makes the group on each of their streams, and each step
 * below covers all of them in one script (KEYS: the streams of every queue,
 * three a queue, HIGH first; ARGV: one count a queue), taking of each queue
 * no more than that queue's idle workers.
 *
 *   {prefix}:q:{queue}       stream of tasks. XADD {key} * t <signed task>.
 *                            Consumer group ASYNCTASK_REDIS_GROUP, made by
 *                            the nodes with XGROUP CREATE {key} nodes 0
 *                            MKSTREAM (id 0: tasks dispatched before any
 *                            node existed are served by the first one);
 *                            consumer = asynctask.node. A node reads with
 *                            XREADGROUP ... COUNT <the queue's idle workers> and
 *                            reclaims with XAUTOCLAIM past
 *                            visibility_timeout; a task's attempt is its
 *                            entry's delivery count.
 *   {prefix}:q:{queue}:high  the same for Task::HIGH, and
 *   {prefix}:q:{queue}:low   for Task::LOW ({prefix}:q:{queue} holds
 *                            NORMAL, so that dispatchers and nodes of
 *                            earlier versions still meet there). Every
 *                            level has the group; a node takes with the
 *                            take step below, HIGH first, and reclaims,
 *                            keeps fresh, stores and dead-letters an entry
 *                            on the stream it came from.
 *   {prefix}:delayed:{queue} sorted set of delayed tasks (Task::delay()):
 *                            member "<level>:<task id>", level one of
 *                            h, n, l, task id the 32 hex digits of the
 *                            wire id; score the due time in ms by Redis'
 *                            own clock (TIME), so that no machine's clock
 *                            matters. Put there by the delay step, moved
 *                            into its level's stream by the move step.
 *   {prefix}:delayed:{queue}:t  hash member -> the signed task (the
 *                            same bytes XADD would send; moved as they are,
 *                            signature and all).
 *   {prefix}:delayed:{queue}:moved:{member}  string, the stream entry id a
 *                            moved member got; kept for the mover's
 *                            result_ttl, so that cancel() finds a delayed
 *                            task after it was moved (after that, cancel()
 *                            of a moved task that no node took says false).
 *   {prefix}:r:{dispatcher}  list of results for one dispatcher: the node
 *                            RPUSHes a signed result, then PEXPIREs the key
 *                            to result_ttl; the dispatcher reads the head
 *                            (LRANGE; BLMOVE key key LEFT LEFT to wait
 *                            without taking) and LTRIMs what it booked. The task entry names this
 *                            key in its reply-key field (empty, with the
 *                            NO_REPLY flag, when nobody waits).
 *   {prefix}:dead            stream of dead-lettered tasks: XADD {key}
 *                            MAXLEN ~ ASYNCTASK_REDIS_DEAD_MAX *
 *                            t <the signed task as it arrived, or the raw
 *                            field when it failed to verify> error <text>
 *                            node <who dead-lettered it> attempts <n>
 *                            stream <its queue's stream> id <its entry id>.
 *                            Trimmed as it grows: about the newest
 *                            ASYNCTASK_REDIS_DEAD_MAX entries are kept
 *                            (~: Redis trims whole macro nodes, so a few
 *                            more may stay), the oldest dropped.
 *
 * A result entry (kind RESULT) carries the task's id, the attempt that
 * produced it, the node that ran it, and as payload:
 *     1 byte   status (asynctask_result_status_t, transport.h)
 *     8 bytes  big-endian bound of the memory the value needs to be decoded
 *              (0: no bound given)
 *     rest     the serializer's bytes of the value (ASYNCTASK_RESULT_VALUE)
 *              or the remote error's bytes (codec/remote_error.h, any other
 *              status); flag FAILED set for any status but VALUE.
 * A dispatcher decodes only results whose HMAC verifies, for task ids it
 * dispatched and still expects; the first result of a task wins, later ones
 * (an earlier attempt arriving late) are dropped. A task dead-lettered after
 * max_attempts gets a FAILED result (status FAILED, the last error) from the
 * node that dead-lettered it.
 *
 * Atomic steps run as Lua scripts (the script's text is in the file that
 * sends it; a node sends EVALSHA with the text's SHA1, and EVAL with the
 * text when Redis answers NOSCRIPT: node_script.c; a dispatcher sends EVAL):
 *  - cancel (dispatcher): the entry is deleted (XDEL) only when no node has
 *    taken it (not pending in the group, and past the group's last delivered
 *    id, or no group yet); replies 1 when deleted. Else, for a task whose run
 *    failed and waits for its retry (the retry step below), as the cancel of
 *    a delayed task under its member; else 0.
 *  - delay (dispatcher): TIME, then HSET {prefix}:delayed:{queue}:t member
 *    <signed task> and ZADD {prefix}:delayed:{queue} <now ms + delay ms>
 *    member. The dispatcher sends the delay (rounded up to a ms), never a
 *    time: Redis' clock, read in ms rounded up, is the only clock.
 *  - move (node, every ASYNCTASK_REDIS_MOVE_EVERY_MS and sooner when the
 *    first member is due sooner): TIME (ms rounded down: never early), then
 *    for each queue served, for at most ASYNCTASK_REDIS_MOVE_MAX members
 *    due, each: XADD to its level's stream of that queue (field t, the bytes
 *    from the hash), ZREM, HDEL, SET the moved key PX result_ttl. One script
 *    for every queue: a member is moved once, whatever number of nodes run
 *    it; a member nobody moved (no node serving its queue, or all died)
 *    stays in Redis until a node does. Replies [moved, ms until the next
 *    member of any queue is due or -1, 1 when a queue had
 *    ASYNCTASK_REDIS_MOVE_MAX due (the node runs it again at once)].
 *  - take (node): for each queue with idle workers, XREADGROUP ... COUNT
 *    <n> STREAMS {high} > on its HIGH stream, then NORMAL, then LOW, each
 *    for what the levels above left of n (that queue's idle workers); one
 *    script for every queue; replies like XREADGROUP (one [stream, entries]
 *    per stream that had some). Only when it took nothing does the reader
 *    block, in XREADGROUP ... COUNT 1 BLOCK ... on the three streams of each
 *    queue that has idle workers; the entry that arrives wakes it, and the
 *    take step follows (the one read that is not in level order: entries
 *    that arrive on two or three levels in the instant between the take
 *    step and the blocked read may be taken one of each, a little more than
 *    the idle workers). While the reader is blocked, a queue left out of its
 *    read whose workers come free is taken from by the take step on the
 *    node's other connection; when that finds the queue empty, the node ends
 *    the blocked read (CLIENT UNBLOCK) and blocks again on that queue too.
 *  - cancel of a delayed task (dispatcher): ZREM the member (then HDEL):
 *    1; else the moved key names its entry: cancel as above on its level's
 *    stream (and DEL the moved key when deleted); else 0.
 *  - store (node): only while the entry is still pending to this consumer
 *    (XPENDING {key} nodes <id> <id> 1 names it) in the delivery that ran
 *    it (its delivery count is still the result's attempt): RPUSH + PEXPIRE
 *    the result (a task with a reply key), XACK, XDEL; replies 1. Otherwise
 *    (another node reclaimed it: this node was cut off or frozen; or it was
 *    delivered again since, also to this consumer) nothing is stored and it
 *    replies 0: the late result is dropped, never delivered twice.
 *  - dead-letter (node): only while the entry is pending to this consumer:
 *    XADD {prefix}:dead (the fields above), RPUSH + PEXPIRE a FAILED result
 *    when the entry verified and names a reply key, XACK, XDEL.
 *  - retry (node, node_jobs.c): a run of a task with retries (entry flag
 *    RETRY) that threw, crashed or timed out with runs left, guarded as
 *    store: TIME, HSET {prefix}:delayed:{queue}:t member <the task re-signed
 *    with attempt = this run + 1>, ZADD {prefix}:delayed:{queue} <now ms +
 *    backoff ms> member, XACK, XDEL; the move step queues it when due.
 *  - next (node, node_jobs.c): a chain's link (entry flag CHAIN) that
 *    returned a value with links after it, guarded as store: XADD the next
 *    link (attempt 1, the value and the links after it in its chain block,
 *    signed) to its level's stream of the same queue, XACK, XDEL. Only the
 *    last link's outcome, or the first failure, is stored.
 *  - reclaim (node): for each queue with idle workers, on its streams HIGH
 *    first, XAUTOCLAIM {key} nodes <consumer> <visibility_timeout ms> 0-0
 *    COUNT <what is left of the queue's idle workers> (one script for every
 *    queue), or XCLAIM <consumer> 0 <id> to run an
 *    entry again at once after its worker died; each claimed entry comes with
 *    its delivery count after the claim (XPENDING), which is its attempt.
 *  - keep fresh (node): while a node runs an entry it resets the entry's idle
 *    time every third of visibility_timeout with XCLAIM ... JUSTID (the
 *    delivery count stays), only while the entry is still pending to it, so
 *    that a long task on a live node is never reclaimed. A dispatcher's
 *    cancel sees such an entry as taken.
 */
#ifndef ASYNCTASK_REDIS_PROTOCOL_H
#define ASYNCTASK_REDIS_PROTOCOL_H

#define ASYNCTASK_REDIS_GROUP         "nodes"
#define ASYNCTASK_REDIS_QUEUE_DEFAULT "default"   /* a task's queue without Task::onQueue() */
#define ASYNCTASK_REDIS_FIELD_TASK    "t"
#define ASYNCTASK_REDIS_STREAM_FMT    "%s:q:%s"   /* prefix, queue */
#define ASYNCTASK_REDIS_REPLY_FMT     "%s:r:%s"   /* prefix, dispatcher */
#define ASYNCTASK_REDIS_DEAD_FMT      "%s:dead"   /* prefix */
#define ASYNCTASK_REDIS_LEVEL_FMT     "%s:q:%s%s" /* prefix, queue, level suffix */
#define ASYNCTASK_REDIS_DELAYED_FMT   "%s:delayed:%s"  /* prefix, queue */
#define ASYNCTASK_REDIS_DELAYED_TASKS ":t"        /* suffix of the delayed set's hash */
#define ASYNCTASK_REDIS_DELAYED_MOVED ":moved:"   /* suffix + member: a moved member's entry id */

/* The dead stream keeps about this many of its newest entries (XADD MAXLEN ~): it never grows without bound. */
#define ASYNCTASK_REDIS_DEAD_MAX      10000
#define ASYNCTASK_REDIS_TEXT_(x)      #x
#define ASYNCTASK_REDIS_TEXT(x)       ASYNCTASK_REDIS_TEXT_(x)
#define ASYNCTASK_REDIS_DEAD_MAX_TEXT ASYNCTASK_REDIS_TEXT(ASYNCTASK_REDIS_DEAD_MAX)   /* as the scripts spell it */

/* Priority levels, highest first: the order the take step reads them in. */
#define ASYNCTASK_REDIS_LEVELS        3
#define ASYNCTASK_REDIS_LEVEL_HIGH    0
#define ASYNCTASK_REDIS_LEVEL_NORMAL  1
#define ASYNCTASK_REDIS_LEVEL_LOW     2

/* The move step: at most this many members of each queue per run, a run at least this often. */
#define ASYNCTASK_REDIS_MOVE_MAX      100
#define ASYNCTASK_REDIS_MOVE_EVERY_MS 50

/* A level's stream key suffix ("" for NORMAL) and the letter of a delayed member. */
static inline const char *asynctask_redis_level_suffix(unsigned level)
{
	return level == ASYNCTASK_REDIS_LEVEL_HIGH ? ":high" : level == ASYNCTASK_REDIS_LEVEL_LOW ? ":low" : "";
}

static inline char asynctask_redis_level_letter(unsigned level)
{
	return level == ASYNCTASK_REDIS_LEVEL_HIGH ? 'h' : level == ASYNCTASK_REDIS_LEVEL_LOW ? 'l' : 'n';
}

/* Task::HIGH (1), NORMAL (0), LOW (-1) -> a level. */
static inline unsigned asynctask_redis_level_of(int priority)
{
	return priority > 0 ? ASYNCTASK_REDIS_LEVEL_HIGH : priority < 0 ? ASYNCTASK_REDIS_LEVEL_LOW
		: ASYNCTASK_REDIS_LEVEL_NORMAL;
}

/* The result payload's header: status byte + big-endian decoded-size bound. */
#define ASYNCTASK_REDIS_RESULT_HEADER 9

#endif
