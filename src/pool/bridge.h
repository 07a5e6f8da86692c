/*
 * The bridge: with a Redis backend, a node's manager takes tasks from the
 * queue's stream (transport/redis/node.h, on the manager's loop) and
 * becomes their local dispatcher. It queues each verified task on the
 * pool's shared-memory queue like dispatch() does (its context in front,
 * codec/context.h), with itself as the task's owner, reads their results
 * on its own result FIFO (shm/result.h; no mailbox: the loop polls the
 * FIFO), and hands each outcome back to the node, which stores it. It
 * takes no more tasks than the pool has workers without one.
 */
#ifndef ASYNCTASK_BRIDGE_H
#define ASYNCTASK_BRIDGE_H

#include <stdbool.h>

#include "src/transport/redis/node.h"
#include "src/transport/shm/region.h"

struct event_base;

/* The owner, before it starts the pool: this pool is a node serving what
 * config says (copied; its secret taken over). NULL: a local pool again. */
void asynctask_bridge_configure(const asynctask_redis_node_config_t *config);

/* Whether the pool about to start (or running) is a node. */
bool asynctask_bridge_configured(void);

/* A php-fpm section's manager: its consumer is asynctask.node + "/" +
 * the FPM pool section, so that the sections of one machine (each a node,
 * '/' never in asynctask.node) keep apart in the group. */
void asynctask_bridge_section(const char *section);

/* The manager, once its loop exists: opens its result FIFO and starts the
 * node. false (logged) when it cannot. */
bool asynctask_bridge_start(asynctask_pool_t *pool, struct event_base *base);

/* The manager's tick: the node's timers, the figures for stats(). */
void asynctask_bridge_tick(void);

/* The pool drains: no more tasks are taken. */
void asynctask_bridge_stop_taking(void);

/* Nothing running for Redis and nothing on its way to it. */
bool asynctask_bridge_idle(void);

/* The manager leaves. */
void asynctask_bridge_shutdown(void);

#endif
