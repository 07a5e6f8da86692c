/*
 * A Redis node under redis-sentinel://: asking the Sentinels where the
 * master is, on the manager's loop, never blocking it. The Sentinels of the
 * URL are asked in the order written, one at a time, each on an async
 * hiredis connection of its own: connect, AUTH sentinel_password when the URL
 * gives one, SENTINEL get-master-addr-by-name; each gets SENTINEL_TIMEOUT_MS
 * (a libevent timer: hiredis 0.14 has no async timeouts), then the next is
 * asked. The first address given is the answer; when none gives one, the
 * answer is why, naming every Sentinel and what it said. node_conn.c asks
 * when it needs the master (a connection to make, or made again after a loss
 * or a demotion), connects there and checks the server's ROLE.
 *
 * The host is taken as Sentinel gives it (an address, as Sentinel announces
 * masters; a name would be resolved by hiredis' blocking getaddrinfo()).
 * It calls only node_reply.c below it; the answer goes back through the
 * callback it was given.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <event2/event.h>

#include "src/transport/redis/node_internal.h"

#define S (asynctask_rnode.sentinel)

bool asynctask_redis_node_sentinel_mode(void)
{
	return asynctask_rnode.config.url.kind == ASYNCTASK_BACKEND_REDIS_SENTINEL;
}

void asynctask_redis_node_forget_master(void)
{
	S.known = false;
}

static void ask_next(void);

/* Arms the timer: the current Sentinel's time limit, or (0) the step to the next one. */
static void arm(int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (S.timer) {
		evtimer_del(S.timer);
		evtimer_add(S.timer, &tv);
	}
}

/* Lets go of the connection to the Sentinel being asked. in_callback: from
 * one of its own callbacks whose context hiredis is tearing down (a failed
 * connect, a disconnect, a NULL reply): hiredis frees it itself. */
static void drop(bool in_callback)
{
	redisAsyncContext *ac = S.ac;

	S.ac = NULL;   /* first: the callbacks the free calls see it is not the current one */
	if (ac && !in_callback) {
		redisAsyncFree(ac);   /* from a reply's callback hiredis defers it until the callback returns */
	}
}

/* The current Sentinel did not say: noted, and the next one is asked from the loop (never inside hiredis). */
static void failed(const char *why, bool in_callback)
{
	char addr[300];
	const asynctask_redis_url_t *url = &asynctask_rnode.config.url;

	asynctask_redis_addr_describe(&url->sentinels[S.index], addr, sizeof(addr));
	if (S.failure_len < sizeof(S.failure)) {
		S.failure_len += (size_t) snprintf(S.failure + S.failure_len, sizeof(S.failure) - S.failure_len, "%s %s: %s",
			S.index ? ";" : "", addr, why);
	}
	drop(in_callback);
	S.index++;
	arm(0);
}

static void finish(bool found, const char *why)
{
	sentinel_done_t done = S.done;

	S.asking = false;
	S.done = NULL;
	if (S.timer) {
		evtimer_del(S.timer);
	}
	if (done) {
		done(found, why);
	}
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	if (ac == S.ac && status != REDIS_OK) {
		failed(ac->errstr[0] ? ac->errstr : "cannot connect", true);
	}
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	(void) status;
	if (ac == S.ac) {
		failed(ac->errstr[0] ? ac->errstr : "closed the connection", true);
	}
}

static void on_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	char why[300];

	(void) privdata;
	if (ac != S.ac || !reply) {
		return;   /* not the current question, or torn down: on_disconnect says why */
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(why, sizeof(why), "AUTH (sentinel_password) failed: %.*s", (int) reply->len, reply->str);
		failed(why, false);
	}
}

