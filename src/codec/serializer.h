/*
 * Values crossing a process boundary: the configured serializer
 * (asynctask.serializer = php | igbinary) and the checks that refuse,
 * with a precise reason, what cannot cross.
 */
#ifndef ASYNCTASK_SERIALIZER_H
#define ASYNCTASK_SERIALIZER_H

#include "php.h"
#include "zend_smart_str.h"

/* true for a valid asynctask.serializer value */
bool asynctask_serializer_name_valid(const char *name);

/* Appends the encoding of `value` to `out`: the compact encoding (compact.h)
 * when the value allows, else the configured serializer's. On failure throws
 * SerializationException naming `what` (e.g. "argument #1") and returns FAILURE. */
zend_result asynctask_serialize(zval *value, smart_str *out, const char *what);

/* Decodes `len` bytes into `out`. On failure throws SerializationException
 * and returns FAILURE (out is left UNDEF). */
zend_result asynctask_unserialize(const char *buf, size_t len, zval *out);

/* The same with PHP's own serializer whatever asynctask.serializer says:
 * for what the extension itself describes (plain strings, ints, arrays).
 * With objects false, an object decodes as __PHP_Incomplete_Class and no
 * class's code (__wakeup, __unserialize, __destruct) runs. */
zend_result asynctask_serialize_php(zval *value, smart_str *out, const char *what);
zend_result asynctask_unserialize_php(const char *buf, size_t len, zval *out, bool objects);

/* Refuses values that cannot be sent to another process: resources, closures,
 * generators and objects of classes marked not serializable, at any depth of
 * arrays and plain objects. `what` names the value in the message, e.g.
 * "argument #2" or "use variable $db". Throws SerializationException and
 * returns FAILURE on refusal. */
zend_result asynctask_value_check(zval *value, const char *what);

/* Whether asynctask_value_check() has anything to look at: null, bools,
 * numbers and strings can always be sent (callers skip building `what`). */
static zend_always_inline bool asynctask_value_needs_check(zval *value)
{
	ZVAL_DEREF(value);
	return Z_TYPE_P(value) >= IS_ARRAY;
}

/* The same checks for a task's return value, in the worker. */
zend_result asynctask_result_check(zval *value);

/* A bound of the memory another process needs to decode value: what the
 * value takes here, every array counted as the hash table the decoders
 * build, each object and reference once, each allocation rounded up as
 * the allocator does; `encoded` (its encoding) says how the decoder builds
 * arrays. An object counts as its properties (what an __unserialize()
 * builds cannot be known here). */
size_t asynctask_value_footprint(zval *value, const zend_string *encoded);

#endif
