/*
 * The payload codec.
 */
#include "php.h"
#include "zend_closures.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "ext/standard/php_incomplete_class.h"

#include "php_asynctask.h"
#include "src/codec/payload.h"
#include "src/codec/byteorder.h"
#include "src/codec/callable.h"
#include "src/codec/closure.h"
#include "src/codec/serializer.h"
#include "src/base/exceptions.h"

zend_class_entry *asynctask_ce_task;

/*
 * Two forms on the wire:
 *  - a closure with its arguments (the common case, made cheap):
 *      4 bytes   WIRE_CLOSURE: not how either serializer's output begins
 *      4 bytes   length of the code reference (uint32, little-endian on
 *                every host, byteorder.h: payloads cross machines in the
 *                Redis backend's entries)
 *      the closure's code reference (closure.h), the same bytes for each
 *      dispatch of it: the worker resolves it once;
 *      the values: [use variables, $this, scope, called scope, arguments],
 *      one serializer pass;
 *  - anything else: one serialized envelope array, keys below.
 */
#define WIRE_CLOSURE     "\xA7" "AT2"
#define WIRE_MAGIC_LEN   4
#define WIRE_HEADER_LEN  (WIRE_MAGIC_LEN + sizeof(uint32_t))
#define VALUE_ARGS       4  /* after the closure's binding (ASYNCTASK_BINDING_*) */

/* Envelope keys. */
#define KEY_CALLABLE "c"
#define KEY_ARGS     "a"
#define KEY_OBJECT   "o"

