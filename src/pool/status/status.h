/*
 * The pool's HTTP status endpoint (asynctask.status_listen): served by the
 * manager from its own libevent loop with evhttp, so it answers while every
 * worker is busy or stuck, and no PHP code runs to answer. Everything it
 * shows is read from the shared region: the counters stats() shows, the
 * slots, and what workers record there (record.h, watch.h).
 *
 *   /              a dashboard page (page.c) that polls the two below
 *   /metrics       Prometheus text exposition (metrics.c)
 *   /api/stats     JSON: stats() and each worker (api.c)
 *   /api/failures  JSON: the last 100 failures (api.c)
 *
 * asynctask.status_token, when set, is required as "Authorization: Bearer"
 * on every path but "/" (a page without data, which asks for the token).
 */
#ifndef ASYNCTASK_STATUS_H
#define ASYNCTASK_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "src/transport/shm/region.h"

typedef struct {
	bool     unix_socket;
	char     path[108];  /* unix: sun_path */
	char     host[64];   /* tcp: a loopback address */
	uint16_t port;
} asynctask_status_addr_t;

/* Parses an asynctask.status_listen value ("" is off: returns false with
 * why empty); false with why filled when it is refused. */
bool asynctask_status_listen_parse(const char *value, asynctask_status_addr_t *addr, char *why, size_t why_size);

/* A php-fpm section's manager, before it runs: serves with the section's
 * settings (what its FPM children were configured with: php.ini, or the
 * section's php_admin_value), not the master's php.ini alone, so that each
 * section's pool can have an address of its own; listen NULL: they were
 * too long (logged, no endpoint). Its log lines name the section. */
void asynctask_status_for_section(const char *section, const char *listen, const char *token);

/* Manager: starts serving on base when asynctask.status_listen is set (a
 * failure to bind is logged, the pool runs without it). */
void asynctask_status_start(struct event_base *base, asynctask_pool_t *pool);

/* A process the manager forked (a worker): closes the endpoint's sockets,
 * which are the manager's to close (a client must see the end of its
 * answer when the manager closes the connection). */
void asynctask_status_close_in_child(void);

/* Manager, leaving: stops serving, removes its unix socket. */
void asynctask_status_stop(void);

/* The bodies, into out. */
void asynctask_status_metrics(asynctask_pool_t *pool, struct evbuffer *out);
void asynctask_status_api_stats(asynctask_pool_t *pool, struct evbuffer *out);
void asynctask_status_api_failures(asynctask_pool_t *pool, struct evbuffer *out);
extern const char asynctask_status_page[];

/* phpinfo()'s rows: this process's live pool, the build's features. */
void asynctask_status_minfo(void);

#endif
