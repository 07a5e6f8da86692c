/*
 * AsyncTask\Future.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <unistd.h>

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/api/future.h"
#include "src/transport/transport.h"
#include "src/codec/serializer.h"
#include "src/base/exceptions.h"
#include "src/codec/remote_error.h"
#include "src/base/memory_limit.h"
#include "src/base/clock.h"

/* The longest a waiter sleeps before it looks whether the pool still runs. */
#define LIVENESS_CHECK_MS 250
/* How often any() looks at futures that came by different transports. */
#define MIXED_LOOK_NS (5ull * 1000 * 1000)

zend_class_entry *asynctask_ce_future;
static zend_object_handlers future_handlers;

typedef struct {
	uint64_t     id;
	/* the transport that sent the task: its result comes back the same way
	 * (asynctask.backend may have changed since) */
	const asynctask_transport_t *transport;
	pid_t        owner;     /* the process whose pipe (or reply list) the result comes to */
	uint32_t     epoch;     /* ASYNCTASK_G(pool_epoch) of the pool it was dispatched to */
	zend_string *shown;     /* the transport's own id for the task (Redis), or NULL: the number */
	zend_string *result;    /* status byte + data once settled, else NULL */
	zval         value;     /* the decoded value, once decoded */
	zend_object  std;
} future_t;

static future_t *future_from_obj(zend_object *obj)
{
	return (future_t *) ((char *) obj - XtOffsetOf(future_t, std));
}

static zend_object *future_create_object(zend_class_entry *ce)
{
	future_t *future = zend_object_alloc(sizeof(future_t), ce);

	future->id = 0;
	future->transport = ASYNCTASK_G(transport);
	future->shown = NULL;
	future->owner = asynctask_self();
	future->epoch = ASYNCTASK_G(pool_epoch);
	future->result = NULL;
	ZVAL_UNDEF(&future->value);
	zend_object_std_init(&future->std, ce);
	future->std.handlers = &future_handlers;
	return &future->std;
}

static void future_free(zend_object *obj)
{
	future_t *future = future_from_obj(obj);

	if (!future->result && future->id && future->owner == asynctask_self()) {
		/* nobody will ask for this result: drop it when (or if) it arrives */
		future->transport->forget(future->id);
	}
	if (future->result) {
		zend_string_release(future->result);
	}
	if (future->shown) {
		zend_string_release(future->shown);
	}
	zval_ptr_dtor(&future->value);
	zend_object_std_dtor(obj);
}

static HashTable *future_get_gc(zend_object *obj, zval **table, int *n)
{
	future_t *future = future_from_obj(obj);
	*table = &future->value;
	*n = Z_ISUNDEF(future->value) ? 0 : 1;
	return NULL;
}

void asynctask_future_minit(zend_class_entry *ce)
{
	asynctask_ce_future = ce;
	ce->create_object = future_create_object;
	memcpy(&future_handlers, zend_get_std_object_handlers(), sizeof(future_handlers));
	future_handlers.offset = XtOffsetOf(future_t, std);
	future_handlers.free_obj = future_free;
	future_handlers.get_gc = future_get_gc;
	future_handlers.clone_obj = NULL;
}

void asynctask_future_create(zval *return_value, const asynctask_transport_t *transport, uint64_t id)
{
	future_t *future;

	object_init_ex(return_value, asynctask_ce_future);
	future = future_from_obj(Z_OBJ_P(return_value));
	future->id = id;
	future->transport = transport;
	if (transport->show_id) {
		/* now: the transport knows the task while it waits */
		char text[ASYNCTASK_TASK_ID_SHOWN];
		transport->show_id(id, text);
		future->shown = zend_string_init(text, strlen(text), 0);
	}
	transport->expect(id);
}

/* The id as id() shows it and messages name it: the transport's, or the
 * number (written into `buf` when asked: dispatch() of a local task pays nothing for it). */
static const char *shown_in(future_t *future, char buf[ASYNCTASK_TASK_ID_SHOWN])
{
	if (future->shown) {
		return ZSTR_VAL(future->shown);
	}
	snprintf(buf, ASYNCTASK_TASK_ID_SHOWN, "%" PRIu64, future->id);
	return buf;
}
#define shown(future) shown_in((future), (char[ASYNCTASK_TASK_ID_SHOWN]) {0})