static zend_result check_args(HashTable *args)
{
	zval *arg;
	uint32_t n = 0;
	char what[32];

	ZEND_HASH_FOREACH_VAL(args, arg) {
		n++;
		if (!asynctask_value_needs_check(arg)) {
			continue;
		}
		snprintf(what, sizeof(what), "argument #%u", n);
		if (asynctask_value_check(arg, what) == FAILURE) {
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

/* A plain Task of a closure written in PHP goes in the closure form. */
static bool closure_form(zend_object *obj, asynctask_task_t *task)
{
	if (obj->ce != asynctask_ce_task || Z_TYPE(task->callable) != IS_OBJECT
			|| Z_OBJCE(task->callable) != zend_ce_closure) {
		return false;
	}
	const zend_function *fn = zend_get_closure_method_def(Z_OBJ(task->callable));
	return fn->type == ZEND_USER_FUNCTION && !(fn->common.fn_flags & ZEND_ACC_FAKE_CLOSURE);
}

static zend_result encode_closure_form(asynctask_task_t *task, smart_str *out)
{
	zend_string *code;
	zval values;
	zend_result result = FAILURE;

	array_init_size(&values, VALUE_ARGS + 1);
	if (asynctask_closure_encode_split(Z_OBJ(task->callable), &code, &values) == FAILURE
			|| check_args(Z_ARRVAL(task->args)) == FAILURE) {
		goto out;
	}
	Z_ADDREF(task->args);
	add_index_zval(&values, VALUE_ARGS, &task->args);

	char header[WIRE_HEADER_LEN];
	memcpy(header, WIRE_CLOSURE, WIRE_MAGIC_LEN);
	asynctask_le32_put(header + WIRE_MAGIC_LEN, (uint32_t) ZSTR_LEN(code));
	smart_str_alloc(out, WIRE_HEADER_LEN + ZSTR_LEN(code) + 64, 0);
	smart_str_appendl(out, header, WIRE_HEADER_LEN);
	smart_str_append(out, code);
	result = asynctask_serialize(&values, out, "the task");
	smart_str_0(out);
out:
	zval_ptr_dtor(&values);
	return result;
}

zend_result asynctask_payload_encode(zend_object *obj, smart_str *out)
{
	asynctask_task_t *task = asynctask_task_from_obj(obj);
	zval envelope, desc, object;
	zend_result result = FAILURE;

	if (closure_form(obj, task)) {
		return encode_closure_form(task, out);
	}

	array_init_size(&envelope, 3);
	if (!Z_ISUNDEF(task->callable)) {
		if (asynctask_callable_encode(&task->callable, &desc) == FAILURE) {
			goto out;
		}
		add_assoc_zval(&envelope, KEY_CALLABLE, &desc);
		if (check_args(Z_ARRVAL(task->args)) == FAILURE) {
			goto out;
		}
		Z_ADDREF(task->args);
		add_assoc_zval(&envelope, KEY_ARGS, &task->args);
	}
	if (obj->ce != asynctask_ce_task) {
		/* a subclass travels as itself: its properties are its arguments */
		ZVAL_OBJ_COPY(&object, obj);
		if (asynctask_value_check(&object, "the task object") == FAILURE) {
			zval_ptr_dtor(&object);
			goto out;
		}
		add_assoc_zval(&envelope, KEY_OBJECT, &object);
	}
	result = asynctask_serialize(&envelope, out, "the task");
	smart_str_0(out);
out:
	zval_ptr_dtor(&envelope);
	return result;
}

/* Moves a pending exception's message into *error. */
static zend_result fail_with_exception(zend_string **error, const char *prefix)
{
	zend_string *message = asynctask_exception_take_message();

	*error = zend_strpprintf(0, "%s: %s", prefix, ZSTR_VAL(message));
	zend_string_release(message);
	return FAILURE;
}

static zend_result decode_object(zval *object, zval *callable, zval *args, asynctask_job_t *job, zend_string **error)
{
	if (Z_TYPE_P(object) != IS_OBJECT) {
		return asynctask_fail(error, "the task payload is corrupt: the task object is missing");
	}
	zend_class_entry *ce = Z_OBJCE_P(object);
	if (ce == php_ce_incomplete_class || !instanceof_function(ce, asynctask_ce_task)) {
		return asynctask_fail(error, "the task's class is not known in the worker: declare it before the pool starts "
			"(the first dispatch in the CLI), or make it autoloadable (asynctask.bootstrap)");
	}
	asynctask_task_t *task = asynctask_task_from_obj(Z_OBJ_P(object));
	if (callable) {
		zval_ptr_dtor(&task->callable);
		ZVAL_COPY(&task->callable, callable);
		zval_ptr_dtor(&task->args);
		ZVAL_COPY(&task->args, args);
	}
	array_init_size(&job->callable, 2);
	Z_ADDREF_P(object);
	add_next_index_zval(&job->callable, object);
	add_next_index_string(&job->callable, "handle");
	array_init(&job->args);
	return SUCCESS;
}

static zend_result decode_closure_form(const char *buf, size_t len, asynctask_job_t *job, zend_string **error)
{
	uint32_t code_len = asynctask_le32_get(buf + WIRE_MAGIC_LEN);
	zval values, *args;
	zend_result result = FAILURE;

	if (code_len > len - WIRE_HEADER_LEN) {
		return asynctask_fail(error, "the task payload is corrupt: its code reference is cut short");
	}
	const char *code = buf + WIRE_HEADER_LEN;
	if (asynctask_unserialize(code + code_len, len - WIRE_HEADER_LEN - code_len, &values) == FAILURE) {
		return fail_with_exception(error, "the task payload cannot be decoded");
	}
	if (Z_TYPE(values) != IS_ARRAY || !(args = zend_hash_index_find(Z_ARRVAL(values), VALUE_ARGS))
			|| Z_TYPE_P(args) != IS_ARRAY) {
		asynctask_fail(error, "the task payload is corrupt: bad closure values");
		goto out;
	}
	if (asynctask_closure_decode_split(code, code_len, Z_ARRVAL(values), &job->callable, error) == SUCCESS) {
		ZVAL_COPY(&job->args, args);
		result = SUCCESS;
	} else if (EG(exception)) {
		zend_clear_exception();
	}
out:
	zval_ptr_dtor(&values);
	return result;
}

zend_result asynctask_payload_decode(const char *buf, size_t len, asynctask_job_t *job, zend_string **error)
{
	zval envelope;
	zend_result result = FAILURE;
	zval callable;

	ZVAL_UNDEF(&job->callable);
	ZVAL_UNDEF(&job->args);
	ZVAL_UNDEF(&callable);
	if (len >= WIRE_HEADER_LEN && memcmp(buf, WIRE_CLOSURE, WIRE_MAGIC_LEN) == 0) {
		return decode_closure_form(buf, len, job, error);
	}
	if (asynctask_unserialize(buf, len, &envelope) == FAILURE) {
		return fail_with_exception(error, "the task payload cannot be decoded");
	}
	if (Z_TYPE(envelope) != IS_ARRAY) {
		zval_ptr_dtor(&envelope);
		return asynctask_fail(error, "the task payload is corrupt: not an envelope");
	}
	HashTable *ht = Z_ARRVAL(envelope);
	zval *desc = zend_hash_str_find(ht, KEY_CALLABLE, sizeof(KEY_CALLABLE) - 1);
	zval *args = zend_hash_str_find(ht, KEY_ARGS, sizeof(KEY_ARGS) - 1);
	zval *object = zend_hash_str_find(ht, KEY_OBJECT, sizeof(KEY_OBJECT) - 1);

	if (desc) {
		if (Z_TYPE_P(desc) != IS_ARRAY || !args || Z_TYPE_P(args) != IS_ARRAY) {
			asynctask_fail(error, "the task payload is corrupt: bad callable or arguments");
			goto out;
		}
		if (asynctask_callable_decode(Z_ARRVAL_P(desc), &callable, error) == FAILURE) {
			if (EG(exception)) zend_clear_exception();
			goto out;
		}
	}
	if (object) {
		result = decode_object(object, desc ? &callable : NULL, args, job, error);
	} else if (desc) {
		ZVAL_COPY(&job->callable, &callable);
		ZVAL_COPY(&job->args, args);
		result = SUCCESS;
	} else {
		asynctask_fail(error, "the task payload is corrupt: nothing to run");
	}
out:
	zval_ptr_dtor(&callable);
	zval_ptr_dtor(&envelope);
	if (result == FAILURE) {
		asynctask_job_dtor(job);
	}
	return result;
}

void asynctask_job_dtor(asynctask_job_t *job)
{
	zval_ptr_dtor(&job->callable);
	zval_ptr_dtor(&job->args);
	ZVAL_UNDEF(&job->callable);
	ZVAL_UNDEF(&job->args);
}
