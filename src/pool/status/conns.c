/*
 * The status endpoint's connections (conns.h): at most
 * ASYNCTASK_STATUS_CONNS_MAX open at once, each given
 * ASYNCTASK_STATUS_REQUEST_S to send a whole request.
 *
 * libevent 2.1's evhttp has no connection limit (2.2's
 * evhttp_set_max_connections) and tells nobody when it accepts or drops a
 * connection. What it does offer: it asks us for each new connection's
 * bufferevent (evhttp_set_bevcb), which is where a connection is counted;
 * and a connection's close callback (evhttp_connection_set_closecb), set on
 * the next turn of the loop, once evhttp has made the connection (it is its
 * bufferevent's callback argument), which is where it is counted out. Until
 * then we hold a reference on the bufferevent, so that a connection evhttp
 * dropped at once is still there to be seen gone (its callbacks cleared).
 * The bufferevent does not own the fd: evhttp closes it when it drops the
 * connection, whether or not we still hold our reference.
 *
 * At the cap, a new connection pushes out the one that has waited longest
 * without a request (shutdown(): evhttp reads the end and drops it), and
 * the listener is off until a connection has gone; who comes meanwhile
 * waits in the kernel's backlog, holding no fd of ours. A scraper, whose
 * request takes a millisecond, is never the one pushed out, so a thousand
 * idle connections delay it by a few turns of the loop at most.
 *
 * evhttp's own timeout (evhttp_set_timeout) closes a connection that sends
 * nothing for that long; a client that sends a byte now and then is cut off
 * here, once a second, when it has not completed a request within
 * ASYNCTASK_STATUS_REQUEST_S of its connection or its previous request.
 */
#include <stdbool.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "src/base/clock.h"
#include "src/pool/status/conns.h"

typedef struct {
	bool                      used;
	bool                      attached;  /* its close callback is set: it counts itself out */
	bool                      cut;       /* shut down past its deadline */
	struct bufferevent       *bev;       /* with our reference until attached */
	struct evhttp_connection *evcon;     /* once attached */
	uint64_t                  since_ns;  /* accepted, or its last request */
} conn_t;

static struct {
	struct evconnlistener *listener;
	struct event          *attach;   /* active when a connection waits for its close callback */
	struct event          *sweep;    /* every second: connections past their deadline */
	conn_t                 conn[ASYNCTASK_STATUS_CONNS_MAX];
	unsigned               open;
	uint64_t               pushed_out;  /* at the cap, for a newer one */
	uint64_t               timed_out;   /* no whole request in time */
} conns;

static void count_out(conn_t *c)
{
	c->used = false;
	conns.open--;
	if (conns.listener && conns.open < ASYNCTASK_STATUS_CONNS_MAX) {
		evconnlistener_enable(conns.listener);  /* no-op when it is on */
	}
}

static void on_close(struct evhttp_connection *evcon, void *arg)
{
	conn_t *c = arg;
	(void) evcon;

	if (c->used && c->attached) {
		count_out(c);
	}
}

/* Shuts the connection down: evhttp reads the end and drops it (and its
 * close callback counts it out). */
static void cut(conn_t *c)
{
	evutil_socket_t sock = bufferevent_getfd(evhttp_connection_get_bufferevent(c->evcon));

	if (sock >= 0) {
		shutdown(sock, SHUT_RDWR);
	}
	c->cut = true;
}

/* At the cap: the connection that has waited longest for a request goes,
 * unless one is going already (the listener is on again when it has gone).
 * Only a connection whose close callback is set can be pushed out: when all
 * were accepted in this turn of the loop, on_attach() calls again. */
static void push_out_oldest(void)
{
	conn_t *oldest = NULL;

	for (unsigned i = 0; i < ASYNCTASK_STATUS_CONNS_MAX; i++) {
		conn_t *c = &conns.conn[i];
		if (c->used && c->cut) {
			return;
		}
		if (c->used && c->attached && (!oldest || c->since_ns < oldest->since_ns)) {
			oldest = c;
		}
	}
	if (oldest) {
		cut(oldest);
		conns.pushed_out++;
	}
}

static struct bufferevent *on_accept(struct event_base *base, void *arg)
{
	conn_t *c = NULL;
	(void) arg;

