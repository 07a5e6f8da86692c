/*
 * The inside of the task queue (queue.h), shared by the files that make it
 * up; nothing outside src/transport/shm/queue*.c includes this. One concept
 * a file, each calling only those below it:
 *   queue_cancel.c  finding a queued record, cancelling it; spill file references
 *   queue.c         records into the ring and out of it; the levels' lists, the room
 *   queue_held.c    what the manager holds outside the ring: retries, cancellations asked of it
 *                   (queue_held.h, which queue.h includes)
 *   queue_ring.c    the lock and the journal that rolls back a holder that died
 */
#ifndef ASYNCTASK_QUEUE_INTERNAL_H
#define ASYNCTASK_QUEUE_INTERNAL_H

#include <stdint.h>

#include "src/transport/shm/queue_ring.h"

/* A record's header, in front of its payload in the ring. */
#define ASYNCTASK_RECORD_HEADER_SIZE sizeof(asynctask_record_t)

static inline asynctask_record_t *asynctask_record_at(unsigned char *ring, uint64_t offset)
{
	return (asynctask_record_t *) (ring + offset);
}

#endif
