/*
 * Closures by code reference.
 *
 * Dispatcher: a closure is described by its declaring file, a fingerprint of
 * that file, the position of its op_array in the file's compiled tree (root:
 * main script, function or class method; then indexes into
 * dynamic_func_defs), its line range as a check, its `use` variables, bound
 * $this (when its code can reach it) and scope.
 *
 * Worker: the file is compiled without executing it and without declaring
 * anything (cached per worker), the same op_array is found by position and
 * the closure is rebuilt around it.
 *
 * The description (kind "closure"):
 *   kind          "closure"
 *   file          declaring file (op_array filename)
 *   md5           md5 hex of the file's bytes, taken at the first dispatch
 *                 after this process compiled the file
 *   root          "main" | "function" | "method"
 *   function      root function name, or the method name (root "method")
 *   function_line the root function's first line (root "function")
 *   class         the method's class, class_line its first line (root "method")
 *   path          [int, ...] indexes into dynamic_func_defs from the root
 *   lines         [line_start, line_end] and num_args: checks in the worker
 *   vars          use variables, name => value (undefined ones left out)
 *   this          bound object, when the code can reach it (else left out, and
 *                 called_scope is its class)
 *   scope         bound scope class name, if any; called_scope likewise
 */
#ifndef ASYNCTASK_CLOSURE_H
#define ASYNCTASK_CLOSURE_H

#include "php.h"

/* Throws SerializationException and returns FAILURE when it cannot be sent. */
zend_result asynctask_closure_encode(zend_object *closure, zval *desc);

/* Returns FAILURE with *error set (no exception pending) when it cannot be rebuilt. */
zend_result asynctask_closure_decode(HashTable *desc, zval *closure, zend_string **error);

/*
 * The same description in two parts, the fast path of dispatch():
 *  - the code reference: the description without vars, this and scopes
 *    (kind, file, md5, root, ..., lines, num_args), serialized with PHP's
 *    serializer. It is the same bytes for every dispatch of a closure while
 *    its file is unchanged: the dispatcher makes it once per closure and
 *    fingerprint, the worker resolves it once and keeps the op_array found
 *    under those bytes (until that file's compile is replaced);
 *  - the binding, at these indexes of a values array the caller serializes
 *    (together with the arguments, in one pass: references and objects
 *    shared between them stay shared): use variables (name => value), the
 *    bound object (when the code can reach it) or null, the scope's and the
 *    called scope's class names or null.
 */
#define ASYNCTASK_BINDING_VARS         0
#define ASYNCTASK_BINDING_THIS         1
#define ASYNCTASK_BINDING_SCOPE        2
#define ASYNCTASK_BINDING_CALLED_SCOPE 3

/* *code is borrowed (valid until the next dispatch of the same closure).
 * Throws SerializationException and returns FAILURE when it cannot be sent. */
zend_result asynctask_closure_encode_split(zend_object *closure, zend_string **code, zval *values);

/* Returns FAILURE with *error set (no exception pending) when it cannot be rebuilt. */
zend_result asynctask_closure_decode_split(const char *code, size_t len, HashTable *values, zval *closure,
	zend_string **error);

/* Per-request state of the closure codec, called by
 * asynctask_callable_cache_init()/_destroy() (RINIT/RSHUTDOWN). The first
 * init also installs the zend_compile_file observer (at the first request,
 * so that it wraps opcache's hook and sees what opcache returns); it stays
 * until asynctask_closure_shutdown() (MSHUTDOWN, through
 * asynctask_callable_shutdown()). Init and destroy are idempotent, and
 * encode/decode call init themselves in a process that never ran RINIT
 * (e.g. a worker forked at server startup). */
void asynctask_closure_cache_init(void);
void asynctask_closure_cache_destroy(void);
void asynctask_closure_shutdown(void);

#endif
