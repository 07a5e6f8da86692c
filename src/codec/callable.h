/*
 * Sending a callable to a worker.
 *
 * A callable becomes a description: an array of plain values (strings, ints,
 * arrays, and the objects a closure binds) that the payload codec serializes
 * together with the arguments. Closures are sent by code reference (see
 * closure.h); named functions, methods and first-class callables by name.
 */
#ifndef ASYNCTASK_CALLABLE_H
#define ASYNCTASK_CALLABLE_H

#include "php.h"

/* Dispatcher side. Writes the description of `callable` into `desc` (an
 * array). When the callable cannot be sent, throws SerializationException
 * saying what and why, and returns FAILURE (desc is then left UNDEF). */
zend_result asynctask_callable_encode(zval *callable, zval *desc);

/* Worker side. Rebuilds the callable described by `desc` into `callable`.
 * On failure returns FAILURE with *error set to a message for the caller
 * (e.g. "closure at /app/x.php:12: the file changed since the task was
 * dispatched"); no exception is left pending. */
zend_result asynctask_callable_decode(HashTable *desc, zval *callable, zend_string **error);

/* Frees the caches kept by the codec (compiled files, resolved closures). */
void asynctask_callable_cache_init(void);
void asynctask_callable_cache_destroy(void);

/* Module shutdown: takes the zend_compile_file wrapper out again. */
void asynctask_callable_shutdown(void);

#endif
