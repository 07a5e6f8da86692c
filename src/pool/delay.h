/*
 * Delayed tasks (Task::delay(), README "Jobs"): the manager holds them.
 *
 * dispatch() of a delayed task pushes it onto its queue's delayed list
 * (each named queue has one, region.h),
 * which no worker takes (queue.h), and wakes the manager (SIGUSR2, when it
 * has not been asked already). The manager takes each one out of the ring
 * into its own memory, a binary min-heap keyed by due time (then task id,
 * so equal due times keep their order), and keeps one libevent timer for
 * the earliest. When it fires, every task that is due is pushed back into
 * its queue as an ordinary task of its priority; with no room at that
 * moment the rest are tried again 10 ms later (the loop never waits).
 * 100,000 delayed tasks are a heap of pointers and one malloc'd copy of
 * each record (header and payload): no timer each, no CPU while they wait.
 * A task larger than a quarter of its queue travels in a spill file
 * (src/transport/shm/spill.h) as an undelayed one does: its record, and so
 * the manager's copy, is the header and the file's name; the file stays in
 * the pool's runtime directory until a worker takes the task (or it is
 * cancelled, or the pool stops: then the manager removes it), and the
 * sweep of a dead dispatcher's files leaves it (asynctask_delay_refers_to()).
 *
 * The manager never pushes a task before its due time (CLOCK_MONOTONIC,
 * the clock dispatch() computed it with), so a task never runs early.
 * Cancelling one it holds (Future::cancel()) goes through the queue's
 * cancellation list (asynctask_queue_cancel_delayed()); a stop fails the
 * ones it still holds (asynctask_delay_fail_all()); a reload keeps them.
 * The manager also holds here a task's next run after a failed one
 * (src/pool/retry.h) and a chain's next link its worker could not queue
 * (src/pool/chain.h).
 */
#ifndef ASYNCTASK_DELAY_H
#define ASYNCTASK_DELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "src/transport/shm/region.h"

/* Sets up the timer on the manager's loop. */
void asynctask_delay_start(asynctask_pool_t *pool, struct event_base *base);

/* Takes what dispatchers left on the delayed list and the cancellations
 * into the heap, and sets the timer (on SIGUSR2, and every tick). */
void asynctask_delay_look(void);

/* How many delayed tasks the manager holds. */
size_t asynctask_delay_held(void);

/* Does it hold a task due at or before deadline_ns (asynctask_now_ns())? */
bool asynctask_delay_due_by(uint64_t deadline_ns);

/* Holds record (malloc'd; the manager's own retry of a task whose worker
 * died, src/pool/retry.h, or a chain's next link a worker left to it,
 * src/pool/chain.h) for the queue of that index until its due time; false
 * when memory is short (the caller still owns it). */
bool asynctask_delay_hold(asynctask_record_t *record, uint32_t queue);

/* Does a held record name the spill file name (a task with retries)? */
bool asynctask_delay_refers_to(const char *name);

/* At the end: calls fail(record, queue, why) for each delayed task still
 * held (and for those still on the delayed lists; queue: the index of its
 * queue), frees them and the timer. */
typedef void (*asynctask_delay_fail_fn)(const asynctask_record_t *record, uint32_t queue, const char *why);
void asynctask_delay_fail_all(asynctask_delay_fail_fn fail, const char *why);

#endif
