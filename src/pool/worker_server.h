/*
 * A worker's request state (split from the worker's loop): the last error PHP
 * recorded, forgotten before each task so that one reported during the task
 * is the task's own; PHP's log lines written as asynctask.log's; and, for a worker of the server pool (php-fpm), forked
 * from the master's startup state, a PHP request of its own whose output,
 * headers and log lines go to asynctask.log, never to a FastCGI stream.
 */
#ifndef ASYNCTASK_POOL_WORKER_SERVER_H
#define ASYNCTASK_POOL_WORKER_SERVER_H

/* Forgets the last error (PG(last_error_*)). */
void asynctask_worker_clear_last_error(void);

/* PHP's log in a worker (errors, error_log()): a line of asynctask.log at
 * the level PHP gave it (the SAPI's log_message). */
void asynctask_worker_log_message(const char *message, int syslog_type);

/* Server pool: starts the worker's own request with the SAPI stand-ins; exits (70) when it cannot. */
void asynctask_worker_start_server_request(void);

#endif
