/*
 * The AsyncTask\… exception hierarchy, and the failure a task reports
 * from a worker rebuilt as an exception in the process that waits for it.
 */
#ifndef ASYNCTASK_EXCEPTIONS_H
#define ASYNCTASK_EXCEPTIONS_H

#include "php.h"

extern zend_class_entry *asynctask_ce_exception;
extern zend_class_entry *asynctask_ce_serialization_exception;
extern zend_class_entry *asynctask_ce_queue_full_exception;
extern zend_class_entry *asynctask_ce_timeout_exception;
extern zend_class_entry *asynctask_ce_task_failed_exception;
extern zend_class_entry *asynctask_ce_task_timeout_exception;
extern zend_class_entry *asynctask_ce_worker_crashed_exception;
extern zend_class_entry *asynctask_ce_backend_exception;

/* The longest remote `previous` chain that travels (links past it are dropped). */
#define ASYNCTASK_REMOTE_PREVIOUS_MAX 16

/* What a worker reports when its task did not return a value. */
typedef struct asynctask_remote_error {
	zend_string *remote_class;   /* e.g. "InvalidArgumentException" */
	zend_string *message;
	zend_long    code;
	zend_string *file;           /* may be NULL */
	zend_long    line;
	zend_string *trace;          /* may be NULL */
	uint32_t     attempts;       /* runs the task had (retries, README "Jobs"); 0: not said, one */
	uint32_t     nprevious;
	struct asynctask_remote_error *previous;  /* the exception's `previous` chain, outermost first (emalloc'd) */
} asynctask_remote_error_t;

/* Throws `ce` with a printf-style message. */
ZEND_ATTRIBUTE_FORMAT(printf, 2, 3)
void asynctask_throw(zend_class_entry *ce, const char *format, ...);

/* Sets *error to a printf-style message and returns FAILURE: how worker-side
 * decoding reports what went wrong without leaving an exception pending. */
ZEND_ATTRIBUTE_FORMAT(printf, 2, 3)
zend_result asynctask_fail(zend_string **error, const char *format, ...);

/* The pending exception's message (a copy: "unknown error" when it has
 * none), the exception cleared: for a failure reported otherwise than by
 * throwing. There must be a pending exception. */
zend_string *asynctask_exception_take_message(void);

/* Throws a TaskFailedException (or subclass `ce`) carrying the remote error. */
void asynctask_throw_remote(zend_class_entry *ce, const asynctask_remote_error_t *error);

/* Fills `error` from the exception object `ex` (raised in a worker), with
 * its `previous` chain (at most ASYNCTASK_REMOTE_PREVIOUS_MAX links). */
void asynctask_remote_error_from_exception(asynctask_remote_error_t *error, zend_object *ex);

void asynctask_remote_error_dtor(asynctask_remote_error_t *error);

#endif
