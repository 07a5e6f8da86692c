/*
 * One blocking hiredis connection per process, for dispatching.
 *
 * Kept in a static, not in request memory: it outlives requests, so a
 * php-fpm child connects once and reuses the socket for every request. It
 * remembers the pid that made it: a forked child (pcntl_fork in a script, a
 * pool process) must never write on its parent's socket, where replies to
 * the two would interleave; it closes its copy of the descriptor (the parent's
 * stays open) and connects for itself.
 *
 * With redis-sentinel:// every new connection starts by asking the Sentinels
 * in turn where the master is (SENTINEL get-master-addr-by-name), connects
 * there and checks with ROLE that it is the master indeed; a lost
 * connection, READONLY (writing to a master turned replica) or a replica
 * where the master was expected drops the connection, and the retry asks
 * the Sentinels again: a promotion is followed within the same retry budget
 * (asynctask.dispatch_timeout) as a restart.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/exceptions.h"
#include "src/transport/redis/conn.h"
#include "src/transport/redis/url.h"

static struct {
	redisContext *ctx;
	pid_t         pid;       /* the process that connected */
	char         *backend;   /* the asynctask.backend value it connected for (malloc'ed) */
	uint64_t      serial;    /* connections made by this process: which one a command ran on */
	char          where[320];  /* where it goes, for messages (the master's address under Sentinel) */
	unsigned      later;     /* commands queued to go with the next one, their replies not read yet */
} conn;

/* Why the last attempt failed; `permanent` when retrying cannot help. */
typedef struct {
	char message[1024];
	bool permanent;
} failure_t;

#define BACKOFF_FIRST_MS 10
#define BACKOFF_MAX_MS   500
#define SLICE_MIN_MS     10   /* the shortest connect or read timeout worth trying */

/* --- time ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timeval timeval_of(double seconds)
{
	struct timeval tv;
	if (seconds < SLICE_MIN_MS / 1000.0) {
		seconds = SLICE_MIN_MS / 1000.0;
	}
	tv.tv_sec = (time_t) seconds;
	tv.tv_usec = (suseconds_t) ((seconds - (double) tv.tv_sec) * 1e6);
	return tv;
}

/* Sleeps `seconds`, through signals (a signal handler cannot be run from
 * here; the caller's next check of the deadline sees the time it took). */
