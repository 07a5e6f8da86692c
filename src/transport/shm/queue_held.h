/*
 * What the manager holds outside the ring (queue_held.c): the tasks with
 * retries it holds until their next run, listed so that Future::cancel()
 * knows it may still ask for one to be dropped, and the cancellations asked
 * of it (for a held retry, or a delayed task not yet due), which it takes.
 * queue.h includes this; the list and the requests live in the queue's
 * delays (queue_ring.h).
 */
#ifndef ASYNCTASK_QUEUE_HELD_H
#define ASYNCTASK_QUEUE_HELD_H

#include <stdint.h>

#include "src/transport/shm/queue_ring.h"

/* Manager: lists task_id as a retry it holds (its own crash retries). */
void asynctask_queue_hold_retry(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id);

/* Manager: it no longer holds task_id (the pool stops). */
void asynctask_queue_release_retry(asynctask_queue_t *q, unsigned char *ring, uint64_t task_id);

/* Manager: moves the cancellation requests into ids (at most max); returns how many. */
uint32_t asynctask_queue_take_cancels(asynctask_queue_t *q, unsigned char *ring, uint64_t *ids, uint32_t max);

/* --- for the queue's critical sections (queue.c, queue_cancel.c): lock held */

/* Lists task_id as a retry the manager holds (one store commits it). */
void asynctask_queue_held_add(asynctask_queue_t *q, uint64_t task_id);
/* task_id is no longer held (only the manager drops one: if it dies in
 * between, the pool is gone). */
void asynctask_queue_held_drop(asynctask_queue_t *q, uint64_t task_id);
/* A task the manager holds until its next run is cancelled as a delayed one
 * is (the manager sees the request before it pushes anything). 1, 0 (not
 * held), or EAGAIN (the list of requests is full). */
int asynctask_queue_held_cancel(asynctask_queue_t *q, uint64_t task_id);

#endif
