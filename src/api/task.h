/*
 * AsyncTask\Task: a callable and its arguments (or a subclass with its own
 * handle()), and dispatch().
 */
#ifndef ASYNCTASK_TASK_H
#define ASYNCTASK_TASK_H

#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/payload.h"

void asynctask_task_minit(zend_class_entry *ce);

/* A new AsyncTask\Task for callable(...args) in *task. */
void asynctask_task_new(zval *task, zval *callable, zval *args, uint32_t argc);

/* Enqueues the task and makes return_value its Future. Throws on failure. */
void asynctask_task_dispatch(zend_object *task, zval *return_value);

/* Enqueues an encoded payload (with options, NULL for a plain task, which
 * the transport can send: jobs.c checked) and makes return_value its
 * Future. Throws on failure. */
void asynctask_task_dispatch_payload(smart_str *payload, uint32_t timeout_ms,
	const asynctask_task_options_t *options, zval *return_value);

#endif