static void settle(future_t *future, asynctask_result_status_t status, const char *message)
{
	smart_str encoded = {0};
	size_t decoded = 0;

	smart_str_appendc(&encoded, (char) status);
	smart_str_appendl(&encoded, (const char *) &decoded, sizeof(decoded));
	if (message) {
		asynctask_remote_error_encode_message(message, &encoded);
	}
	smart_str_0(&encoded);
	future->result = encoded.s;
	future->transport->settled(future->id);
}

/* The future's pool is gone (a local transport's only): its result will not come. */
static bool future_orphaned(future_t *future)
{
	return !future->transport->remote && (!ASYNCTASK_G(pool) || future->epoch != ASYNCTASK_G(pool_epoch)
		|| !future->transport->alive());
}

/* Never blocks (beyond one round trip to a remote backend). True once the
 * future has its outcome; false also when the backend could not be reached
 * (the exception is pending). */
static bool future_poll(future_t *future)
{
	const asynctask_transport_t *transport = future->transport;

	if (future->result) {
		return true;
	}
	if (future->owner != asynctask_self()) {
		return false;
	}
	transport->collect();
	future->result = transport->result(future->id, &future->value);
	if (future->result || UNEXPECTED(EG(exception))) {
		return future->result != NULL;
	}
	if (future_orphaned(future)) {
		/* a last look: the pool may have posted it just before it went */
		transport->collect();
		future->result = transport->result(future->id, &future->value);
		if (!future->result) {
			char message[160];
			snprintf(message, sizeof(message), "the pool stopped before task %s reported a result",
				shown(future));
			settle(future, ASYNCTASK_RESULT_CRASHED, message);
		}
	}
	return future->result != NULL;
}

static zend_result check_owner(future_t *future)
{
	if (future->owner != asynctask_self()) {
		asynctask_throw(asynctask_ce_exception, "the result of task %s goes to process %d, which "
			"dispatched it; a forked process cannot wait for it", shown(future), (int) future->owner);
		return FAILURE;
	}
	return SUCCESS;
}

/* Sleeps on `transport` until a result may have arrived, the deadline (0:
 * none) passes, or it is time to check the pool (a remote backend: to let
 * signal handlers run). */
static void sleep_for_results(const asynctask_transport_t *transport, uint64_t deadline)
{
	int timeout = LIVENESS_CHECK_MS;

	if (deadline) {
		uint64_t now = asynctask_now_ns();
		if (now >= deadline) {
			return;
		}
		uint64_t left_ms = (deadline - now + 999999) / 1000000;
		if (left_ms < (uint64_t) timeout) {
			timeout = (int) left_ms;
		}
	}
	(void) transport->sleep(timeout);
}

static uint64_t deadline_after(double timeout)
{
	if (timeout < 0) {
		return 0;
	}
	return asynctask_now_ns() + (uint64_t) (timeout * 1e9) + 1;
}

static bool past(uint64_t deadline)
{
	return deadline && asynctask_now_ns() >= deadline;
}

zend_result asynctask_handle_interrupts(void)
{
	if (EXPECTED(!zend_atomic_bool_load_ex(&EG(vm_interrupt)))) {
		return SUCCESS;
	}
#ifdef ZEND_HAS_OOM
	if (ZEND_HAS_OOM()) {
		return SUCCESS;  /* this engine's delayed out-of-memory error: the VM's to raise */
	}
#endif
	/* what the VM does between opcodes (zend_interrupt_helper) */
	zend_atomic_bool_store_ex(&EG(vm_interrupt), false);
	if (zend_atomic_bool_load_ex(&EG(timed_out))) {
		zend_timeout();
	} else if (zend_interrupt_function) {
		zend_interrupt_function(EG(current_execute_data));
	}
	return EG(exception) ? FAILURE : SUCCESS;
}

/* Waits until settled. Returns false when the deadline passed first, or
 * when a signal handler that ran meanwhile threw (EG(exception) is set). */
