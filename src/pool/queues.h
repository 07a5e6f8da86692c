/*
 * The pool's named queues as the settings ask (README "Jobs", "Named
 * queues"): asynctask.queues (src/base/queues.h) with the worker count of
 * every queue it gives none filled in, or, when it is empty, one queue,
 * "default". The region is laid out from it (src/transport/shm/region.h).
 */
#ifndef ASYNCTASK_POOL_QUEUES_H
#define ASYNCTASK_POOL_QUEUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/base/queues.h"

/* Fills layout from asynctask.queues; a queue without a count (and
 * "default" when the setting is empty) gets `workers`, or when that is 0
 * asynctask.workers (0: one per online CPU). false with error filled in
 * when the pool would have more than 1024 workers in all. */
bool asynctask_pool_queue_layout(uint32_t workers, asynctask_queues_t *layout, char *error, size_t error_size);

#endif
