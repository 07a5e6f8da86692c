/*
 * The dispatching side of delayed tasks (src/pool/delay.h holds them in the
 * manager): this process remembers when each of its delayed tasks is due,
 * so that Future::cancel() knows whether the manager may still drop it.
 */
#ifndef ASYNCTASK_DELAYED_H
#define ASYNCTASK_DELAYED_H

#include <stdbool.h>
#include <stdint.h>

#include "src/transport/shm/region.h"

/* A delayed task was queued on the queue of that index: remembers it and
 * wakes the manager (SIGUSR2) unless it has been asked to look already. */
void asynctask_delayed_sent(asynctask_pool_t *pool, uint32_t queue, uint64_t task_id, uint64_t due_ns);

/* Future::cancel() of a task this process delayed: true when it never runs
 * (*queue: the index of its queue). *delayed false: not one of them (the
 * caller cancels it as any other). */
bool asynctask_delayed_cancel(asynctask_pool_t *pool, uint64_t task_id, bool *delayed, uint32_t *queue);

/* This process lets go of the pool. */
void asynctask_delayed_forget(void);

#endif