	for (unsigned i = 0; i < ASYNCTASK_STATUS_CONNS_MAX && !c; i++) {
		c = conns.conn[i].used ? NULL : &conns.conn[i];
	}
	/* never NULL: the listener is off at the cap (NULL would make evhttp
	 * use a bufferevent of its own, uncounted) */
	struct bufferevent *bev = c ? bufferevent_socket_new(base, -1, 0) : NULL;
	if (!bev) {
		return NULL;
	}
	bufferevent_incref(bev);
	*c = (conn_t) { .used = true, .bev = bev, .since_ns = asynctask_now_ns() };
	conns.open++;
	event_active(conns.attach, EV_TIMEOUT, 1);
	if (conns.open >= ASYNCTASK_STATUS_CONNS_MAX) {
		evconnlistener_disable(conns.listener);  /* on again when one has gone */
		push_out_oldest();
	}
	return bev;
}

/* The turn of the loop after an accept: evhttp has made the connection (or
 * dropped it already: its bufferevent's callbacks are cleared). */
static void on_attach(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;

	for (unsigned i = 0; i < ASYNCTASK_STATUS_CONNS_MAX; i++) {
		conn_t *c = &conns.conn[i];
		bufferevent_data_cb readcb, writecb;
		bufferevent_event_cb eventcb;
		void *evcon = NULL;

		if (!c->used || c->attached) {
			continue;
		}
		bufferevent_getcb(c->bev, &readcb, &writecb, &eventcb, &evcon);
		/* evhttp's callback argument is the connection (libevent 2.0 to 2.2):
		 * checked against its bufferevent before its close callback is set */
		bool made = evcon && eventcb && evhttp_connection_get_bufferevent(evcon) == c->bev;
		bufferevent_decref(c->bev);
		if (made) {
			c->evcon = evcon;
			c->attached = true;
			evhttp_connection_set_closecb(c->evcon, on_close, c);
		} else {
			count_out(c);
		}
	}
	if (conns.open >= ASYNCTASK_STATUS_CONNS_MAX) {
		push_out_oldest();
	}
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	uint64_t now = asynctask_now_ns();
	(void) fd; (void) what; (void) arg;

	for (unsigned i = 0; i < ASYNCTASK_STATUS_CONNS_MAX; i++) {
		conn_t *c = &conns.conn[i];
		if (c->used && c->attached && !c->cut && now - c->since_ns > ASYNCTASK_STATUS_REQUEST_S * 1000000000ull) {
			cut(c);
			conns.timed_out++;
		}
	}
}

bool asynctask_status_conns_start(struct event_base *base, struct evhttp *http)
{
	static const struct timeval second = { 1, 0 };

	conns.attach = event_new(base, -1, 0, on_attach, NULL);
	conns.sweep = event_new(base, -1, EV_PERSIST, on_sweep, NULL);
	if (!conns.attach || !conns.sweep || event_add(conns.sweep, &second) != 0) {
		asynctask_status_conns_stop();
		return false;
	}
	evhttp_set_bevcb(http, on_accept, NULL);
	return true;
}

void asynctask_status_conns_listen(struct evhttp_bound_socket *bound)
{
	conns.listener = evhttp_bound_socket_get_listener(bound);
}

void asynctask_status_conns_request(struct evhttp_connection *evcon)
{
	for (unsigned i = 0; i < ASYNCTASK_STATUS_CONNS_MAX; i++) {
		if (conns.conn[i].used && conns.conn[i].evcon == evcon) {
			conns.conn[i].since_ns = asynctask_now_ns();
			return;
		}
	}
}

void asynctask_status_conns_unlisten(void)
{
	conns.listener = NULL;  /* evhttp_free() frees it before its connections */
}

void asynctask_status_conns_stop(void)
{
	for (unsigned i = 0; i < ASYNCTASK_STATUS_CONNS_MAX; i++) {
		conn_t *c = &conns.conn[i];
		if (c->used && !c->attached) {
			bufferevent_decref(c->bev);
		}
		c->used = false;
	}
	conns.open = 0;
	conns.listener = NULL;
	if (conns.attach) {
		event_free(conns.attach);
		conns.attach = NULL;
	}
	if (conns.sweep) {
		event_free(conns.sweep);
		conns.sweep = NULL;
	}
}

void asynctask_status_conns_figures(unsigned *open, uint64_t *pushed_out, uint64_t *timed_out)
{
	*open = conns.open;
	*pushed_out = conns.pushed_out;
	*timed_out = conns.timed_out;
}
