/*
 * AsyncTask\Future: the handle on a dispatched task's result.
 */
#ifndef ASYNCTASK_FUTURE_H
#define ASYNCTASK_FUTURE_H

#include "php.h"

extern zend_class_entry *asynctask_ce_future;

void asynctask_future_minit(zend_class_entry *ce);

/* Makes return_value a new Future for task `id` dispatched by this process. */
void asynctask_future_create(zval *return_value, uint64_t id);

/* Waits for every future in `futures` (keys kept) like Future::all(). */
void asynctask_future_all(HashTable *futures, double timeout, zval *return_value);

#endif
