/*
 * The status endpoint's connections: a cap on how many are open at once
 * and a deadline for each request (conns.c says how, on libevent 2.1's
 * evhttp, which has neither), so that no client, however slow or many,
 * holds more of the manager than ASYNCTASK_STATUS_CONNS_MAX fds for
 * ASYNCTASK_STATUS_REQUEST_S each.
 */
#ifndef ASYNCTASK_STATUS_CONNS_H
#define ASYNCTASK_STATUS_CONNS_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

#define ASYNCTASK_STATUS_CONNS_MAX 64  /* connections open at once */
#define ASYNCTASK_STATUS_REQUEST_S 10  /* to send a whole request, from the connection or the previous request */

/* Before binding: counts http's connections from now on (false: no memory
 * for its two events; the endpoint must not start). */
bool asynctask_status_conns_start(struct event_base *base, struct evhttp *http);

/* The socket evhttp listens on: switched off at the cap. */
void asynctask_status_conns_listen(struct evhttp_bound_socket *bound);

/* A request came whole on evcon: its deadline starts again. */
void asynctask_status_conns_request(struct evhttp_connection *evcon);

/* Before evhttp_free(), which frees the listener before its connections. */
void asynctask_status_conns_unlisten(void);

/* After evhttp_free(): lets go of what is left. */
void asynctask_status_conns_stop(void);

/* For /metrics: connections open, pushed out at the cap, cut at their deadline. */
void asynctask_status_conns_figures(unsigned *open, uint64_t *pushed_out, uint64_t *timed_out);

#endif
