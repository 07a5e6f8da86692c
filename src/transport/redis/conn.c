/*
 * One blocking hiredis connection per process, for dispatching.
 *
 * Kept in a static, not in request memory: it outlives requests, so a
 * php-fpm child connects once and reuses the socket for every request. It
 * remembers the pid that made it: a forked child (pcntl_fork in a script, a
 * pool process) must never write on its parent's socket, where replies to
 * the two would interleave; it closes its copy of the descriptor (the parent's
 * stays open) and connects for itself.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <signal.h>
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
} conn;

/* Why the last attempt failed; `permanent` when retrying cannot help. */
typedef struct {
	char message[512];
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
	free(conn.backend);
	conn.backend = NULL;
}

/* An error reply that says "not now" rather than "no". */
static bool transient_reply(const redisReply *reply)
{
	static const char *const codes[] = {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		size_t len = strlen(codes[i]);
		if (reply->len >= len && strncmp(reply->str, codes[i], len) == 0) {
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
	conn.backend = strdup(backend);
	if (!conn.backend) {
		asynctask_redis_disconnect();
		snprintf(failure->message, sizeof(failure->message), "out of memory");
		failure->permanent = true;
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

	if (!connection_current(backend) && !connect_to(backend, url, where, seconds, failure)) {
		return NULL;
	}
	if (redisSetTimeout(conn.ctx, timeval_of(seconds + blocks)) != REDIS_OK) {
		snprintf(failure->message, sizeof(failure->message), "Redis at %s: cannot set the socket timeout: %s",
			where, strerror(errno));
		asynctask_redis_disconnect();
		return NULL;
	}
	reply = redisCommandArgv(conn.ctx, argc, argv, argv_len);
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
		failure->permanent = !transient_reply(reply);
		snprintf(failure->message, sizeof(failure->message), "Redis at %s refused %s: %s%s", where, argv[0], reply->str,
			strncmp(reply->str, "NOAUTH", 6) == 0 ? " (give user:password in asynctask.backend)" : "");
		freeReplyObject(reply);
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

redisReply *asynctask_redis_command_to(const char *backend, double blocks, int argc, const char **argv,
	const size_t *argv_len)
{
	asynctask_redis_url_t url;
	char error[256], where[300];
	double timeout = ASYNCTASK_G(dispatch_timeout), start = now(), left;
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
		left = timeout - (now() - start);
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
		left = timeout - (now() - start);
		if (left <= 0) {
			asynctask_throw(asynctask_ce_backend_exception, "%s (gave up after %u attempts in %.3f s, "
				"asynctask.dispatch_timeout)", failure.message, attempt, now() - start);
			return NULL;
		}
		double pause = backoff_seconds(attempt - 1);
		pause_for(pause < left ? pause : left);
	}
}
