/*
 * A node (serve.h): AsyncTask\Pool::serve(), and Pool::start() with a Redis
 * backend. Everything that can be refused is refused here, in the process
 * that asked, as an exception: the settings, the secret, and Redis itself
 * (reached once with the dispatching side's blocking connection, so that a
 * refused password is an exception, not a log line of a background manager).
 * Then the pool starts as a node: its manager bridges the stream into it
 * (pool/bridge.c).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/api/serve.h"
#include "src/api/redis/secret.h"
#include "src/api/redis/settings.h"
#include "src/base/exceptions.h"
#include "src/base/log.h"
#include "src/pool/pool.h"
#include "src/pool/server.h"
#include "src/transport/shm/shm.h"

#ifdef HAVE_ASYNCTASK_REDIS
# include "src/pool/bridge.h"
# include "src/transport/redis/conn.h"
# include "src/transport/redis/node.h"
# include "src/transport/redis/protocol.h"
# include "src/transport/redis/url.h"

/* The settings as a node's config, its secret the signing key (copied):
 * false with why (nothing thrown, nothing asked of Redis). */
static bool node_settings(asynctask_redis_node_config_t *config, char *why, size_t why_size)
{
	char error[256];
	zend_string *problem = NULL;

	memset(config, 0, sizeof(*config));
	if (!asynctask_redis_url_parse(ASYNCTASK_G(backend), &config->url, error, sizeof(error))) {
		snprintf(why, why_size, "asynctask.backend: %s", error);
		return false;
	}
	/* entries are signed under the key derived from the secret and the prefix (secret.h) */
	const zend_string *secret = asynctask_secret_signing_key(&problem);
	if (!secret) {
		snprintf(why, why_size, "%s", problem ? ZSTR_VAL(problem) : "no secret");
		if (problem) zend_string_release(problem);
		return false;
	}
	config->secret = malloc(ZSTR_LEN(secret));
	if (!config->secret) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	memcpy(config->secret, ZSTR_VAL(secret), ZSTR_LEN(secret));
	config->secret_len = ZSTR_LEN(secret);
	snprintf(config->prefix, sizeof(config->prefix), "%s", ASYNCTASK_G(prefix));
	asynctask_redis_node(config->node, sizeof(config->node));
	/* config->queues: the pool's queues (asynctask.queues), named by the bridge once the pool exists */
	config->visibility_ms = (uint64_t) (ASYNCTASK_G(visibility_timeout) * 1000 + 0.5);
	if (config->visibility_ms == 0) {
		config->visibility_ms = 1;
	}
	config->max_attempts = (uint32_t) ASYNCTASK_G(max_attempts);
	config->result_ttl_ms = (uint64_t) ASYNCTASK_G(result_ttl) * 1000;
	config->max_payload = (size_t) ASYNCTASK_G(max_payload);
	return true;
}

/* The settings as a node's config; FAILURE with an exception thrown. */
static zend_result node_config(asynctask_redis_node_config_t *config)
{
	char why[600];

	memset(config, 0, sizeof(*config));
	if (asynctask_backend_check_remote() == FAILURE) {
		return FAILURE;
	}
	/* Redis answers, and takes our credentials (under redis-sentinel://, a
	 * Sentinel names the master): else BackendException now */
	const char *ping[] = { "PING" };
	size_t ping_len[] = { 4 };
	redisReply *reply = asynctask_redis_command(1, ping, ping_len);
	if (!reply) {
		return FAILURE;
	}
	freeReplyObject(reply);
	/* the manager makes its own connections (and a fork must not share this one) */
	asynctask_redis_disconnect();
	if (!node_settings(config, why, sizeof(why))) {
		asynctask_throw(asynctask_ce_backend_exception, "%s", why);
		return FAILURE;
	}
	return SUCCESS;
}

