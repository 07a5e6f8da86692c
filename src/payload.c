/*
 * The payload codec.
 */
#include "php.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "ext/standard/php_incomplete_class.h"

#include "php_asynctask.h"
#include "payload.h"
#include "callable.h"
#include "serializer.h"
#include "exceptions.h"
#include "task.h"

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
		snprintf(what, sizeof(what), "argument #%u", ++n);
		if (asynctask_value_check(arg, what) == FAILURE) {
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

zend_result asynctask_payload_encode(zend_object *obj, smart_str *out)
{
	asynctask_task_t *task = asynctask_task_from_obj(obj);
	zval envelope, desc, object;
	zend_result result = FAILURE;

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
	zend_object *ex = EG(exception);
	zval rv;
	zval *message = zend_read_property(zend_get_exception_base(ex), ex, "message", sizeof("message") - 1, 1, &rv);
	*error = zend_strpprintf(0, "%s: %s", prefix, Z_TYPE_P(message) == IS_STRING ? Z_STRVAL_P(message) : "unknown error");
	zend_clear_exception();
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

zend_result asynctask_payload_decode(const char *buf, size_t len, asynctask_job_t *job, zend_string **error)
{
	zval envelope;
	zend_result result = FAILURE;
	zval callable;

	ZVAL_UNDEF(&job->callable);
	ZVAL_UNDEF(&job->args);
	ZVAL_UNDEF(&callable);
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