static void pause_for(double seconds)
{
	struct timespec ts = {(time_t) seconds, (long) ((seconds - (double) (time_t) seconds) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* Full jitter around the doubling backoff, so that many php-fpm children
 * that lost Redis together do not all come back at the same millisecond.
 * Not mt_rand(): that would move the script's own seeded sequence. */
static double backoff_seconds(unsigned attempt)
{
	static uint32_t state;
	unsigned ms = BACKOFF_FIRST_MS << (attempt < 6 ? attempt : 6);

	if (ms > BACKOFF_MAX_MS) {
		ms = BACKOFF_MAX_MS;
	}
	if (state == 0) {
		state = (uint32_t) getpid() * 2654435761u ^ (uint32_t) (now() * 1e6) ^ 1;
	}
	state ^= state << 13; state ^= state >> 17; state ^= state << 5;   /* xorshift32 */
	return (ms / 2 + state % (ms / 2 + 1)) / 1000.0;
}

/* --- the connection -------------------------------------------------------- */

void asynctask_redis_disconnect(void)
{
	if (conn.ctx) {
		redisFree(conn.ctx);   /* in a forked child: closes the child's copy only */
		conn.ctx = NULL;
	}
	conn.later = 0;   /* what was queued goes with the connection (asynctask_redis_command_later()) */
	conn.where[0] = '\0';
	free(conn.backend);
	conn.backend = NULL;
}

/* An error reply that says "not now" rather than "no": its code (the first
 * word) is one of these, whole ("BUSYGROUP" is a "no", not a "BUSY"). */
static bool transient_reply(const redisReply *reply)
{
	static const char *const codes[] = {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		size_t len = strlen(codes[i]);
		if (reply->len >= len && strncmp(reply->str, codes[i], len) == 0
				&& (reply->len == len || reply->str[len] == ' ')) {
			return true;
		}
	}
	return false;
}

/* AUTH and SELECT on a fresh connection; false with *failure set. */
static bool handshake(redisContext *ctx, const asynctask_redis_url_t *url, const char *where, failure_t *failure)
{
	redisReply *reply;
	char db[16];

	if (url->password[0]) {
		reply = url->user[0]
			? redisCommand(ctx, "AUTH %s %s", url->user, url->password)
			: redisCommand(ctx, "AUTH %s", url->password);
		if (!reply) {
			snprintf(failure->message, sizeof(failure->message), "Redis at %s: AUTH failed: %s", where, ctx->errstr);
			return false;
		}
		if (reply->type == REDIS_REPLY_ERROR) {
			failure->permanent = !transient_reply(reply);
			snprintf(failure->message, sizeof(failure->message), "Redis at %s refused the credentials of %s%s%s "
				"(asynctask.backend): %s", where, url->user[0] ? "ACL user '" : "the default user",
				url->user, url->user[0] ? "'" : "", reply->str);
			freeReplyObject(reply);
			return false;
		}
		freeReplyObject(reply);
	}
	if (url->db != 0) {
		snprintf(db, sizeof(db), "%d", url->db);
		reply = redisCommand(ctx, "SELECT %s", db);
		if (!reply) {
			snprintf(failure->message, sizeof(failure->message), "Redis at %s: SELECT %s failed: %s", where, db, ctx->errstr);
			return false;
		}
		if (reply->type == REDIS_REPLY_ERROR) {
			failure->permanent = !transient_reply(reply);
			snprintf(failure->message, sizeof(failure->message), "Redis at %s refused SELECT %s (the database of "
				"asynctask.backend): %s", where, db, reply->str);
			freeReplyObject(reply);
			return false;
		}
		freeReplyObject(reply);
	}
	return true;
}

static bool connect_to(const char *backend, const asynctask_redis_url_t *url, const char *where, double seconds,
	failure_t *failure)
{
	struct timeval tv = timeval_of(seconds);
	redisContext *ctx = url->kind == ASYNCTASK_BACKEND_REDIS_UNIX
		? redisConnectUnixWithTimeout(url->path, tv)
		: redisConnectWithTimeout(url->host, url->port, tv);

	if (!ctx) {
		snprintf(failure->message, sizeof(failure->message), "Redis at %s: cannot allocate a connection", where);
		failure->permanent = true;
		return false;
	}
	if (ctx->err) {
		/* refused, no such socket, timed out, host not resolved: all may pass */
		snprintf(failure->message, sizeof(failure->message), "cannot connect to Redis at %s: %s", where, ctx->errstr);
		redisFree(ctx);
		return false;
	}
	/* the handshake's replies are bounded by the same slice of time */
	if (redisSetTimeout(ctx, tv) != REDIS_OK || !handshake(ctx, url, where, failure)) {
		if (!failure->message[0]) {
			snprintf(failure->message, sizeof(failure->message), "Redis at %s: cannot set the socket timeout: %s",
				where, strerror(errno));
		}
		redisFree(ctx);
		return false;
	}
	conn.ctx = ctx;
	conn.pid = getpid();
	conn.serial++;
	conn.later = 0;   /* nothing queued on a new connection */
	snprintf(conn.where, sizeof(conn.where), "%s", where);
	conn.backend = strdup(backend);
	if (!conn.backend) {
		asynctask_redis_disconnect();
		snprintf(failure->message, sizeof(failure->message), "out of memory");
		failure->permanent = true;
		return false;
	}
	return true;
}

/* --- Sentinel ----------------------------------------------------------------- */

/* One Sentinel's answer for url->master_name into master->host and ->port;
 * false with `why` set (unreachable, refused, or *unknown: it knows no
 * master by that name). */
static bool ask_sentinel(const asynctask_redis_addr_t *sentinel, const asynctask_redis_url_t *url, double seconds,
	asynctask_redis_url_t *master, char *why, size_t why_size, bool *unknown)
{
	struct timeval tv = timeval_of(seconds);
	redisContext *ctx = redisConnectWithTimeout(sentinel->host, sentinel->port, tv);
	redisReply *reply = NULL;
	bool ok = false;

	if (!ctx || ctx->err) {
		snprintf(why, why_size, "%s", ctx ? ctx->errstr : "cannot allocate a connection");
		goto done;
	}
	if (redisSetTimeout(ctx, tv) != REDIS_OK) {
		snprintf(why, why_size, "cannot set the socket timeout: %s", strerror(errno));
		goto done;
	}
	if (url->sentinel_password[0]) {
		reply = redisCommand(ctx, "AUTH %s", url->sentinel_password);
		if (!reply || reply->type == REDIS_REPLY_ERROR) {
			snprintf(why, why_size, "AUTH (sentinel_password) failed: %s", reply ? reply->str : ctx->errstr);
			goto done;
		}
		freeReplyObject(reply);
	}
	reply = redisCommand(ctx, "SENTINEL get-master-addr-by-name %s", url->master_name);
	if (!reply) {
		snprintf(why, why_size, "%s", ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)
			? "no reply in time" : ctx->errstr);
	} else if (reply->type == REDIS_REPLY_NIL) {
		snprintf(why, why_size, "knows no master named '%s'", url->master_name);
		*unknown = true;
	} else if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(why, why_size, "%s", reply->str);
	} else if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
			|| reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_STRING
			|| reply->element[0]->len == 0 || reply->element[0]->len >= sizeof(master->host)) {
		snprintf(why, why_size, "answered something other than an address and a port");
	} else {
		char *end;
		long port = strtol(reply->element[1]->str, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535) {
			snprintf(why, why_size, "answered the port \"%s\"", reply->element[1]->str);
		} else {
			memcpy(master->host, reply->element[0]->str, reply->element[0]->len);
			master->host[reply->element[0]->len] = '\0';
			master->port = (int) port;
			ok = true;
		}
	}
done:
	if (reply) {
		freeReplyObject(reply);
	}
	if (ctx) {
		redisFree(ctx);
	}
	return ok;
}

