/*
 * AsyncTask\Future: the handle on a dispatched task's result.
 */
#ifndef ASYNCTASK_FUTURE_H
#define ASYNCTASK_FUTURE_H

#include "php.h"

extern zend_class_entry *asynctask_ce_future;

void asynctask_future_minit(zend_class_entry *ce);

struct _asynctask_transport_t;

/* Makes return_value a new Future for task `id` this process dispatched
 * through `transport` (its result comes back the same way). */
void asynctask_future_create(zval *return_value, const struct _asynctask_transport_t *transport, uint64_t id);

/* Waits for every future in `futures` (keys kept) like Future::all(). */
void asynctask_future_all(HashTable *futures, double timeout, zval *return_value);

/* Lets PHP do now what it has pending at an interrupt, as the VM does
 * between opcodes: run the handlers of pcntl's async signals
 * (pcntl_async_signals(true): its C handler queues the signal and sets
 * EG(vm_interrupt); pcntl_signal_dispatch() is in zend_interrupt_function),
 * or raise max_execution_time's error. Whatever blocks in this extension
 * calls it when it wakes, so that a handler runs during the wait, not after
 * it. One load when nothing is pending. FAILURE when a handler threw (or
 * called exit()): the exception is pending. */
zend_result asynctask_handle_interrupts(void);

#endif