void asynctask_node_server_startup(void)
{
	asynctask_redis_node_config_t config;
	char why[600];

	if (!asynctask_redis_url_is_remote(ASYNCTASK_G(backend)) || ASYNCTASK_G(backend_refused)) {
		return;
	}
	/* each section's pool serves the queues of asynctask.queues, each with its
	 * workers (the bridge names them from the pool's region, as for Pool::serve()) */
	if (!node_settings(&config, why, sizeof(why))) {
		/* (the settings' own startup warning said so already, where it could) */
		php_error_docref(NULL, E_WARNING, "asynctask: the php-fpm pool sections will not serve asynctask.backend "
			"as nodes: %s", why);
		return;
	}
	/* every section's manager, forked from this master, serves it (server_manager.c names its consumer) */
	asynctask_bridge_configure(&config);
}

zend_result asynctask_node_start(zend_long workers)
{
	asynctask_redis_node_config_t config;

	if (asynctask_server_enabled() || (ASYNCTASK_G(pool) && asynctask_shm_alive())) {
		/* running: as for a local pool (same workers, or refused); under
		 * php-fpm the sections' pools are the nodes: refused the same way */
		return asynctask_pool_start(workers);
	}
	/* the node serves the queues of asynctask.queues (its pool's, each with its workers) */
	if (node_config(&config) == FAILURE) {
		return FAILURE;
	}
	asynctask_bridge_configure(&config);   /* the manager forked by the start serves it */
	zend_result started = asynctask_pool_start(workers);
	asynctask_bridge_configure(NULL);      /* this process's copy (the secret) goes */
	return started;
}

/* Waits for SIGTERM or SIGINT (blocked meanwhile, so they end the wait
 * instead of the process) while the manager lives. Returns the signal, or
 * 0 when the manager died. */
static int wait_for_stop(void)
{
	sigset_t stop;
	struct timespec slice = { 0, 200 * 1000 * 1000 };

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	for (;;) {
		int sig = sigtimedwait(&stop, NULL, &slice);
		if (sig > 0) {
			return sig;
		}
		if (!asynctask_shm_alive()) {
			return 0;
		}
	}
}

void asynctask_node_serve(void)
{
	sigset_t stop, previous;

	if (ASYNCTASK_G(pool) && asynctask_shm_alive()) {
		asynctask_throw(asynctask_ce_exception, "AsyncTask\\Pool::serve(): this process runs a pool already "
			"(AsyncTask\\Pool::start()); stop it first, or let it serve");
		return;
	}
	/* blocked before the pool starts: a SIGTERM during the start is not lost */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, &previous);
	if (asynctask_node_start(0) == FAILURE) {
		sigprocmask(SIG_SETMASK, &previous, NULL);
		return;
	}
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "node_started",
		"node %s serves %s (pid %d, %u workers)", ASYNCTASK_G(node) && ASYNCTASK_G(node)[0] ? ASYNCTASK_G(node)
		: "(hostname)", ASYNCTASK_G(prefix), (int) getpid(), ASYNCTASK_G(pool)->workers);
	int sig = wait_for_stop();
	if (sig == 0) {
		sigprocmask(SIG_SETMASK, &previous, NULL);
		asynctask_pool_stop(0);
		asynctask_throw(asynctask_ce_exception, "AsyncTask\\Pool::serve(): the node's manager died (see the log)");
		return;
	}
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "node_draining",
		"node: %s: draining (asynctask.shutdown_timeout %.3g s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
		ASYNCTASK_G(shutdown_timeout));
	asynctask_pool_stop(ASYNCTASK_G(shutdown_timeout));
	/* what else arrived meanwhile is consumed: serve() returned for it */
	struct timespec none = { 0, 0 };
	while (sigtimedwait(&stop, NULL, &none) > 0) {
	}
	sigprocmask(SIG_SETMASK, &previous, NULL);
}

#else

void asynctask_node_server_startup(void)
{
}

zend_result asynctask_node_start(zend_long workers)
{
	(void) workers;
	/* throws: a backend URL on a build without hiredis, or no backend at all */
	asynctask_backend_check_remote();
	return FAILURE;
}

void asynctask_node_serve(void)
{
	asynctask_node_start(0);
}

#endif
