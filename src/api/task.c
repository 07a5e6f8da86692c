/*
 * AsyncTask\Task, dispatch() and map().
 */
#include <errno.h>
#include <inttypes.h>
#include <unistd.h>

#include "php.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/api/task.h"
#include "src/api/jobs.h"
#include "src/api/chain.h"
#include "src/base/fault.h"
#include "src/api/future.h"
#include "src/codec/payload.h"
#include "src/pool/pool.h"
#include "src/transport/transport.h"
#include "src/base/exceptions.h"
#include "src/api/redis/settings.h"

static zend_object_handlers task_handlers;

static zend_object *task_create(zend_class_entry *ce)
{
	asynctask_task_t *task = zend_object_alloc(sizeof(asynctask_task_t), ce);

	ZVAL_UNDEF(&task->callable);
	array_init(&task->args);
	task->timeout = -1;
	asynctask_jobs_init(&task->options);
	zend_object_std_init(&task->std, ce);
	object_properties_init(&task->std, ce);
	task->std.handlers = &task_handlers;
	return &task->std;
}

static void task_free(zend_object *obj)
{
	asynctask_task_t *task = asynctask_task_from_obj(obj);

	zval_ptr_dtor(&task->callable);
	zval_ptr_dtor(&task->args);
	asynctask_jobs_free(&task->options);
	zend_object_std_dtor(obj);
}

static zend_object *task_clone(zend_object *old)
{
	asynctask_task_t *from = asynctask_task_from_obj(old);
	zend_object *obj = task_create(old->ce);
	asynctask_task_t *to = asynctask_task_from_obj(obj);

	zend_objects_clone_members(obj, old);
	ZVAL_COPY(&to->callable, &from->callable);
	zval_ptr_dtor(&to->args);
	ZVAL_COPY(&to->args, &from->args);
	to->timeout = from->timeout;
	asynctask_jobs_copy(&to->options, &from->options);
	return obj;
}

static HashTable *task_get_gc(zend_object *obj, zval **table, int *n)
{
	asynctask_task_t *task = asynctask_task_from_obj(obj);
	zend_get_gc_buffer *buffer = zend_get_gc_buffer_create();

	zend_get_gc_buffer_add_zval(buffer, &task->callable);
	zend_get_gc_buffer_add_zval(buffer, &task->args);
	asynctask_jobs_gc(&task->options, buffer);
	zend_get_gc_buffer_use(buffer, table, n);
	return zend_std_get_properties(obj);
}

void asynctask_task_minit(zend_class_entry *ce)
{
	asynctask_ce_task = ce;
	ce->create_object = task_create;
	memcpy(&task_handlers, zend_get_std_object_handlers(), sizeof(task_handlers));
	task_handlers.offset = XtOffsetOf(asynctask_task_t, std);
	task_handlers.free_obj = task_free;
	task_handlers.clone_obj = task_clone;
	task_handlers.get_gc = task_get_gc;
}

/* Sets callable and args on a task (constructor, dispatch(), map()). */
static void task_set(asynctask_task_t *task, zval *callable, zval *args, uint32_t argc)
{
	zval_ptr_dtor(&task->callable);
	ZVAL_COPY(&task->callable, callable);
	zval_ptr_dtor(&task->args);
	array_init_size(&task->args, argc);
	for (uint32_t i = 0; i < argc; i++) {
		Z_TRY_ADDREF(args[i]);
		zend_hash_next_index_insert_new(Z_ARRVAL(task->args), &args[i]);
	}
}

/* The parameters of new Task() and dispatch(): a callable (checked) and its arguments. */
static zend_result parse_call(zend_execute_data *execute_data, zval **callable, zval **args, uint32_t *argc)
{
	*args = NULL;
	*argc = 0;
	ZEND_PARSE_PARAMETERS_START(1, -1)
		Z_PARAM_ZVAL(*callable)
		Z_PARAM_VARIADIC('*', *args, *argc)
	ZEND_PARSE_PARAMETERS_END_EX(return FAILURE);

	if (!zend_is_callable(*callable, 0, NULL)) {
		zend_argument_type_error(1, "must be a valid callback");
		return FAILURE;
	}
	return SUCCESS;
}

ZEND_METHOD(AsyncTask_Task, __construct)
{
	zval *callable, *args;
	uint32_t argc;

	if (parse_call(execute_data, &callable, &args, &argc) == FAILURE) {
		RETURN_THROWS();
	}
	task_set(asynctask_task_from_obj(Z_OBJ_P(ZEND_THIS)), callable, args, argc);
}