/* Asks url's Sentinels in turn, within `seconds` (shared among those not
 * asked yet, so that one that hangs leaves time to the others), where the
 * master is: true with *master (url's credentials and db, the master's
 * address); false with *failure naming every Sentinel tried and its answer,
 * permanent when all of them answered that they know no such master. */
static bool ask_sentinels(const asynctask_redis_url_t *url, double seconds, asynctask_redis_url_t *master,
	failure_t *failure)
{
	double start = now();
	int unknown = 0;
	size_t n;

	memcpy(master, url, sizeof(*master));
	master->kind = ASYNCTASK_BACKEND_REDIS_TCP;
	n = (size_t) snprintf(failure->message, sizeof(failure->message), "no Sentinel named the master '%s' (tried",
		url->master_name);
	for (int i = 0; i < url->sentinel_count; i++) {
		double left = seconds - (now() - start);
		char addr[300], why[256];
		bool is_unknown = false;

		if (ask_sentinel(&url->sentinels[i], url, left / (url->sentinel_count - i), master, why, sizeof(why), &is_unknown)) {
			return true;
		}
		unknown += is_unknown;
		asynctask_redis_addr_describe(&url->sentinels[i], addr, sizeof(addr));
		if (n < sizeof(failure->message)) {
			n += (size_t) snprintf(failure->message + n, sizeof(failure->message) - n, "%s %s: %s", i ? ";" : "", addr, why);
		}
	}
	if (n < sizeof(failure->message)) {
		snprintf(failure->message + n, sizeof(failure->message) - n, ")");
	}
	failure->permanent = unknown == url->sentinel_count;
	return false;
}

