/*
 * Fault injection (test builds) and the AsyncTask\Testing functions.
 */
#include "src/base/fault.h"

#ifdef ASYNCTASK_FAULT_INJECTION

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "php.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/codec/payload.h"
#include "src/codec/serializer.h"
#include "src/api/task.h"

/* The environment is read again in every process: a test sets the variable
 * in one forked producer (or before the pool forks its workers). */
static struct {
	pid_t pid;
	char  point[64];
	long  remaining;
} armed;

static void arm(void)
{
	const char *spec = getenv("ASYNCTASK_FAULT");
	const char *colon;

	armed.pid = getpid();
	armed.point[0] = '\0';
	armed.remaining = 1;
	if (!spec || !spec[0]) {
		return;
	}
	colon = strchr(spec, ':');
	size_t len = colon ? (size_t) (colon - spec) : strlen(spec);
	if (len >= sizeof(armed.point)) {
		return;
	}
	memcpy(armed.point, spec, len);
	armed.point[len] = '\0';
	if (colon) {
		armed.remaining = strtol(colon + 1, NULL, 10);
	}
}

void asynctask_fault_point(const char *point)
{
	if (armed.pid != getpid()) {
		arm();
	}
	if (armed.point[0] && strcmp(armed.point, point) == 0 && --armed.remaining == 0) {
		kill(getpid(), SIGKILL);
	}
}

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
	asynctask_task_dispatch_payload(&payload, 0, return_value);
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

#endif
