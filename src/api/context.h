/*
 * AsyncTask\TaskContext and AsyncTask\context(): what a running task knows
 * about itself (DESIGN section 4), from ASYNCTASK_G(task_context), which the
 * worker fills before it runs a task.
 */
#ifndef ASYNCTASK_CONTEXT_H
#define ASYNCTASK_CONTEXT_H

#include "php.h"

extern zend_class_entry *asynctask_ce_task_context;

void asynctask_context_minit(zend_class_entry *ce);

#endif
