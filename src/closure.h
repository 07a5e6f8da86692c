/*
 * Closures by code reference.
 *
 * Dispatcher: a closure is described by its declaring file, a fingerprint of
 * that file, the position of its op_array in the file's compiled tree (root:
 * main script, function or class method; then indexes into
 * dynamic_func_defs), its line range as a check, its `use` variables, bound
 * $this and scope.
 *
 * Worker: the file is compiled without executing it and without declaring
 * anything (cached per worker), the same op_array is found by position and
 * the closure is rebuilt around it.
 */
#ifndef ASYNCTASK_CLOSURE_H
#define ASYNCTASK_CLOSURE_H

#include "php.h"

/* Throws SerializationException and returns FAILURE when it cannot be sent. */
zend_result asynctask_closure_encode(zend_object *closure, zval *desc);

/* Returns FAILURE with *error set (no exception pending) when it cannot be rebuilt. */
zend_result asynctask_closure_decode(HashTable *desc, zval *closure, zend_string **error);

#endif