ZEND_METHOD(AsyncTask_Task, handle)
{
	asynctask_task_t *task = asynctask_task_from_obj(Z_OBJ_P(ZEND_THIS));
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	char *error = NULL;

	ZEND_PARSE_PARAMETERS_NONE();

	if (Z_ISUNDEF(task->callable)) {
		zend_throw_error(NULL, "%s has no callable: pass one to AsyncTask\\Task::__construct() or override handle()",
			ZSTR_VAL(Z_OBJCE_P(ZEND_THIS)->name));
		RETURN_THROWS();
	}
	if (zend_fcall_info_init(&task->callable, 0, &fci, &fcc, NULL, &error) != SUCCESS) {
		zend_throw_error(NULL, "The task's callable is not callable here: %s", error ? error : "unknown reason");
		if (error) efree(error);
		RETURN_THROWS();
	}
	if (error) efree(error);
	fci.retval = return_value;
	fci.named_params = NULL;
	zend_fcall_info_args(&fci, &task->args);
	zend_call_function(&fci, &fcc);
	zend_fcall_info_args_clear(&fci, 1);
}

ZEND_METHOD(AsyncTask_Task, dispatch)
{
	ZEND_PARSE_PARAMETERS_NONE();
	asynctask_task_dispatch(Z_OBJ_P(ZEND_THIS), return_value);
}

ZEND_METHOD(AsyncTask_Task, withTimeout)
{
	double seconds;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_DOUBLE(seconds)
	ZEND_PARSE_PARAMETERS_END();

	if (!(seconds >= 0) || seconds > 86400.0 * 365) {
		zend_argument_value_error(1, "must be between 0 (no limit) and one year in seconds");
		RETURN_THROWS();
	}
	asynctask_task_from_obj(Z_OBJ_P(ZEND_THIS))->timeout = seconds;
	RETURN_OBJ_COPY(Z_OBJ_P(ZEND_THIS));
}

/* A Task subclass must bring a callable or a handle() of its own. */
static bool task_runnable(zend_object *obj)
{
	asynctask_task_t *task = asynctask_task_from_obj(obj);
	if (!Z_ISUNDEF(task->callable)) {
		return true;
	}
	zend_function *handle = zend_hash_str_find_ptr(&obj->ce->function_table, "handle", sizeof("handle") - 1);
	return handle && handle->common.scope != asynctask_ce_task;
}

#define DRAIN_EVERY 16  /* a power of two */
static uint32_t dispatches;

/* While dispatch() waits for room: our results make room for more in the
 * mailbox (or pipe), and signal handlers run now, not after the wait. */
static bool wait_for_room(void)
{
	ASYNCTASK_G(transport)->collect();
	return asynctask_handle_interrupts() == SUCCESS;
}

static zend_always_inline zend_result send_task(const asynctask_transport_t *transport, smart_str *payload,
	uint32_t timeout_ms, const asynctask_task_options_t *options, uint64_t *task_id)
{
	if (EXPECTED(!options)) {
		return transport->send(ZSTR_VAL(payload->s), ZSTR_LEN(payload->s), timeout_ms, wait_for_room, task_id);
	}
	if (!transport->send_job) {  /* (jobs.c refuses first: never reached) */
		asynctask_throw(asynctask_ce_exception, "not supported yet: job options with the %s transport", transport->name);
		return FAILURE;
	}
	return transport->send_job(ZSTR_VAL(payload->s), ZSTR_LEN(payload->s), timeout_ms, options, wait_for_room, task_id);
}

void asynctask_task_dispatch(zend_object *obj, zval *return_value)
{
	asynctask_task_t *task = asynctask_task_from_obj(obj);
	smart_str payload = {0};

	if (!task_runnable(obj)) {
		zend_throw_error(NULL, "%s has no callable: pass one to AsyncTask\\Task::__construct() or override handle()",
			ZSTR_VAL(obj->ce->name));
		return;
	}
	const asynctask_task_options_t *options = NULL;
	if (UNEXPECTED(!asynctask_jobs_plain(&task->options))) {
		options = &task->options;
	}
	/* encode first: a task refused here never starts a pool */
	if (asynctask_payload_encode(obj, &payload) == FAILURE
			|| (options && !Z_ISUNDEF(options->chain) && asynctask_chain_prepend(&task->options, &payload) == FAILURE)) {
		smart_str_free(&payload);
		return;
	}
	if ((zend_long) ZSTR_LEN(payload.s) > ASYNCTASK_G(max_payload)) {
		asynctask_throw(asynctask_ce_serialization_exception, "the task encodes to %zu bytes, more than "
			"asynctask.max_payload (" ZEND_LONG_FMT " bytes)", ZSTR_LEN(payload.s), ASYNCTASK_G(max_payload));
		smart_str_free(&payload);
		return;
	}
	asynctask_task_dispatch_payload(&payload, asynctask_task_timeout_ms(task, ASYNCTASK_G(task_timeout)), options,
		return_value);
	smart_str_free(&payload);
}

