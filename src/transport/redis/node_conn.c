/*
 * A Redis node's two connections, the reader (XREADGROUP) and the writer
 * (everything else): opening them, the handshake (AUTH, SELECT, CLIENT ID),
 * losing them and reconnecting with backoff, and the watchdog that drops one
 * Redis stopped answering on.
 *
 * Under redis-sentinel:// a connection first asks the Sentinels where the
 * master is (node_sentinel.c), connects there, and checks with ROLE that the
 * server is the master indeed (Sentinel's answer is stale while a failover
 * is under way); losing it (the master died, or Sentinel's CLIENT KILL after
 * a demotion) or an answer that says the server is no master any more
 * (READONLY, LOADING: node_reply.c) forgets the master, and the next try,
 * with the same backoff, asks the Sentinels again: a promotion is followed.
 *
 * Once a connection is ready it sends what the writer kept (node_writer.c)
 * and polls for entries (node_take.c): the files below it; none of them
 * calls back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- connections -------------------------------------------------------------------- */

static void conn_lost(conn_t *conn, const char *why)
{
	uint64_t now = asynctask_now_ns();

	conn->state = CONN_DOWN;
	conn->ready = false;
	conn->waiting_master = false;
	conn->ac = NULL;   /* hiredis frees it after its callback */
	if (asynctask_redis_node_sentinel_mode()) {
		asynctask_redis_node_forget_master();   /* the next try asks the Sentinels again */
	}
	conn->backoff_ns = conn->backoff_ns ? conn->backoff_ns * 2 : BACKOFF_MIN_NS;
	if (conn->backoff_ns > BACKOFF_MAX_NS) {
		conn->backoff_ns = BACKOFF_MAX_NS;
	}
	conn->retry_at = now + conn->backoff_ns;
	if (!conn->lost_logged) {
		char where[512];
		asynctask_redis_url_describe(&asynctask_rnode.config.url, where, sizeof(where));
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "redis_down",
			"redis node: the %s connection to %s is down (%s); reconnecting with backoff", conn->name,
			where, why);
		conn->lost_logged = true;
	}
	if (conn == &asynctask_rnode.reader) {
		asynctask_rnode.reading = false;
		asynctask_rnode.read_blocks = false;
		asynctask_rnode.take_blocks = false;
	}
	asynctask_rnode.stats.connected = asynctask_rnode.reader.state == CONN_UP && asynctask_rnode.writer.state == CONN_UP;
}

static conn_t *conn_of(const redisAsyncContext *ac)
{
	return ac == asynctask_rnode.reader.ac ? &asynctask_rnode.reader
		: ac == asynctask_rnode.writer.ac ? &asynctask_rnode.writer : NULL;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	conn_t *conn = conn_of(ac);

	if (conn) {
		conn_lost(conn, status == REDIS_OK ? "closed" : (ac->errstr[0] ? ac->errstr : "connection lost"));
	}
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	conn_t *conn = conn_of(ac);

	if (conn && status != REDIS_OK) {
		conn_lost(conn, ac->errstr[0] ? ac->errstr : "cannot connect");
	}
}

/* The handshake's last answer: AUTH and SELECT went through (or failed: then the connection is dropped). */
static void on_ready(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (!reply || conn->ac != ac || conn->refused) {
		return;
	}
	asynctask_redis_node_heard(ac);
	if (asynctask_redis_node_is_error(reply) && !(reply->len >= 9 && memcmp(reply->str, "BUSYGROUP", 9) == 0)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_refused",
			"redis node: Redis refused the %s connection's setup: %.*s", conn->name, (int) reply->len,
			reply->str);
		redisAsyncDisconnect(ac);
		return;
	}
	if (conn->ever_up && conn->lost_logged) {
		asynctask_rnode.stats.reconnects++;
		asynctask_log_event(ASYNCTASK_LOG_NOTICE, "redis_back", "redis node: the %s connection is back", conn->name);
	}
	conn->ever_up = true;
	conn->lost_logged = false;
	conn->backoff_ns = 0;
	conn->ready = true;
	asynctask_rnode.stats.connected = asynctask_rnode.reader.ready && asynctask_rnode.writer.ready;
	if (conn == &asynctask_rnode.writer) {
		asynctask_redis_node_send_kept();
		asynctask_redis_node_move();
	}
	asynctask_redis_node_poll();
}

