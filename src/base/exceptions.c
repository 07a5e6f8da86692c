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

zend_string *asynctask_exception_take_message(void)
{
	zend_object *ex = EG(exception);
	zval rv;
	zval *message = zend_read_property(zend_get_exception_base(ex), ex, "message", sizeof("message") - 1, 1, &rv);
	zend_string *text = Z_TYPE_P(message) == IS_STRING ? zend_string_copy(Z_STR_P(message))
		: zend_string_init(ZEND_STRL("unknown error"), 0);

	zend_clear_exception();
	return text;
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

/* A TaskFailedException for a link of the remote `previous` chain (not thrown). */
static zend_object *previous_object(const asynctask_remote_error_t *error)
{
	zval obj;

	object_init_ex(&obj, asynctask_ce_task_failed_exception);
	zend_object *ex = Z_OBJ(obj);
	if (error->message) {
		zend_update_property_str(zend_ce_exception, ex, "message", sizeof("message") - 1, error->message);
	}
	zend_update_property_long(zend_ce_exception, ex, "code", sizeof("code") - 1, error->code);
	update_string(ex, zend_ce_exception, "file", error->file);
	if (error->file) {
		zend_update_property_long(zend_ce_exception, ex, "line", sizeof("line") - 1, error->line);
	}
	update_string(ex, asynctask_ce_task_failed_exception, "remoteClass", error->remote_class);
	update_string(ex, asynctask_ce_task_failed_exception, "remoteTrace", error->trace);
	return ex;
}

void asynctask_throw_remote(zend_class_entry *ce, const asynctask_remote_error_t *error)
{
	zend_string *message = error->message ? zend_string_copy(error->message) : ZSTR_EMPTY_ALLOC();

	if (error->attempts > 1) {
		zend_string *said = zend_strpprintf(0, "%s (after %u attempts)", ZSTR_VAL(message), error->attempts);
		zend_string_release(message);
		message = said;
	}
	zend_object *ex = zend_throw_exception(ce, ZSTR_VAL(message), error->code);
	zend_string_release(message);

	update_string(ex, zend_ce_exception, "file", error->file);
	if (error->file) {
		zend_update_property_long(zend_ce_exception, ex, "line", sizeof("line") - 1, error->line);
	}
	update_string(ex, asynctask_ce_task_failed_exception, "remoteClass", error->remote_class);
	update_string(ex, asynctask_ce_task_failed_exception, "remoteTrace", error->trace);
	zend_update_property_long(asynctask_ce_task_failed_exception, ex, "attempts", sizeof("attempts") - 1,
		error->attempts > 1 ? (zend_long) error->attempts : 1);
	/* each link appended at the end of the chain: outermost first */
	for (uint32_t i = 0; i < error->nprevious; i++) {
		zend_exception_set_previous(ex, previous_object(&error->previous[i]));
	}
}

static zend_string *read_string(zend_object *ex, const char *name)
{
	zval rv;
	zval *value = zend_read_property(zend_get_exception_base(ex), ex, name, strlen(name), 1, &rv);
	return Z_TYPE_P(value) == IS_STRING ? zend_string_copy(Z_STR_P(value)) : NULL;
}

/* One exception's own fields (not its chain). */
static void error_fields(asynctask_remote_error_t *error, zend_object *ex)
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

/* The exception ex's `previous`, or NULL. */
static zend_object *previous_of(zend_object *ex)
{
	zval rv;
	zval *previous = zend_read_property(zend_get_exception_base(ex), ex, "previous", sizeof("previous") - 1, 1, &rv);
	return Z_TYPE_P(previous) == IS_OBJECT && instanceof_function(Z_OBJCE_P(previous), zend_ce_throwable)
		? Z_OBJ_P(previous) : NULL;
}

void asynctask_remote_error_from_exception(asynctask_remote_error_t *error, zend_object *ex)
{
	uint32_t n = 0;

	error_fields(error, ex);
	error->attempts = 0;
	error->nprevious = 0;
	error->previous = NULL;
	for (zend_object *p = previous_of(ex); p && n < ASYNCTASK_REMOTE_PREVIOUS_MAX; p = previous_of(p)) {
		n++;
	}
	if (n == 0) {
		return;
	}
	error->previous = ecalloc(n, sizeof(*error->previous));
	zend_object *p = previous_of(ex);
	for (uint32_t i = 0; i < n; i++, p = previous_of(p)) {
		error_fields(&error->previous[i], p);
		if (EG(exception)) {  /* a getTraceAsString() that threw: keep what we have */
			zend_clear_exception();
		}
	}
	error->nprevious = n;
}

void asynctask_remote_error_dtor(asynctask_remote_error_t *error)
{
	if (error->remote_class) zend_string_release(error->remote_class);
	if (error->message) zend_string_release(error->message);
	if (error->file) zend_string_release(error->file);
	if (error->trace) zend_string_release(error->trace);
	for (uint32_t i = 0; i < error->nprevious; i++) {
		asynctask_remote_error_dtor(&error->previous[i]);
	}
	if (error->previous) efree(error->previous);
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

ZEND_METHOD(AsyncTask_TaskFailedException, getAttempts)
{
	zval rv;

	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_COPY_DEREF(zend_read_property(asynctask_ce_task_failed_exception, Z_OBJ_P(ZEND_THIS),
		"attempts", sizeof("attempts") - 1, 0, &rv));
}
