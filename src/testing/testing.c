/*
 * The AsyncTask\Testing functions (test builds only, see testing.h).
 */
#include "src/testing/testing.h"

#ifdef ASYNCTASK_FAULT_INJECTION

#include "php.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/codec/payload.h"
#include "src/codec/remote_error.h"
#include "src/codec/serializer.h"
#include "zend_exceptions.h"
#include "src/api/task.h"

ZEND_FUNCTION(AsyncTask_Testing_encode)
{
	zval *callable, *args = NULL;
	uint32_t argc = 0;
	smart_str payload = {0};
	zval task;

	ZEND_PARSE_PARAMETERS_START(1, -1)
		Z_PARAM_ZVAL(callable)
		Z_PARAM_VARIADIC('*', args, argc)
	ZEND_PARSE_PARAMETERS_END();

	asynctask_task_new(&task, callable, args, argc);
	zend_result encoded = asynctask_payload_encode(Z_OBJ(task), &payload);
	zval_ptr_dtor(&task);
	if (encoded == FAILURE) {
		smart_str_free(&payload);
		RETURN_THROWS();
	}
	smart_str_0(&payload);
	RETURN_STR(payload.s ? payload.s : ZSTR_EMPTY_ALLOC());
}

ZEND_FUNCTION(AsyncTask_Testing_dispatchPayload)
{
	zend_string *bytes;
	smart_str payload = {0};

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(bytes)
	ZEND_PARSE_PARAMETERS_END();

	smart_str_append(&payload, bytes);
	smart_str_0(&payload);
	asynctask_task_dispatch_payload(&payload, 0, NULL, return_value);
	smart_str_free(&payload);
}

ZEND_FUNCTION(AsyncTask_Testing_encodeValue)
{
	zval *value;
	smart_str encoded = {0};

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ZVAL(value)
	ZEND_PARSE_PARAMETERS_END();

	if (asynctask_serialize(value, &encoded, "the value") == FAILURE) {
		smart_str_free(&encoded);
		RETURN_THROWS();
	}
	smart_str_0(&encoded);
	RETURN_STR(encoded.s ? encoded.s : ZSTR_EMPTY_ALLOC());
}

ZEND_FUNCTION(AsyncTask_Testing_decodeValue)
{
	zend_string *bytes;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(bytes)
	ZEND_PARSE_PARAMETERS_END();

	if (asynctask_unserialize(ZSTR_VAL(bytes), ZSTR_LEN(bytes), return_value) == FAILURE) {
		RETURN_THROWS();
	}
}

/* A string field of encodeError()'s array; NULL when absent or null. */
static zend_string *error_string(HashTable *fields, const char *name)
{
	zval *v = zend_hash_str_find(fields, name, strlen(name));
	return v && Z_TYPE_P(v) != IS_NULL ? zval_get_string(v) : NULL;
}

static zend_long error_long(HashTable *fields, const char *name)
{
	zval *v = zend_hash_str_find(fields, name, strlen(name));
	return v ? zval_get_long(v) : 0;
}

ZEND_FUNCTION(AsyncTask_Testing_encodeError)
{
	HashTable *fields;
	asynctask_remote_error_t error = {0};
	smart_str encoded = {0};

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ARRAY_HT(fields)
	ZEND_PARSE_PARAMETERS_END();

	error.remote_class = error_string(fields, "class");
	error.message = error_string(fields, "message");
	error.file = error_string(fields, "file");
	error.trace = error_string(fields, "trace");
	error.code = error_long(fields, "code");
	error.line = error_long(fields, "line");
	asynctask_remote_error_encode(&error, &encoded);
	asynctask_remote_error_dtor(&error);
	RETURN_STR(encoded.s ? encoded.s : ZSTR_EMPTY_ALLOC());
}

static void add_error_string(zval *array, const char *name, zend_string *s)
{
	if (s) {
		add_assoc_str(array, name, zend_string_copy(s));
	} else {
		add_assoc_null(array, name);
	}
}

ZEND_FUNCTION(AsyncTask_Testing_decodeError)
{
	zend_string *bytes;
	asynctask_remote_error_t error;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(bytes)
	ZEND_PARSE_PARAMETERS_END();

	if (!asynctask_remote_error_decode(ZSTR_VAL(bytes), ZSTR_LEN(bytes), &error)) {
		RETURN_NULL();
	}
	array_init(return_value);
	add_error_string(return_value, "class", error.remote_class);
	add_error_string(return_value, "message", error.message);
	add_error_string(return_value, "file", error.file);
	add_error_string(return_value, "trace", error.trace);
	add_assoc_long(return_value, "code", error.code);
	add_assoc_long(return_value, "line", error.line);
	asynctask_remote_error_dtor(&error);
}

ZEND_FUNCTION(AsyncTask_Testing_encodeException)
{
	zend_object *exception;
	asynctask_remote_error_t error;
	smart_str encoded = {0};

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJ_OF_CLASS(exception, zend_ce_throwable)
	ZEND_PARSE_PARAMETERS_END();

	asynctask_remote_error_from_exception(&error, exception);
	asynctask_remote_error_encode(&error, &encoded);
	asynctask_remote_error_dtor(&error);
	smart_str_0(&encoded);
	RETURN_STR(encoded.s ? encoded.s : ZSTR_EMPTY_ALLOC());
}

#endif
