/*
 * The shared-memory transport: tasks travel through a queue in a region of
 * shared memory that every process of the pool maps (region.h), results
 * through each dispatcher's mailbox in it or its FIFO (result.h), and what
 * is too large for either through spill files in the pool's private
 * runtime directory (spill.h, rundir.h). Its primitives, from the bottom:
 * memory.c (map a region), lock.c (robust mutex, futex sleeps, spinning),
 * rundir.c, spill.c, mailbox.c, queue.c, region.c, result.c; shm.c on top
 * holds this process's view of the pool and implements the transport
 * interface (src/transport/transport.h). It may call its own files, the
 * interface's types, codec/ and base/: never the pool or the api.
 */
#ifndef ASYNCTASK_SHM_H
#define ASYNCTASK_SHM_H

#include <stdbool.h>

#include "src/transport/shm/queue.h"
#include "src/transport/transport.h"

typedef struct _asynctask_pool_t asynctask_pool_t;

/* The transport interface over shared memory (ASYNCTASK_G(transport)). */
extern const asynctask_transport_t asynctask_shm_transport;

/* Queues a task's bytes on pool's queue of that index (region.h) as record says (its task id, owner,
 * time limit, dispatch time; the length and flags are set here): in the
 * ring, or in a spill file when too large for it. Never throws (the node's
 * manager queues with it too): 0, or an errno: ETIMEDOUT (no room within
 * timeout seconds), ECANCELED (idle said to give up), E2BIG, or with
 * *spill_failed set the spill file's error. Queued, it wakes a sleeping worker unless one
 * already looks for work (idle.h). */
int asynctask_shm_queue(asynctask_pool_t *pool, uint32_t queue, asynctask_record_t *record, const char *payload,
	size_t length, double timeout, asynctask_queue_idle_fn idle, bool *spill_failed);

/* Lets go of this process's pool (its mapping, FIFO and mailbox) without
 * stopping it: a Future of it settles as failed. */
void asynctask_shm_forget(void);

/* Is the manager of this process's pool still alive? */
bool asynctask_shm_alive(void);

/* The same for the dispatch path: a yes is trusted for a millisecond. A task
 * dispatched in the moment between the manager's death and the next look
 * fails like those queued before it: its Future settles as "the pool stopped
 * before task N reported a result". */
bool asynctask_shm_alive_lately(void);

#endif
