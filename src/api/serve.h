/*
 * This process as a node of the Redis backend (DESIGN section 4):
 * AsyncTask\Pool::serve() runs one in the foreground, Pool::start() with a
 * remote asynctask.backend in the background (the pool's manager bridges
 * the queue's stream into the pool's workers, pool/bridge.h).
 */
#ifndef ASYNCTASK_API_SERVE_H
#define ASYNCTASK_API_SERVE_H

#include "php.h"

/* Starts this process's pool as a node (0 workers: asynctask.workers).
 * Throws BackendException (settings, secret, Redis unreachable or refusing
 * us) or Exception, and returns FAILURE, when it cannot. */
zend_result asynctask_node_start(zend_long workers);

/* Pool::serve(): starts a node, waits for SIGTERM or SIGINT, then drains
 * (asynctask.shutdown_timeout) and returns. Throws when it cannot start. */
void asynctask_node_serve(void);

#endif