/* The server just connected to is the master: Sentinel's answer may be
 * stale (a failover under way). ROLE is an @admin command: a user not
 * allowed it is taken at Sentinel's word (a write to a replica would still
 * be refused with READONLY, which asks the Sentinels again). */
static bool is_master(const char *where, failure_t *failure)
{
	redisReply *reply = redisCommand(conn.ctx, "ROLE");
	bool ok = false;

	if (!reply) {
		snprintf(failure->message, sizeof(failure->message), "Redis at %s: ROLE failed: %s", where, conn.ctx->errstr);
		return false;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		ok = strncmp(reply->str, "NOPERM", 6) == 0;
		if (!ok) {
			snprintf(failure->message, sizeof(failure->message), "Redis at %s refused ROLE: %s", where, reply->str);
		}
	} else if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 && reply->element[0]->type == REDIS_REPLY_STRING) {
		ok = strcmp(reply->element[0]->str, "master") == 0;
		if (!ok) {
			snprintf(failure->message, sizeof(failure->message), "Redis at %s is a %s, not the master "
				"(Sentinel's answer is stale: a failover is under way)", where, reply->element[0]->str);
		}
	} else {
		snprintf(failure->message, sizeof(failure->message), "Redis at %s answered ROLE with something else", where);
	}
	freeReplyObject(reply);
	return ok;
}

/* A new connection to the master the Sentinels name (url is a Sentinel URL). */
static bool connect_via_sentinels(const char *backend, const asynctask_redis_url_t *url, double seconds,
	failure_t *failure)
{
	double start = now();
	asynctask_redis_url_t master;
	char addr[300], where[320];

	if (!ask_sentinels(url, seconds, &master, failure)) {
		return false;
	}
	asynctask_redis_url_describe(&master, addr, sizeof(addr));
	snprintf(where, sizeof(where), "%s (master '%s')", addr, url->master_name);
	if (!connect_to(backend, &master, where, seconds - (now() - start), failure)) {
		return false;
	}
	if (!is_master(where, failure)) {
		asynctask_redis_disconnect();
		return false;
	}
	return true;
}

/* The connection is usable as it is: ours, healthy, for this URL. */
static bool connection_current(const char *backend)
{
	if (!conn.ctx) {
		return false;
	}
	if (conn.pid != getpid() || conn.ctx->err || strcmp(conn.backend, backend) != 0) {
		asynctask_redis_disconnect();
		return false;
	}
	return true;
}

/* One try: connect when needed, send, read (a reply that Redis holds up to
 * `blocks` seconds is waited for that much longer). NULL with *failure on failure. */
