/*
 * The AsyncTask\… exception hierarchy.
 */
#include "php.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "ext/spl/spl_exceptions.h"

#include "src/base/exceptions.h"

zend_class_entry *asynctask_ce_exception;
zend_class_entry *asynctask_ce_serialization_exception;
zend_class_entry *asynctask_ce_queue_full_exception;
zend_class_entry *asynctask_ce_timeout_exception;
zend_class_entry *asynctask_ce_task_failed_exception;
zend_class_entry *asynctask_ce_task_timeout_exception;
zend_class_entry *asynctask_ce_worker_crashed_exception;
zend_class_entry *asynctask_ce_backend_exception;

void asynctask_throw(zend_class_entry *ce, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	zend_string *message = zend_vstrpprintf(0, format, args);
	va_end(args);
	zend_throw_exception(ce, ZSTR_VAL(message), 0);
	zend_string_release(message);
}

zend_result asynctask_fail(zend_string **error, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	*error = zend_vstrpprintf(0, format, args);
	va_end(args);
	return FAILURE;
}

static void update_string(zend_object *obj, zend_class_entry *scope, const char *name, zend_string *value)
{
	if (value) {
		zend_update_property_str(scope, obj, name, strlen(name), value);
	}
}

void asynctask_throw_remote(zend_class_entry *ce, const asynctask_remote_error_t *error)
{
	zend_object *ex = zend_throw_exception(ce, error->message ? ZSTR_VAL(error->message) : "", error->code);

	update_string(ex, zend_ce_exception, "file", error->file);
	if (error->file) {
		zend_update_property_long(zend_ce_exception, ex, "line", sizeof("line") - 1, error->line);
	}
	update_string(ex, asynctask_ce_task_failed_exception, "remoteClass", error->remote_class);
	update_string(ex, asynctask_ce_task_failed_exception, "remoteTrace", error->trace);
}

static zend_string *read_string(zend_object *ex, const char *name)
{
	zval rv;
	zval *value = zend_read_property(zend_get_exception_base(ex), ex, name, strlen(name), 1, &rv);
	return Z_TYPE_P(value) == IS_STRING ? zend_string_copy(Z_STR_P(value)) : NULL;
}

void asynctask_remote_error_from_exception(asynctask_remote_error_t *error, zend_object *ex)
{
	zval rv, trace;

	error->remote_class = zend_string_copy(ex->ce->name);
	error->message = read_string(ex, "message");
	error->file = read_string(ex, "file");
	zval *code = zend_read_property(zend_get_exception_base(ex), ex, "code", sizeof("code") - 1, 1, &rv);
	error->code = Z_TYPE_P(code) == IS_LONG ? Z_LVAL_P(code) : 0;
	zval *line = zend_read_property(zend_get_exception_base(ex), ex, "line", sizeof("line") - 1, 1, &rv);
	error->line = Z_TYPE_P(line) == IS_LONG ? Z_LVAL_P(line) : 0;

	error->trace = NULL;
	zend_call_method_with_0_params(ex, ex->ce, NULL, "gettraceasstring", &trace);
	if (Z_TYPE(trace) == IS_STRING) {
		error->trace = Z_STR(trace);
	} else {
		zval_ptr_dtor(&trace);
	}
}

void asynctask_remote_error_dtor(asynctask_remote_error_t *error)
{
	if (error->remote_class) zend_string_release(error->remote_class);
	if (error->message) zend_string_release(error->message);
	if (error->file) zend_string_release(error->file);
	if (error->trace) zend_string_release(error->trace);
	memset(error, 0, sizeof(*error));
}

ZEND_METHOD(AsyncTask_TaskFailedException, getRemoteClass)
{
	zval rv;

	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_COPY_DEREF(zend_read_property(asynctask_ce_task_failed_exception, Z_OBJ_P(ZEND_THIS),
		"remoteClass", sizeof("remoteClass") - 1, 0, &rv));
}

ZEND_METHOD(AsyncTask_TaskFailedException, getRemoteTraceAsString)
{
	zval rv;

	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_COPY_DEREF(zend_read_property(asynctask_ce_task_failed_exception, Z_OBJ_P(ZEND_THIS),
		"remoteTrace", sizeof("remoteTrace") - 1, 0, &rv));
}