static void on_master(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	char why[300];
	const char *master = asynctask_rnode.config.url.master_name;

	(void) privdata;
	if (ac != S.ac || !reply) {
		return;
	}
	if (reply->type == REDIS_REPLY_NIL) {
		snprintf(why, sizeof(why), "knows no master named '%s'", master);
	} else if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(why, sizeof(why), "%.*s", (int) reply->len, reply->str);
	} else if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2
			|| reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_STRING
			|| reply->element[0]->len == 0 || reply->element[0]->len >= sizeof(S.host)) {
		snprintf(why, sizeof(why), "answered something other than an address and a port");
	} else {
		char *end;
		long port = strtol(reply->element[1]->str, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535) {
			snprintf(why, sizeof(why), "answered the port \"%s\"", reply->element[1]->str);
		} else {
			char addr[300], said[300];
			memcpy(S.host, reply->element[0]->str, reply->element[0]->len);
			S.host[reply->element[0]->len] = '\0';
			S.port = (int) port;
			S.known = true;
			asynctask_redis_addr_describe(&asynctask_rnode.config.url.sentinels[S.index], addr, sizeof(addr));
			snprintf(said, sizeof(said), strchr(S.host, ':') ? "[%s]:%d" : "%s:%d", S.host, S.port);
			if (strcmp(said, S.said) != 0) {
				asynctask_log_event(ASYNCTASK_LOG_NOTICE, "sentinel_master", "redis node: the Sentinel at %s names %s as the master '%s'", addr, said, master);
				memcpy(S.said, said, sizeof(said));
			}
			drop(false);
			finish(true, NULL);
			return;
		}
	}
	failed(why, false);
}

/* Asks the Sentinel at S.index, or ends the round when none is left. */
static void ask_next(void)
{
	const asynctask_redis_url_t *url = &asynctask_rnode.config.url;

	while (S.index < url->sentinel_count) {
		const asynctask_redis_addr_t *at = &url->sentinels[S.index];
		redisAsyncContext *ac = redisAsyncConnect(at->host, at->port);
		if (!ac || ac->err || asynctask_redis_loop_attach(ac, asynctask_rnode.base) != 0) {
			char why[256];
			snprintf(why, sizeof(why), "%s", !ac ? "out of memory" : ac->err ? ac->errstr : "cannot attach to the event loop");
			if (ac) redisAsyncFree(ac);
			S.ac = NULL;
			failed(why, true);   /* (arms the step to the next; the loop here goes on at once) */
			continue;
		}
		S.ac = ac;
		redisAsyncSetConnectCallback(ac, on_connect);
		redisAsyncSetDisconnectCallback(ac, on_disconnect);
		if (url->sentinel_password[0]) {
			redisAsyncCommand(ac, on_auth, NULL, "AUTH %s", url->sentinel_password);
		}
		redisAsyncCommand(ac, on_master, NULL, "SENTINEL get-master-addr-by-name %s", url->master_name);
		arm(SENTINEL_TIMEOUT_MS);
		return;
	}
	char why[1200];
	snprintf(why, sizeof(why), "no Sentinel named the master '%s' (tried%s)", url->master_name, S.failure);
	finish(false, why);
}

/* The timer: the Sentinel asked did not answer in time, or the step to the next one. */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;
	if (!S.asking) {
		return;
	}
	if (S.ac) {
		char why[64];
		snprintf(why, sizeof(why), "no answer within %d ms", SENTINEL_TIMEOUT_MS);
		failed(why, false);
		evtimer_del(S.timer);
	}
	ask_next();
}

void asynctask_redis_node_ask_sentinels(sentinel_done_t done)
{
	S.done = done;
	if (S.asking) {
		return;
	}
	if (!S.timer && !(S.timer = evtimer_new(asynctask_rnode.base, on_timer, NULL))) {
		finish(false, "cannot make a timer on the event loop");
		return;
	}
	S.asking = true;
	S.index = 0;
	S.failure[0] = '\0';
	S.failure_len = 0;
	ask_next();
}

void asynctask_redis_node_sentinel_stop(void)
{
	S.asking = false;
	S.done = NULL;
	drop(false);
	if (S.timer) {
		event_free(S.timer);
		S.timer = NULL;
	}
}