static void on_client_id(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (reply && conn->ac == ac && reply->type == REDIS_REPLY_INTEGER) {
		conn->client_id = reply->integer;
	}
}

/* An error to an AUTH or SELECT is acted on in on_ready (the last command of the handshake). */
static void on_setup(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (reply && asynctask_redis_node_is_error(reply) && conn->ac == ac) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_refused",
			"redis node: Redis refused the %s connection's credentials or database: %.*s", conn->name,
			(int) reply->len, reply->str);
		conn->refused = true;
		redisAsyncDisconnect(ac);
	}
}

/* Sentinel: the server connected to is the master (ROLE). A replica (a
 * stale answer during a failover) is dropped and the Sentinels are asked
 * again; a user not allowed ROLE (@admin) is taken at Sentinel's word (a
 * write would still be refused with READONLY, which asks again). */
static void on_role(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (!reply || conn->ac != ac || conn->refused) {
		return;
	}
	asynctask_redis_node_heard(ac);
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 && reply->element[0]->type == REDIS_REPLY_STRING
			&& strcmp(reply->element[0]->str, "master") != 0) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "sentinel_stale", "redis node: Redis at %s:%d is a %s, not the master (Sentinel's answer is stale: a failover is "
			"under way): the %s connection asks the Sentinels again", conn->host, conn->port, reply->element[0]->str,
			conn->name);
		conn->refused = true;   /* the rest of the handshake is not acted on */
		conn->lost_logged = true;   /* said here */
		redisAsyncDisconnect(ac);
	}
}

/* The group of a HIGH or LOW stream: made, or there already (BUSYGROUP);
 * another error is said, and the handshake's last answer decides. */
static void on_group(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	conn_t *conn = privdata;

	if (reply && conn->ac == ac && !conn->refused && asynctask_redis_node_is_error(reply)
		&& !(reply->len >= 9 && memcmp(reply->str, "BUSYGROUP", 9) == 0)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_refused",
			"redis node: Redis refused to make the group of a stream on the %s connection: %.*s",
			conn->name, (int) reply->len, reply->str);
	}
}

static void connect_now(conn_t *conn);

/* The Sentinels answered: the connections waiting for the master connect
 * there (or go on with their backoff); one up on another server (the master
 * before a promotion) is closed, to come back to the new one. */
static void on_master(bool found, const char *why)
{
	conn_t *conns[] = { &asynctask_rnode.writer, &asynctask_rnode.reader };

	if (!found && !asynctask_rnode.sentinel.failing) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "sentinel_no_master", "redis node: %s; asking again with backoff", why);
	}
	asynctask_rnode.sentinel.failing = !found;
	for (int i = 0; i < 2; i++) {
		conn_t *conn = conns[i];
		if (conn->waiting_master) {
			conn->waiting_master = false;
			if (!asynctask_rnode.started) {
				continue;
			}
			if (!found) {
				conn_lost(conn, why);
			} else if (conn != &asynctask_rnode.reader || asynctask_rnode.taking) {
				connect_now(conn);
			} else {
				conn->retry_at = 0;
			}
		} else if (found && conn->state == CONN_UP && conn->ac
				&& (conn->port != asynctask_rnode.sentinel.port || strcmp(conn->host, asynctask_rnode.sentinel.host) != 0)) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "redis_connection_dropped", "redis node: the %s connection is on %s:%d, no longer the master: closing it", conn->name,
				conn->host, conn->port);
			redisAsyncDisconnect(conn->ac);
		}
	}
}

void asynctask_redis_node_connect_to(conn_t *conn)
{
	if (asynctask_redis_node_sentinel_mode() && !asynctask_rnode.sentinel.known) {
		/* the Sentinels first; on_master() connects (or backs off) */
		conn->waiting_master = true;
		conn->retry_at = UINT64_MAX;
		asynctask_redis_node_ask_sentinels(on_master);
		return;
	}
	connect_now(conn);
}

