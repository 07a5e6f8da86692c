/*
 * The server pool: under php-fpm with asynctask.enable=1 the master starts
 * one pool at startup that every FPM child dispatches to.
 */
#ifndef ASYNCTASK_SERVER_H
#define ASYNCTASK_SERVER_H

#include "php.h"
#include "pool.h"

/* MINIT: starts the server pool when asynctask.enable=1 under php-fpm. */
void asynctask_server_startup(void);

/* RINIT: in a php-fpm child, lets go of the master's lifeline; the first
 * request of all hands its uid/gid and a runtime directory to the pool. */
void asynctask_server_request_startup(void);

/* dispatch() under the server pool: the pool, or NULL after throwing. */
asynctask_pool_t *asynctask_server_pool_get(asynctask_pool_t *pool);

/* The manager: keeps the lifeline's read end, which reads EOF once the
 * master has exited or re-executed itself. Returns that fd. */
int asynctask_server_manager_lifeline(void);

/* The manager, before it forks its first worker: switches to the
 * credentials the first request handed over. False (logged) if it cannot. */
bool asynctask_server_drop_privileges(asynctask_pool_t *pool);

/* A worker: closes whatever end of the lifeline it inherited. */
void asynctask_server_close_lifeline(void);

#endif