static redisReply *try_command(const char *backend, const asynctask_redis_url_t *url, const char *where,
	double seconds, double blocks, int argc, const char **argv, const size_t *argv_len, failure_t *failure)
{
	redisReply *reply;

	if (!url) {  /* on the current connection only (asynctask_redis_command_on) */
		if (!conn.ctx || conn.ctx->err) {
			snprintf(failure->message, sizeof(failure->message), "Redis at %s: the connection was lost", where);
			asynctask_redis_disconnect();
			return NULL;
		}
	} else if (!connection_current(backend)) {
		if (url->kind == ASYNCTASK_BACKEND_REDIS_SENTINEL
				? !connect_via_sentinels(backend, url, seconds, failure)
				: !connect_to(backend, url, where, seconds, failure)) {
			return NULL;
		}
	}
	where = conn.where;
	if (redisSetTimeout(conn.ctx, timeval_of(seconds + blocks)) != REDIS_OK) {
		snprintf(failure->message, sizeof(failure->message), "Redis at %s: cannot set the socket timeout: %s",
			where, strerror(errno));
		asynctask_redis_disconnect();
		return NULL;
	}
	reply = NULL;
	if (redisAppendCommandArgv(conn.ctx, argc, argv, argv_len) == REDIS_OK) {
		/* the commands queued before it go out in the same write: their replies come first */
		bool read = true;
		while (conn.later > 0 && read) {
			redisReply *earlier = NULL;
			read = redisGetReply(conn.ctx, (void **) &earlier) == REDIS_OK && earlier;
			if (earlier) {
				freeReplyObject(earlier);   /* an error too: what was queued may fail harmlessly */
			}
			conn.later -= read;
		}
		if (read) {
			(void) redisGetReply(conn.ctx, (void **) &reply);
		}
	}
	if (!reply) {
		/* EOF, reset, or no reply within the slice: the connection is unusable now */
		bool timed_out = conn.ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
		snprintf(failure->message, sizeof(failure->message), "Redis at %s: %s failed: %s", where, argv[0],
			timed_out ? "no reply in time" : conn.ctx->errstr);
		failure->permanent = conn.ctx->err == REDIS_ERR_PROTOCOL || conn.ctx->err == REDIS_ERR_OOM;
		asynctask_redis_disconnect();
		return NULL;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		/* a master turned replica under a Sentinel URL: ask the Sentinels again */
		bool demoted = url && url->kind == ASYNCTASK_BACKEND_REDIS_SENTINEL && strncmp(reply->str, "READONLY", 8) == 0;
		failure->permanent = !demoted && !transient_reply(reply);
		snprintf(failure->message, sizeof(failure->message), "Redis at %s refused %s: %s%s", where, argv[0], reply->str,
			strncmp(reply->str, "NOAUTH", 6) == 0 ? " (give user:password in asynctask.backend)" : "");
		freeReplyObject(reply);
		if (demoted) {
			asynctask_redis_disconnect();
		}
		return NULL;
	}
	return reply;
}

/* hiredis writes with write(): on a connection the server closed, that
 * raises SIGPIPE, which kills a process that does not ignore it (the CLI
 * does; a SAPI or a script's pcntl_signal() may not). It is blocked for the
 * call and a SIGPIPE raised meanwhile is taken, so the write fails with
 * EPIPE instead; one that was pending before is left for the process. */
static redisReply *try_command_without_sigpipe(const char *backend, const asynctask_redis_url_t *url,
	const char *where, double seconds, double blocks, int argc, const char **argv, const size_t *argv_len,
	failure_t *failure)
{
	sigset_t pipe_only, saved, pending;
	struct timespec no_wait = {0, 0};
	bool was_pending;
	redisReply *reply;

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_only, &saved);
	was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
	reply = try_command(backend, url, where, seconds, blocks, argc, argv, argv_len, failure);
	if (!was_pending) {
		while (sigtimedwait(&pipe_only, NULL, &no_wait) < 0 && errno == EINTR) {
		}
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return reply;
}

redisReply *asynctask_redis_command(int argc, const char **argv, const size_t *argv_len)
{
	return asynctask_redis_command_to(ASYNCTASK_G(backend), 0, argc, argv, argv_len);
}

double asynctask_redis_clock(void)
{
	return now();
}

redisReply *asynctask_redis_command_to(const char *backend, double blocks, int argc, const char **argv,
	const size_t *argv_len)
{
	double start = now();

	return asynctask_redis_command_by(backend, start, start + ASYNCTASK_G(dispatch_timeout), blocks, argc, argv,
		argv_len);
}