void asynctask_task_dispatch_payload(smart_str *payload, uint32_t timeout_ms,
	const asynctask_task_options_t *options, zval *return_value)
{
	uint64_t task_id;
	const asynctask_transport_t *transport;

	/* a remote backend: sent there (or refused), never run on this
	 * machine's pool, which is not started for it */
	if (asynctask_backend_remote()) {
		transport = asynctask_backend_transport();
		if (transport && send_task(transport, payload, timeout_ms, options, &task_id) == SUCCESS) {
			asynctask_future_create(return_value, transport, task_id);
		}
		return;
	}
	if (!asynctask_pool_get()) {
		return;
	}
	/* results that arrived meanwhile make room in the mailbox (or pipe) for
	 * more; not on every dispatch (without a mailbox it is a read()): either
	 * holds hundreds of results, and a full queue drains them anyway */
	if ((++dispatches & (DRAIN_EVERY - 1)) == 0) {
		ASYNCTASK_G(transport)->collect();
	}

	transport = ASYNCTASK_G(transport);
	if (send_task(transport, payload, timeout_ms, options, &task_id) == SUCCESS) {
		asynctask_future_create(return_value, transport, task_id);  /* counted by the transport as it commits */
	}
}

void asynctask_task_new(zval *task, zval *callable, zval *args, uint32_t argc)
{
	object_init_ex(task, asynctask_ce_task);
	task_set(asynctask_task_from_obj(Z_OBJ_P(task)), callable, args, argc);
}

/* Dispatches callable(...args) as a fresh Task. */
static void dispatch_call(zval *callable, zval *args, uint32_t argc, zval *return_value)
{
	zval task;
	asynctask_task_new(&task, callable, args, argc);
	asynctask_task_dispatch(Z_OBJ(task), return_value);
	zval_ptr_dtor(&task);
}

ZEND_FUNCTION(AsyncTask_dispatch)
{
	zval *callable, *args;
	uint32_t argc;

	if (parse_call(execute_data, &callable, &args, &argc) == FAILURE) {
		RETURN_THROWS();
	}
	dispatch_call(callable, args, argc, return_value);
}

ZEND_FUNCTION(AsyncTask_map)
{
	zval *callable, *items;
	zval array, futures;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_ZVAL(callable)
		Z_PARAM_ITERABLE(items)
	ZEND_PARSE_PARAMETERS_END();

	if (!zend_is_callable(callable, 0, NULL)) {
		zend_argument_type_error(1, "must be a valid callback");
		RETURN_THROWS();
	}
	if (Z_TYPE_P(items) == IS_ARRAY) {
		ZVAL_COPY(&array, items);
	} else {
		zval fname, params[2];
		ZVAL_STRING(&fname, "iterator_to_array");
		ZVAL_COPY_VALUE(&params[0], items);
		ZVAL_TRUE(&params[1]);
		call_user_function(NULL, NULL, &fname, &array, 2, params);
		zval_ptr_dtor(&fname);
		if (EG(exception) || Z_TYPE(array) != IS_ARRAY) {
			zval_ptr_dtor(&array);
			RETURN_THROWS();
		}
	}

	array_init_size(&futures, zend_hash_num_elements(Z_ARRVAL(array)));
	zend_string *key;
	zend_ulong index;
	zval *item;
	ZEND_HASH_FOREACH_KEY_VAL(Z_ARRVAL(array), index, key, item) {
		zval future;
		ZVAL_UNDEF(&future);
		dispatch_call(callable, item, 1, &future);
		if (EG(exception)) {
			zval_ptr_dtor(&future);
			break;
		}
		if (key) {
			zend_hash_add_new(Z_ARRVAL(futures), key, &future);
		} else {
			zend_hash_index_add_new(Z_ARRVAL(futures), index, &future);
		}
	} ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(&array);

	if (!EG(exception)) {
		asynctask_future_all(Z_ARRVAL(futures), -1, return_value);
	}
	zval_ptr_dtor(&futures);
}