static bool future_await(future_t *future, uint64_t deadline)
{
	/* a remote backend: a look is a round trip, and a sleep returns at once
	 * when a result is there already; so unless this one is booked (an
	 * earlier look brought it), it sleeps first: one round trip where a look
	 * that finds nothing and a sleep were two */
	if (future->transport->remote && !future->result && future->owner == asynctask_self()) {
		future->result = future->transport->result(future->id, &future->value);
		if (!future->result && (!deadline || asynctask_now_ns() + 1000000 < deadline)) {
			sleep_for_results(future->transport, deadline);
			if (UNEXPECTED(EG(exception))) {
				return false;  /* the backend could not be reached */
			}
		}
	}
	/* a short task's result often comes within microseconds: look for it
	 * spinning, while that pays (lock.h), before sleeping */
	while (!future_poll(future) && !EG(exception) && !past(deadline) && future->transport->spin()) {
	}
	while (!future_poll(future)) {
		if (EG(exception) || past(deadline) || asynctask_handle_interrupts() == FAILURE) {
			return false;
		}
		sleep_for_results(future->transport, deadline);
		if (UNEXPECTED(EG(exception))) {
			return false;  /* the backend could not be reached */
		}
	}
	return true;
}

static void throw_remote(zend_class_entry *ce, const char *data, size_t len)
{
	asynctask_remote_error_t error;
	if (!asynctask_remote_error_decode(data, len, &error)) {
		asynctask_throw(asynctask_ce_task_failed_exception, "the task failed and its error report is corrupt");
		return;
	}
	if (instanceof_function(ce, asynctask_ce_task_failed_exception)) {
		asynctask_throw_remote(ce, &error);
	} else {
		zend_throw_exception(ce, error.message ? ZSTR_VAL(error.message) : "", error.code);
	}
	asynctask_remote_error_dtor(&error);
}

/* The worker sent a value this process cannot take after all: the task
 * failed. Settled so, once, and counted so (the worker counted it completed). */
static void settle_refused(future_t *future, asynctask_result_status_t status, const char *message)
{
	zend_string_release(future->result);
	settle(future, status, message);
	if (future->transport->remote || (ASYNCTASK_G(pool) && future->epoch == ASYNCTASK_G(pool_epoch))) {
		future->transport->recount(status);
	}
}

/* PHP's serializer writes values it cannot read back (an array that
 * contains itself, under a typed property, comes back as null). */
static void settle_undecodable(future_t *future)
{
	zend_string *message = asynctask_exception_take_message();
	zend_string *text = zend_strpprintf(0, "the task's return value cannot be decoded in the caller: %s",
		ZSTR_VAL(message));

	zend_string_release(message);
	settle_refused(future, ASYNCTASK_RESULT_UNENCODABLE, ZSTR_VAL(text));
	zend_string_release(text);
}

/* The settled outcome: the value into return_value, or the exception thrown. */
static void future_value(future_t *future, zval *return_value)
{
	zend_string *result = future->result;
	const char *data = ASYNCTASK_RESULT_DATA(result);
	size_t len = ASYNCTASK_RESULT_LEN(result);

	switch (ASYNCTASK_RESULT_STATUS(result)) {
		case ASYNCTASK_RESULT_VALUE:
			if (Z_ISUNDEF(future->value)) {
				/* checked as it arrived (result_spilled.c), but memory may have gone since */
				size_t decoded = asynctask_result_decoded_size(result);
				char why[256];
				if (decoded && !asynctask_memory_allows(decoded, len, decoded, why, sizeof(why))) {
					settle_refused(future, ASYNCTASK_RESULT_FAILED, why);
					future_value(future, return_value);
					return;
				}
				if (asynctask_unserialize(data, len, &future->value) == FAILURE) {
					settle_undecodable(future);
					future_value(future, return_value);
					return;
				}
				/* the value is kept decoded: the encoded copy can go */
				future->result = zend_string_truncate(result, ASYNCTASK_RESULT_HEADER, 0);
			}
			RETURN_COPY(&future->value);
		case ASYNCTASK_RESULT_THREW:
		case ASYNCTASK_RESULT_FAILED:
			throw_remote(asynctask_ce_task_failed_exception, data, len);
			return;
		case ASYNCTASK_RESULT_UNENCODABLE:
			throw_remote(asynctask_ce_serialization_exception, data, len);
			return;
		case ASYNCTASK_RESULT_CRASHED:
			throw_remote(asynctask_ce_worker_crashed_exception, data, len);
			return;
		case ASYNCTASK_RESULT_TIMED_OUT:
			throw_remote(asynctask_ce_task_timeout_exception, data, len);
			return;
		case ASYNCTASK_RESULT_CANCELLED:
			asynctask_throw(asynctask_ce_exception, "task %s was cancelled before it ran", shown(future));
			return;
		case ASYNCTASK_RESULT_RETRIED:  /* never sent */
			break;
	}
	asynctask_throw(asynctask_ce_task_failed_exception, "task %s sent an unknown result", shown(future));
}

