/*
 * asynctask.max_memory: a worker that holds more than this after a task is
 * replaced before it takes another (README.md, "Jobs").
 *
 * What is measured is zend_memory_usage(true): the memory the Zend allocator
 * holds from the system (its chunks and huge blocks), read after the worker
 * gave back what a large task freed (worker_loop.c). It is what tasks keep alive
 * (statics, globals, caches of loaded code), not RSS: RSS also counts pages
 * shared with the manager after fork and libc's own heap, and costs a read of
 * /proc per task. Without the Zend allocator (USE_ZEND_ALLOC=0) it reads 0
 * and no worker is ever replaced for its memory.
 */
#ifndef ASYNCTASK_RECYCLE_H
#define ASYNCTASK_RECYCLE_H

#include <stdbool.h>
#include <stdint.h>

/* After task task_id: true (and a line in the log saying why) when this
 * worker is over asynctask.max_memory and must leave before its next task. */
bool asynctask_recycle_over_memory(uint64_t task_id);

#endif
