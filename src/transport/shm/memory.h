/*
 * The memory of the pool's shared region (region.h lays it out). It has
 * no name and no file, so no other user (and no unrelated process of the
 * same user) can open it: stricter than a 0600 segment.
 *
 * - In the CLI it is an anonymous shared mapping made by the process that
 *   starts the pool and inherited by the manager and the workers it forks.
 * - A php-fpm pool's manager makes it a memfd, which it hands (by fd, over a
 *   unix socket) to the FPM children of its own user only (server.c).
 */
#ifndef ASYNCTASK_MEMORY_H
#define ASYNCTASK_MEMORY_H

#include <stddef.h>

/* Returns the zero-filled region, or NULL with errno set. With fd non-NULL
 * the region is a memfd whose (close-on-exec) fd goes to *fd, so that it
 * can be handed to another process; else an anonymous mapping. */
void *asynctask_memory_map(size_t size, int *fd);

/* Maps the region of a memfd received from its maker; NULL with errno set. */
void *asynctask_memory_attach(int fd, size_t size);

void asynctask_memory_unmap(void *addr, size_t size);

#endif