static zend_result parse_timeout(uint32_t arg, double timeout, bool is_null, double *out)
{
	if (is_null) {
		*out = -1;
		return SUCCESS;
	}
	if (!(timeout >= 0)) {
		zend_argument_value_error(arg, "must be null (no limit) or a number of seconds >= 0");
		return FAILURE;
	}
	*out = timeout;
	return SUCCESS;
}

ZEND_METHOD(AsyncTask_Future, __construct)
{
	(void) return_value;
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(AsyncTask_Future, id)
{
	future_t *future = future_from_obj(Z_OBJ_P(ZEND_THIS));

	ZEND_PARSE_PARAMETERS_NONE();
	if (future->shown) {
		RETURN_STR_COPY(future->shown);
	}
	RETURN_STR(zend_strpprintf(0, "%" PRIu64, future->id));
}

ZEND_METHOD(AsyncTask_Future, isDone)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_BOOL(future_poll(future_from_obj(Z_OBJ_P(ZEND_THIS))));
}

ZEND_METHOD(AsyncTask_Future, wait)
{
	future_t *future = future_from_obj(Z_OBJ_P(ZEND_THIS));
	double timeout = 0;
	bool is_null = true;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(timeout, is_null)
	ZEND_PARSE_PARAMETERS_END();

	if (parse_timeout(1, timeout, is_null, &timeout) == FAILURE || check_owner(future) == FAILURE) {
		RETURN_THROWS();
	}
	if (!future_await(future, deadline_after(timeout))) {
		if (EG(exception)) {
			RETURN_THROWS();  /* a signal handler's: the future stays valid */
		}
		asynctask_throw(asynctask_ce_timeout_exception, "task %s did not finish within %.3g s; "
			"it goes on running: wait again for its result", shown(future), timeout);
		RETURN_THROWS();
	}
	future_value(future, return_value);
}

ZEND_METHOD(AsyncTask_Future, cancel)
{
	future_t *future = future_from_obj(Z_OBJ_P(ZEND_THIS));

	ZEND_PARSE_PARAMETERS_NONE();

	if (future->result || (!future->transport->remote && !ASYNCTASK_G(pool)) || check_owner(future) == FAILURE) {
		RETURN_FALSE;
	}
	if (!future->transport->cancel(future->id)) {
		if (EG(exception)) {
			RETURN_THROWS();  /* the backend could not be reached */
		}
		RETURN_FALSE;
	}
	settle(future, ASYNCTASK_RESULT_CANCELLED, NULL);
	RETURN_TRUE;
}

