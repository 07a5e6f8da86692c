/*
 * Task::onQueue(), delay(), withRetries(), withPriority(), then(): each
 * validates its argument (ValueError), stores it in the task's options
 * (src/codec/options.h) and returns the task. Both backends carry every
 * option (the Redis one: src/transport/redis/dispatch.c, node_jobs.c).
 */
#ifndef ASYNCTASK_JOBS_H
#define ASYNCTASK_JOBS_H

#include "php.h"
#include "src/codec/options.h"

void asynctask_jobs_init(asynctask_task_options_t *options);
void asynctask_jobs_free(asynctask_task_options_t *options);
void asynctask_jobs_copy(asynctask_task_options_t *to, const asynctask_task_options_t *from);
void asynctask_jobs_gc(asynctask_task_options_t *options, zend_get_gc_buffer *buffer);

/* A plain task: nothing asked beyond running it once, now (dispatch()'s fast path). */
static inline bool asynctask_jobs_plain(const asynctask_task_options_t *options)
{
	return !options->queue && options->retries == 0 && Z_ISUNDEF(options->chain)
		&& options->priority == ASYNCTASK_PRIORITY_NORMAL && options->delay == 0;
}

#endif
