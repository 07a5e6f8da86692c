/*
 * The payload codec: a task on its way to a worker.
 *
 * A task is encoded as one serialized envelope holding the description of
 * its callable (see callable.h), its arguments and, for a subclass of
 * AsyncTask\Task, the object itself. One serializer pass keeps references
 * shared between arguments intact.
 *
 * Byte order: the same bytes on every host. The closure form's header (its
 * magic and the code reference's length, payload.c) is little-endian
 * (byteorder.h); the rest is the serializer's (serializer.h): PHP's is text,
 * igbinary's is big-endian by design, the compact encoding little-endian.
 */
#ifndef ASYNCTASK_PAYLOAD_H
#define ASYNCTASK_PAYLOAD_H

#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/options.h"

/* The AsyncTask\Task object as the codec reads and writes it. The api
 * registers the class (task.c) and sets asynctask_ce_task; the codec owns
 * the layout, so that encoding a task needs nothing from above. */
extern zend_class_entry *asynctask_ce_task;  /* set by the api at MINIT */

typedef struct {
	zval        callable;   /* UNDEF for a subclass that did not pass one */
	zval        args;       /* array */
	double      timeout;    /* seconds; < 0: asynctask.task_timeout */
	asynctask_task_options_t options;  /* queue, delay, retries, priority, chain (options.h) */
	zend_object std;
} asynctask_task_t;

static inline asynctask_task_t *asynctask_task_from_obj(zend_object *obj)
{
	return (asynctask_task_t *) ((char *) obj - XtOffsetOf(asynctask_task_t, std));
}

/* The task's time limit in ms: withTimeout()'s, else default_s
 * (asynctask.task_timeout); 0: none. */
static inline uint32_t asynctask_task_timeout_ms(const asynctask_task_t *task, double default_s)
{
	double seconds = task->timeout >= 0 ? task->timeout : default_s;
	if (seconds <= 0) {
		return 0;
	}
	double ms = seconds * 1000.0;
	return ms < 1 ? 1 : (ms > UINT32_MAX ? UINT32_MAX : (uint32_t) ms);
}

/* What a worker runs: a callable and its positional arguments. */
typedef struct {
	zval callable;
	zval args;     /* array */
} asynctask_job_t;

/* Encodes the AsyncTask\Task object `task` into `out`. Throws
 * SerializationException saying what and why, and returns FAILURE, when it
 * cannot be sent. */
zend_result asynctask_payload_encode(zend_object *task, smart_str *out);

/* Worker: decodes a payload into a job. On failure returns FAILURE with
 * *error set and no exception pending. */
zend_result asynctask_payload_decode(const char *buf, size_t len, asynctask_job_t *job, zend_string **error);

void asynctask_job_dtor(asynctask_job_t *job);

#endif
