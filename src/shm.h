/*
 * The pool's shared-memory region: an anonymous shared mapping made by the
 * process that starts the pool and inherited by the manager and the workers
 * it forks. It has no name and no file, so no other user (and no unrelated
 * process of the same user) can open it: stricter than a 0600 segment.
 */
#ifndef ASYNCTASK_SHM_H
#define ASYNCTASK_SHM_H

#include <stddef.h>

/* Returns the zero-filled region, or NULL with errno set. */
void *asynctask_shm_map(size_t size);
void asynctask_shm_unmap(void *addr, size_t size);

#endif