static void connect_now(conn_t *conn)
{
	const asynctask_redis_url_t *url = &asynctask_rnode.config.url;
	bool sentinel = asynctask_redis_node_sentinel_mode();
	redisAsyncContext *ac = sentinel ? redisAsyncConnect(asynctask_rnode.sentinel.host, asynctask_rnode.sentinel.port)
		: url->kind == ASYNCTASK_BACKEND_REDIS_UNIX ? redisAsyncConnectUnix(url->path)
		: redisAsyncConnect(url->host, url->port);

	if (!ac || ac->err) {
		char why[256];
		snprintf(why, sizeof(why), "%s", ac ? ac->errstr : "out of memory");
		if (ac) redisAsyncFree(ac);
		conn->ac = NULL;
		conn_lost(conn, why);
		return;
	}
	if (asynctask_redis_loop_attach(ac, asynctask_rnode.base) != 0) {
		redisAsyncFree(ac);
		conn_lost(conn, "cannot attach to the event loop");
		return;
	}
	conn->ac = ac;
	conn->state = CONN_UP;
	conn->ready = false;
	conn->refused = false;
	conn->heard_ns = asynctask_now_ns();
	if (sentinel) {
		snprintf(conn->host, sizeof(conn->host), "%s", asynctask_rnode.sentinel.host);
		conn->port = asynctask_rnode.sentinel.port;
	}
	/* TCP: a peer that vanished without closing (a machine gone) is noticed by
	 * the kernel too (on a unix socket hiredis would fail the connection) */
	if (url->kind != ASYNCTASK_BACKEND_REDIS_UNIX) {
		redisEnableKeepAlive(&ac->c);
	}
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	if (url->password[0]) {
		if (url->user[0]) {
			redisAsyncCommand(ac, on_setup, conn, "AUTH %s %s", url->user, url->password);
		} else {
			redisAsyncCommand(ac, on_setup, conn, "AUTH %s", url->password);
		}
	}
	if (url->db) {
		redisAsyncCommand(ac, on_setup, conn, "SELECT %d", url->db);
	}
	if (sentinel) {
		redisAsyncCommand(ac, on_role, conn, "ROLE");
	}
	conn->client_id = 0;
	if (conn == &asynctask_rnode.reader) {
		redisAsyncCommand(ac, on_client_id, conn, "CLIENT ID");
	}
	/* the group on every level's stream of every queue served, from id 0:
	 * tasks dispatched before any node served the queue are served (BUSYGROUP:
	 * it exists); the first queue's NORMAL last, its answer ends the handshake */
	for (uint32_t q = asynctask_rnode.nqueues; q-- > 0; ) {
		for (unsigned level = 0; level < ASYNCTASK_REDIS_LEVELS; level++) {
			if (q != 0 || level != ASYNCTASK_REDIS_LEVEL_NORMAL) {
				redisAsyncCommand(ac, on_group, conn, "XGROUP CREATE %s %s 0 MKSTREAM",
					asynctask_rnode.queues[q].streams[level], ASYNCTASK_REDIS_GROUP);
			}
		}
	}
	redisAsyncCommand(ac, on_ready, conn, "XGROUP CREATE %s %s 0 MKSTREAM",
		asynctask_rnode.queues[0].streams[ASYNCTASK_REDIS_LEVEL_NORMAL], ASYNCTASK_REDIS_GROUP);
}

/* Redis stopped answering on conn (frozen, or the network cut without a
 * reset): the connection is dropped, as one Redis closed; what was out comes
 * back unanswered (kept, and sent again on the new connection). Half of
 * visibility_timeout, within 1 .. 30 s: by then other nodes are about to take
 * this node's entries over anyway. A blocked read answers every BLOCK_MS. */
void asynctask_redis_node_watchdog(conn_t *conn, uint64_t now)
{
	uint64_t limit = asynctask_rnode.config.visibility_ms * 1000000ull / 2;
	limit = limit < 1000000000ull ? 1000000000ull : limit > 30000000000ull ? 30000000000ull : limit;
	if (conn == &asynctask_rnode.reader) {
		limit += (uint64_t) atoi(BLOCK_MS) * 1000000ull;
	}
	redisAsyncContext *ac = conn->ac;
	if (conn->state != CONN_UP || !ac || (conn->ready && !ac->replies.head) || now - conn->heard_ns < limit) {
		return;
	}
	char why[128];
	snprintf(why, sizeof(why), "Redis did not answer for %.1f s", (double) (now - conn->heard_ns) / 1e9);
	asynctask_log_event(ASYNCTASK_LOG_WARNING, "redis_connection_dropped",
		"redis node: %s on the %s connection: dropping it", why, conn->name);
	conn->lost_logged = false;  /* say it, even when it was said before */
	redisAsyncFree(ac);
	if (conn->ac == ac) {
		/* hiredis called no disconnect callback (it had not finished connecting) */
		conn_lost(conn, why);
	}
}
