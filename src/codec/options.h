/*
 * What a task asks of the pool besides its code (DESIGN.md section 5): its
 * queue, a delay, retries, a priority, the tasks chained after it. Set by
 * Task::onQueue(), delay(), withRetries(), withPriority() and then()
 * (src/api/jobs.c), read at dispatch(); kept in the AsyncTask\Task object
 * (payload.h), so a Task subclass has them too.
 */
#ifndef ASYNCTASK_OPTIONS_H
#define ASYNCTASK_OPTIONS_H

#include <stdint.h>

#include "php.h"

/* Task::LOW, NORMAL, HIGH */
#define ASYNCTASK_PRIORITY_LOW    (-1)
#define ASYNCTASK_PRIORITY_NORMAL 0
#define ASYNCTASK_PRIORITY_HIGH   1
#define ASYNCTASK_PRIORITIES      3   /* levels; a level's index is priority - LOW */

typedef struct {
	zend_string *queue;     /* NULL: "default" */
	double       delay;     /* seconds; 0: none */
	zend_long    retries;   /* runs more after a failure; 0: none */
	zval         backoff;   /* UNDEF: 1.0; else a double, or a list of seconds */
	int32_t      priority;  /* ASYNCTASK_PRIORITY_* */
	zval         chain;     /* UNDEF, or the list of what then() was given, in order */
} asynctask_task_options_t;

#endif