redisReply *asynctask_redis_command_by(const char *backend, double start, double deadline, double blocks, int argc,
	const char **argv, const size_t *argv_len)
{
	asynctask_redis_url_t url;
	char error[256], where[320];
	double left;
	failure_t failure;
	unsigned attempt = 0;
	redisReply *reply;

	if (!asynctask_redis_url_parse(backend, &url, error, sizeof(error))
			|| url.kind == ASYNCTASK_BACKEND_LOCAL) {
		asynctask_throw(asynctask_ce_backend_exception, "asynctask.backend does not name a Redis server%s%s",
			error[0] ? ": " : "", error);
		return NULL;
	}
	asynctask_redis_url_describe(&url, where, sizeof(where));

	for (;;) {
		left = deadline - now();
		memset(&failure, 0, sizeof(failure));
		reply = try_command_without_sigpipe(backend, &url, where, left, blocks, argc, argv, argv_len, &failure);
		if (reply) {
			return reply;
		}
		attempt++;
		if (failure.permanent) {
			asynctask_throw(asynctask_ce_backend_exception, "%s", failure.message);
			return NULL;
		}
		left = deadline - now();
		if (left <= 0) {
			asynctask_throw(asynctask_ce_backend_exception, "%s (gave up after %u attempts in %.3f s, "
				"asynctask.dispatch_timeout)", failure.message, attempt, now() - start);
			return NULL;
		}
		double pause = backoff_seconds(attempt - 1);
		pause_for(pause < left ? pause : left);
	}
}

bool asynctask_redis_command_later(const char *backend, int argc, const char **argv, const size_t *argv_len)
{
	if (!backend || !connection_current(backend) || redisAppendCommandArgv(conn.ctx, argc, argv, argv_len) != REDIS_OK) {
		return false;
	}
	conn.later++;
	return true;
}

void asynctask_redis_command_flush(void)
{
	const char *argv[] = {"PING"};
	size_t argv_len[] = {4};
	char error[256];
	double seconds = ASYNCTASK_G(dispatch_timeout) < 1.0 ? ASYNCTASK_G(dispatch_timeout) : 1.0;

	if (!conn.later || !conn.ctx || conn.pid != getpid() || conn.ctx->err) {
		return;
	}
	redisReply *reply = asynctask_redis_command_on(conn.serial, seconds, 0, 1, argv, argv_len, error, sizeof(error));
	if (reply) {
		freeReplyObject(reply);
	}
}

redisContext *asynctask_redis_connect_own(const char *backend, double seconds, char *error, size_t error_size)
{
	asynctask_redis_url_t url;
	char where[320];
	failure_t failure;
	redisContext *ctx = NULL;

	error[0] = '\0';
	if (!asynctask_redis_url_parse(backend, &url, error, error_size) || url.kind == ASYNCTASK_BACKEND_LOCAL) {
		if (!error[0]) {
			snprintf(error, error_size, "asynctask.backend does not name a Redis server");
		}
		return NULL;
	}
	asynctask_redis_url_describe(&url, where, sizeof(where));
	/* the connecting functions fill `conn`: the command connection is set
	 * aside meanwhile and put back as it was */
	__typeof__(conn) saved = conn;
	memset(&conn, 0, sizeof(conn));
	memset(&failure, 0, sizeof(failure));
	bool made = url.kind == ASYNCTASK_BACKEND_REDIS_SENTINEL
		? connect_via_sentinels(backend, &url, seconds, &failure)
		: connect_to(backend, &url, where, seconds, &failure);
	if (made) {
		ctx = conn.ctx;
	} else {
		snprintf(error, error_size, "%s", failure.message);
	}
	free(conn.backend);
	conn = saved;
	return ctx;
}

uint64_t asynctask_redis_connection(void)
{
	return conn.ctx && conn.pid == getpid() && !conn.ctx->err ? conn.serial : 0;
}

redisReply *asynctask_redis_command_on(uint64_t connection, double seconds, double blocks, int argc,
	const char **argv, const size_t *argv_len, char *error, size_t error_size)
{
	failure_t failure;
	char where[320];
	redisReply *reply;

	snprintf(where, sizeof(where), "%s", conn.where[0] ? conn.where : "?");
	if (connection == 0 || asynctask_redis_connection() != connection) {
		snprintf(error, error_size, "the connection to Redis that ran the command before was replaced");
		return NULL;
	}
	memset(&failure, 0, sizeof(failure));
	reply = try_command_without_sigpipe(NULL, NULL, where, seconds, blocks, argc, argv, argv_len, &failure);
	if (!reply) {
		snprintf(error, error_size, "%s", failure.message);
	}
	return reply;
}
