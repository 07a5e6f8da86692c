/*
 * Results, the caller's event stream (AsyncTask\events()): an epoll fd of
 * this process that polls readable whenever a result may have come, for
 * event loops (Revolt, ReactPHP) that must not block in Future::wait().
 *
 * It watches the process's result FIFO (result.h), nothing else: results
 * that travel in the FIFO make it readable by themselves; for results that
 * land in the mailbox the owner says it listens (mailbox.h: listening) each
 * time it has drained, and the first poster to see that writes a message
 * of no task into the FIFO (result_post.c), one per drain. A process that
 * never asked for events pays one load per post, nothing else.
 *
 * Its owner only reads it through Future::isDone()/wait(): a read() of an
 * epoll fd fails, so user code cannot take a result from under a Future.
 * Only processes of the pool's user can write to the FIFO (the runtime
 * directory is private, the FIFO 0600 and checked to be ours). A process
 * forked from one that had an event stream makes its own: the epoll set it
 * inherited is its parent's.
 */
#ifndef ASYNCTASK_RESULT_EVENTS_H
#define ASYNCTASK_RESULT_EVENTS_H

#include <stdbool.h>

/* A new fd (the caller owns it) of this process's event stream, made on
 * first use; the result FIFO must be open (asynctask_results_open). -1
 * with errno set when it cannot be made. */
int asynctask_results_events(void);
/* Whether this process asked for an event stream. */
bool asynctask_results_events_on(void);
/* The caller, after a drain with events on: the current result FIFO is
 * watched (it changes when a php-fpm request ends and the next dispatches). */
void asynctask_results_events_watch(int result_fd);
/* The result FIFO is about to be closed: unwatched first (a forked child
 * may keep the FIFO open, and its epoll entry with it). */
void asynctask_results_events_unwatch(void);

#endif
