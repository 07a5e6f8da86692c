/*
 * The Task methods of DESIGN.md section 5 (jobs.h).
 */
#include <math.h>

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/api/jobs.h"
#include "src/codec/payload.h"
#include "src/base/exceptions.h"
#include "src/base/queues.h"

#define QUEUE_NAME_MAX ASYNCTASK_QUEUE_NAME_MAX
#define SECONDS_MAX (86400.0 * 365)

void asynctask_jobs_init(asynctask_task_options_t *options)
{
	options->queue = NULL;
	options->delay = 0;
	options->retries = 0;
	ZVAL_UNDEF(&options->backoff);
	options->priority = ASYNCTASK_PRIORITY_NORMAL;
	ZVAL_UNDEF(&options->chain);
}

void asynctask_jobs_free(asynctask_task_options_t *options)
{
	if (options->queue) {
		zend_string_release(options->queue);
		options->queue = NULL;
	}
	zval_ptr_dtor(&options->backoff);
	ZVAL_UNDEF(&options->backoff);
	zval_ptr_dtor(&options->chain);
	ZVAL_UNDEF(&options->chain);
}

void asynctask_jobs_copy(asynctask_task_options_t *to, const asynctask_task_options_t *from)
{
	asynctask_jobs_free(to);
	*to = *from;
	if (to->queue) {
		zend_string_addref(to->queue);
	}
	Z_TRY_ADDREF(to->backoff);
	Z_TRY_ADDREF(to->chain);
}

void asynctask_jobs_gc(asynctask_task_options_t *options, zend_get_gc_buffer *buffer)
{
	zend_get_gc_buffer_add_zval(buffer, &options->backoff);
	zend_get_gc_buffer_add_zval(buffer, &options->chain);
}

static asynctask_task_options_t *this_options(zval *this_ptr)
{
	return &asynctask_task_from_obj(Z_OBJ_P(this_ptr))->options;
}

static bool valid_seconds(double seconds)
{
	return seconds >= 0 && seconds <= SECONDS_MAX;  /* false for NaN */
}

/* A queue's name goes into asynctask.queues ("name:workers,...") and into
 * Redis keys: letters, digits, '_', '-' and '.', 1 to 64 of them. */
static bool valid_queue_name(const zend_string *name)
{
	return asynctask_queue_name_valid(ZSTR_VAL(name), ZSTR_LEN(name));
}

ZEND_METHOD(AsyncTask_Task, onQueue)
{
	zend_string *queue;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(queue)
	ZEND_PARSE_PARAMETERS_END();

	if (!valid_queue_name(queue)) {
		zend_argument_value_error(1, "must be 1 to %d letters, digits, \"_\", \"-\" or \".\"", QUEUE_NAME_MAX);
		RETURN_THROWS();
	}
	asynctask_task_options_t *options = this_options(ZEND_THIS);
	if (options->queue) {
		zend_string_release(options->queue);
	}
	options->queue = zend_string_equals_literal(queue, "default") ? NULL : zend_string_copy(queue);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(AsyncTask_Task, delay)
{
	double seconds;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_DOUBLE(seconds)
	ZEND_PARSE_PARAMETERS_END();

	if (!valid_seconds(seconds)) {
		zend_argument_value_error(1, "must be between 0 (no delay) and one year in seconds");
		RETURN_THROWS();
	}
	this_options(ZEND_THIS)->delay = seconds;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(AsyncTask_Task, withRetries)
{
	zend_long times;
	double base = 1.0;
	HashTable *list = NULL;
	zval *backoff = NULL;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_LONG(times)
		Z_PARAM_OPTIONAL
		Z_PARAM_ZVAL(backoff)
	ZEND_PARSE_PARAMETERS_END();

	if (backoff) {
		if (Z_TYPE_P(backoff) == IS_ARRAY) {
			list = Z_ARRVAL_P(backoff);
		} else if (Z_TYPE_P(backoff) == IS_DOUBLE || Z_TYPE_P(backoff) == IS_LONG) {
			base = zval_get_double(backoff);
		} else {
			zend_argument_type_error(2, "must be of type array|float, %s given", zend_zval_type_name(backoff));
			RETURN_THROWS();
		}
	}

	if (times < 0 || times > 1000) {
		zend_argument_value_error(1, "must be between 0 (no retry) and 1000");
		RETURN_THROWS();
	}
	if (list) {
		if (zend_hash_num_elements(list) == 0 || !zend_array_is_list(list)) {
			zend_argument_value_error(2, "must be a non-empty list of seconds (the last one repeats)");
			RETURN_THROWS();
		}
		zval *item;
		ZEND_HASH_FOREACH_VAL(list, item) {
			ZVAL_DEREF(item);
			if ((Z_TYPE_P(item) != IS_LONG && Z_TYPE_P(item) != IS_DOUBLE) || !valid_seconds(zval_get_double(item))) {
				zend_argument_value_error(2, "must hold only numbers of seconds between 0 and one year");
				RETURN_THROWS();
			}
		} ZEND_HASH_FOREACH_END();
	} else if (!valid_seconds(base)) {
		zend_argument_value_error(2, "must be between 0 and one year in seconds");
		RETURN_THROWS();
	}

	asynctask_task_options_t *options = this_options(ZEND_THIS);
	zval_ptr_dtor(&options->backoff);
	if (list) {
		ZVAL_ARR(&options->backoff, zend_array_dup(list));
	} else {
		ZVAL_DOUBLE(&options->backoff, base);
	}
	options->retries = times;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(AsyncTask_Task, withPriority)
{
	zend_long priority;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_LONG(priority)
	ZEND_PARSE_PARAMETERS_END();

	if (priority < ASYNCTASK_PRIORITY_LOW || priority > ASYNCTASK_PRIORITY_HIGH) {
		zend_argument_value_error(1, "must be AsyncTask\\Task::LOW (-1), NORMAL (0) or HIGH (1)");
		RETURN_THROWS();
	}
	this_options(ZEND_THIS)->priority = (int32_t) priority;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

ZEND_METHOD(AsyncTask_Task, then)
{
	zval *next;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ZVAL(next)
	ZEND_PARSE_PARAMETERS_END();

	bool is_task = Z_TYPE_P(next) == IS_OBJECT && instanceof_function(Z_OBJCE_P(next), asynctask_ce_task);
	if (!is_task && !zend_is_callable(next, 0, NULL)) {
		zend_argument_type_error(1, "must be of type AsyncTask\\Task|callable, %s given", zend_zval_type_name(next));
		RETURN_THROWS();
	}
	if (is_task && Z_OBJ_P(next) == Z_OBJ_P(ZEND_THIS)) {
		zend_argument_value_error(1, "cannot be the task itself");
		RETURN_THROWS();
	}
	asynctask_task_options_t *options = this_options(ZEND_THIS);
	if (Z_ISUNDEF(options->chain)) {
		array_init(&options->chain);
	} else {
		SEPARATE_ARRAY(&options->chain);
	}
	Z_TRY_ADDREF_P(next);
	zend_hash_next_index_insert_new(Z_ARRVAL(options->chain), next);
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}
