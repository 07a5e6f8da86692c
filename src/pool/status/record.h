/*
 * What workers and the manager write for the status endpoint (status.h):
 * the worker that runs a task names it in its slot and counts its times when
 * its outcome is known; whoever reports a failure puts it in the pool's ring
 * of the last failures. Cheap on a task's way: a few stores into the
 * worker's own slot, no lock (src/transport/shm/watch.h).
 */
#ifndef ASYNCTASK_STATUS_RECORD_H
#define ASYNCTASK_STATUS_RECORD_H

#include "php.h"

#include "src/base/exceptions.h"
#include "src/transport/shm/region.h"

/* The worker starts the task slot->claim holds: callable's name goes into
 * the slot ("{closure}@file:line" for a closure). */
void asynctask_status_task_started(asynctask_worker_slot_t *slot, zval *callable);

/* The task slot->claim holds has its outcome: its run time (from its take
 * to now) and its queue wait go into the slot's histograms, once per task
 * (the manager calls it too for a worker that died before). */
void asynctask_status_task_ended(asynctask_worker_slot_t *slot, const asynctask_claim_t *claim);

/* The worker is between tasks: its heap's size goes into the slot. */
void asynctask_status_worker_idle(asynctask_worker_slot_t *slot);

/* A failure of task claim->task_id with status (a result status) goes into
 * the ring: error's class, message and place when there is one (a task that
 * threw), else message. callable: its name, or NULL to look for the slot
 * that ran it. Never its arguments nor its result. */
void asynctask_status_failure(asynctask_pool_t *pool, const asynctask_claim_t *claim, uint32_t status,
	const asynctask_remote_error_t *error, const char *message, const char *callable);

#endif