/* Checks that every element is a Future this process can wait for. */
static zend_result check_futures(HashTable *futures)
{
	zval *item;
	ZEND_HASH_FOREACH_VAL(futures, item) {
		if (Z_TYPE_P(item) != IS_OBJECT || Z_OBJCE_P(item) != asynctask_ce_future) {
			zend_argument_type_error(1, "must contain only AsyncTask\\Future objects, %s given",
				zend_zval_type_name(item));
			return FAILURE;
		}
		if (check_owner(future_from_obj(Z_OBJ_P(item))) == FAILURE) {
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

void asynctask_future_all(HashTable *futures, double timeout, zval *return_value)
{
	uint64_t deadline = deadline_after(timeout);
	uint32_t pending = 0;
	zval *item;
	zend_string *key;
	zend_ulong index;

	if (check_futures(futures) == FAILURE) {
		return;
	}
	ZEND_HASH_FOREACH_VAL(futures, item) {
		if (!future_await(future_from_obj(Z_OBJ_P(item)), deadline)) {
			if (EG(exception)) {
				return;  /* a signal handler's */
			}
			pending++;
		}
	} ZEND_HASH_FOREACH_END();
	if (pending) {
		asynctask_throw(asynctask_ce_timeout_exception, "%u of %u tasks did not finish within %.3g s; "
			"they go on running: wait again for their results", pending, zend_hash_num_elements(futures), timeout);
		return;
	}

	array_init_size(return_value, zend_hash_num_elements(futures));
	ZEND_HASH_FOREACH_KEY_VAL(futures, index, key, item) {
		zval value;
		ZVAL_UNDEF(&value);
		future_value(future_from_obj(Z_OBJ_P(item)), &value);
		if (EG(exception)) {
			zval_ptr_dtor(&value);
			zval_ptr_dtor(return_value);
			ZVAL_UNDEF(return_value);
			return;
		}
		if (key) {
			zend_hash_update(Z_ARRVAL_P(return_value), key, &value);
		} else {
			zend_hash_index_update(Z_ARRVAL_P(return_value), index, &value);
		}
	} ZEND_HASH_FOREACH_END();
}

/* The parameters of Future::all() and any(): the futures and the time limit (null: none, -1), checked. */
static zend_result parse_futures(zend_execute_data *execute_data, HashTable **futures, double *timeout)
{
	bool is_null = true;

	*timeout = 0;
	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_ARRAY_HT(*futures)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(*timeout, is_null)
	ZEND_PARSE_PARAMETERS_END_EX(return FAILURE);

	return parse_timeout(2, *timeout, is_null, timeout);
}

ZEND_METHOD(AsyncTask_Future, all)
{
	HashTable *futures;
	double timeout;

	if (parse_futures(execute_data, &futures, &timeout) == FAILURE) {
		RETURN_THROWS();
	}
	asynctask_future_all(futures, timeout, return_value);
}

ZEND_METHOD(AsyncTask_Future, any)
{
	HashTable *futures;
	double timeout;
	zval *item;
	zend_string *key;
	zend_ulong index;

	if (parse_futures(execute_data, &futures, &timeout) == FAILURE) {
		RETURN_THROWS();
	}
	if (zend_hash_num_elements(futures) == 0) {
		zend_argument_value_error(1, "must not be empty");
		RETURN_THROWS();
	}
	if (check_futures(futures) == FAILURE) {
		RETURN_THROWS();
	}
	uint64_t deadline = deadline_after(timeout);
	for (;;) {
		/* the transport to sleep on: the futures' own, or none when they
		 * came by several (each is then looked at every few milliseconds) */
		const asynctask_transport_t *transport = NULL;
		bool mixed = false;
		ZEND_HASH_FOREACH_KEY_VAL(futures, index, key, item) {
			future_t *future = future_from_obj(Z_OBJ_P(item));
			if (future_poll(future)) {
				if (key) {
					RETURN_STR_COPY(key);
				}
				RETURN_LONG((zend_long) index);
			}
			if (EG(exception)) {
				RETURN_THROWS();  /* the backend could not be reached */
			}
			mixed = mixed || (transport && transport != future->transport);
			transport = future->transport;
		} ZEND_HASH_FOREACH_END();
		if (past(deadline)) {
			asynctask_throw(asynctask_ce_timeout_exception, "none of %u tasks finished within %.3g s; "
				"they go on running: wait again for their results", zend_hash_num_elements(futures), timeout);
			RETURN_THROWS();
		}
		if (asynctask_handle_interrupts() == FAILURE) {
			RETURN_THROWS();
		}
		if (mixed) {
			uint64_t soon = asynctask_now_ns() + MIXED_LOOK_NS;
			/* a shared-memory transport sleeps on its bell; a remote one's sleep is a blocking pop */
			sleep_for_results(transport, deadline && deadline < soon ? deadline : soon);
		} else {
			sleep_for_results(transport, deadline);
		}
		if (EG(exception)) {
			RETURN_THROWS();
		}
	}
}
