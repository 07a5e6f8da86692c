/*
 * The dispatching side's event stream over Redis (AsyncTask\events(), see
 * shm/result_events.h for the shared-memory one): an epoll fd that polls
 * readable whenever a result may have come to this process's reply list.
 *
 * It watches a second connection of this process's own (conn.h), on which
 * a BLMOVE of the reply list's head onto itself (it waits without taking,
 * as replies.c's sleep does) is sent and not read: the socket becomes
 * readable when Redis answers, that is when a result is in the list (or
 * the connection was lost: readable too). Each collect (replies.c, after
 * LRANGE and LTRIM) reads that answer, if it came, and sends the next
 * BLMOVE while this process still waits for results; a result pushed in
 * between is answered at once. Nothing is sent while nothing is owed, so
 * an idle process costs Redis one blocked client at most.
 *
 * A forked child makes its own stream and connection; the ones it
 * inherited are its parent's.
 */
#ifndef ASYNCTASK_REDIS_EVENTS_H
#define ASYNCTASK_REDIS_EVENTS_H

#include <stdbool.h>

/* A new fd (the caller owns it) of this process's event stream, made on
 * first use, the next BLMOVE sent. -1 with errno set. */
int asynctask_redis_events(void);
/* After a collect: reads the BLMOVE's answer if it came, and sends the next
 * one while results are owed. Nothing when the process has no event stream. */
void asynctask_redis_events_rearm(void);

/* True when nothing can have come since the last collect: the BLMOVE sent
 * after it is still unanswered (one poll(), no round trip). A collect may
 * then skip its LRANGE: a result pushed since makes Redis answer, and the
 * stream readable. False without an event stream. */
bool asynctask_redis_events_quiet(void);

#endif
