/*
 * Task::onQueue(), delay(), withRetries(), withPriority(), then(): each
 * validates its argument (ValueError), stores it in the task's options
 * (src/codec/options.h) and returns the task. dispatch() asks
 * asynctask_jobs_refuse_unsupported() first: what this build does not do
 * yet is refused with AsyncTask\Exception, never silently ignored.
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

/* FAILURE, with AsyncTask\Exception thrown ("not supported yet: ..."), when
 * the options ask for what this build cannot do over the backend in use
 * (remote: asynctask.backend is set). */
zend_result asynctask_jobs_refuse_unsupported(const asynctask_task_options_t *options, bool remote);

#endif
