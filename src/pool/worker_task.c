/*
 * Running one task (worker_internal.h): its retry plan and chain block read
 * off the front of its payload, its context (AsyncTask\context()), the
 * payload decoded, the call, and how the call ended: a value, an exception,
 * exit(), or a fatal error (the worker then reports it and leaves). The
 * outcome goes to worker_outcome.c, which this calls; nothing else of the
 * worker's.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "php.h"
#include "php_main.h"
#include "zend_exceptions.h"

#include "src/pool/worker_internal.h"
#include "src/pool/worker_server.h"
#include "src/pool/status/record.h"
#include "src/base/log.h"
#include "src/codec/context.h"
#include "src/codec/payload.h"
#include "src/codec/retry.h"
#include "src/codec/serializer.h"
#include "src/codec/remote_error.h"

#define FATAL_ERRORS (E_ERROR | E_CORE_ERROR | E_COMPILE_ERROR | E_USER_ERROR | E_RECOVERABLE_ERROR | E_PARSE)

static ZEND_NORETURN void die_fatally(void);

/* True while the payload is decoded: a fatal error then is the payload's fault. */
static bool decoding;

/* The task's outcome is reported: its value goes now. What a destructor
 * does here can no longer change that outcome, only the worker's fate: after
 * exit() the worker leaves (and is replaced), an exception is logged, a fatal
 * error ends in die_fatally(). Either way the next task finds no exception
 * pending (it used to fail, unable to decode its payload). */
static void release_value(zval *retval)
{
	uint64_t task_id = asynctask_wkr.slot->claim.task_id;

	zval_ptr_dtor(retval);
	if (EXPECTED(!EG(exception))) {
		return;
	}
	asynctask_worker_leave_if_forked(false);  /* the destructor forked */
	if (zend_is_unwind_exit(EG(exception))) {
		zend_clear_exception();
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "worker_exited",
			"a destructor called exit() after task %" PRIu64 " reported its outcome; "
			"its worker leaves and is replaced", task_id);
		asynctask_worker_release_claim();
		_exit(0);
	}
	zend_exception_error(EG(exception), E_WARNING);  /* logs "Uncaught ..." and clears it */
}

/* Runs the job and consumes it (its arguments are freed before the result
 * is encoded: a large task should not need its memory twice). */
static void run_job(asynctask_job_t *job)
{
	zval retval;
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	char *error = NULL;

	asynctask_status_task_started(asynctask_wkr.slot, &job->callable);
	if (zend_fcall_info_init(&job->callable, 0, &fci, &fcc, NULL, &error) != SUCCESS) {
		char message[512];
		snprintf(message, sizeof(message), "the task is not callable in the worker: %s", error ? error : "unknown reason");
		if (error) efree(error);
		asynctask_worker_post_message(ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	if (error) efree(error);
	zend_fcall_info_args(&fci, &job->args);
	fci.retval = &retval;
	ZVAL_UNDEF(&retval);
	asynctask_worker_clear_last_error();
	zend_call_function(&fci, &fcc);
	asynctask_worker_leave_if_forked(false);
	zend_fcall_info_args_clear(&fci, 1);
	asynctask_job_dtor(job);

	if (EG(exception)) {
		if (zend_is_unwind_exit(EG(exception)) && PG(last_error_message) && (PG(last_error_type) & FATAL_ERRORS)) {
			/* PHP unwinds a fatal error like exit(): report the error */
			zend_clear_exception();
			die_fatally();
		}
		if (zend_is_unwind_exit(EG(exception))) {
			char message[128];
			snprintf(message, sizeof(message), "the task called exit() (status %d); its worker was replaced",
				EG(exit_status));
			zend_clear_exception();
			asynctask_worker_post_message(ASYNCTASK_RESULT_CRASHED, message);
			asynctask_worker_release_claim();
			_exit(0);
		}
		asynctask_worker_post_exception(ASYNCTASK_RESULT_THREW);
	} else {
		asynctask_worker_post_return_value(&retval);
	}
	release_value(&retval);
}

/* A link after a chain's first: the previous link's value is its first argument. */
static zend_result prepend_previous(asynctask_job_t *job)
{
	zval previous, args, *arg;

	decoding = true;
	zend_result decoded = asynctask_unserialize(asynctask_wkr.chain.previous, asynctask_wkr.chain.previous_len, &previous);
	decoding = false;
	if (decoded == FAILURE) {
		if (EG(exception)) {
			zend_clear_exception();
		}
		return FAILURE;
	}
	array_init_size(&args, zend_hash_num_elements(Z_ARRVAL(job->args)) + 1);
	zend_hash_next_index_insert_new(Z_ARRVAL(args), &previous);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL(job->args), arg) {
		Z_TRY_ADDREF_P(arg);
		zend_hash_next_index_insert_new(Z_ARRVAL(args), arg);
	} ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(&job->args);
	ZVAL_COPY_VALUE(&job->args, &args);
	return SUCCESS;
}

/* Decodes and runs the payload (from byte `skip`: a context in front, see
 * codec/context.h); consumes it. */
static void run_payload(zend_string *payload, size_t skip)
{
	asynctask_job_t job;
	zend_string *error = NULL;
	decoding = true;
	zend_result decoded = asynctask_payload_decode(ZSTR_VAL(payload) + skip, ZSTR_LEN(payload) - skip, &job, &error);
	decoding = false;

	zend_string_release(payload);
	if (decoded == FAILURE) {
		asynctask_worker_post_message(ASYNCTASK_RESULT_FAILED, error ? ZSTR_VAL(error) : "the task could not be decoded");
		if (error) zend_string_release(error);
		return;
	}
	if (asynctask_wkr.chain_block && asynctask_wkr.chain.previous && prepend_previous(&job) == FAILURE) {
		asynctask_job_dtor(&job);
		asynctask_worker_post_message(ASYNCTASK_RESULT_FAILED, "the value of the chain's previous link could not be decoded");
		return;
	}
	run_job(&job);
}

/* A fatal error unwound the task: report PHP's message and leave, the
 * engine's state is not to be trusted after a bailout. */
static ZEND_NORETURN void die_fatally(void)
{
	asynctask_remote_error_t error = {0};

	asynctask_worker_leave_if_forked(true);
	if (__atomic_load_n(&asynctask_wkr.slot->claim.delivered, __ATOMIC_SEQ_CST)) {
		/* in a destructor of the task's value (see release_value()): the task
		 * keeps the outcome it reported, PHP logged the error */
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "worker_exited",
			"a fatal error after task %" PRIu64 " reported its outcome; its worker leaves and is replaced",
			asynctask_wkr.slot->claim.task_id);
		asynctask_worker_release_claim();
		_exit(0);
	}
	error.message = PG(last_error_message)
		? zend_string_copy(PG(last_error_message))
		: zend_string_init("the task ended with a fatal error", sizeof("the task ended with a fatal error") - 1, 0);
	if (decoding) {
		/* the payload, not the task, is at fault: a rejection (the worker is replaced all the same) */
		zend_string *message = zend_strpprintf(0, "the task payload cannot be decoded: %s", ZSTR_VAL(error.message));
		zend_string_release(error.message);
		error.message = message;
		asynctask_worker_post_error(ASYNCTASK_RESULT_FAILED, &error);
		asynctask_worker_release_claim();
		_exit(0);
	}
	if (PG(last_error_file)) {
		error.file = zend_string_copy(PG(last_error_file));
		error.line = PG(last_error_lineno);
	}
	asynctask_worker_post_error(ASYNCTASK_RESULT_CRASHED, &error);
	asynctask_worker_release_claim();
	/* reported above (and logged by PHP): the manager only has to replace us */
	_exit(0);
}

static void run_guarded(zend_string *data, size_t skip)
{
	zend_try {
		run_payload(data, skip);
	} zend_catch {
		die_fatally();
	} zend_end_try();
}

/* What AsyncTask\context() tells the task: a Redis task's context comes in
 * front of its payload (from the node's manager, codec/context.h); a local
 * task's is its claim's (its attempt too: retry.h). Reads from byte `from`
 * (after a retry plan); returns the context's length in the payload. */
static size_t enter_context(const zend_string *payload, size_t from)
{
	asynctask_task_context_t *ctx = &ASYNCTASK_G(task_context);
	size_t skip = asynctask_context_read(ZSTR_VAL(payload) + from, ZSTR_LEN(payload) - from, ctx);

	if (!skip) {
		ctx->remote = false;
		ctx->local_id = asynctask_wkr.slot->claim.task_id;
		ctx->attempt = asynctask_wkr.slot->claim.attempt ? asynctask_wkr.slot->claim.attempt : 1;
		ctx->queued_ns = asynctask_wkr.slot->claim.queued_ns;  /* dispatchedAt() derives the time from it */
		/* the queue this worker serves (asynctask.queues) */
		const char *queue = asynctask_region_slot_queue(asynctask_wkr.pool, asynctask_wkr.slot)->name;
		ctx->queue_len = (uint8_t) strlen(queue);
		memcpy(ctx->queue, queue, ctx->queue_len + 1);
	}
	ctx->active = true;
	return skip;
}

/* Releases a copy kept while the task runs, if there is one. */
static void forget(zend_string **kept)
{
	if (*kept) {
		zend_string_release(*kept);
		*kept = NULL;
	}
}

/* The task's retry plan and chain are over. */
static void forget_plans(void)
{
	forget(&asynctask_wkr.retry_plan);
	forget(&asynctask_wkr.chain_block);
}

/* Runs the task the transport gave us; consumes payload (NULL, with errno
 * set: the transport could not read it). */
void asynctask_worker_run_task(zend_string *payload)
{
	if (!payload) {
		char message[128];
		snprintf(message, sizeof(message), "the task's payload file could not be read: %s", strerror(errno));
		asynctask_worker_post_message(ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	size_t planned = 0;
	if (asynctask_wkr.slot->claim.retry) {
		/* a task with retries: its plan comes first (codec/retry.h) */
		asynctask_retry_plan_t plan;
		planned = asynctask_retry_plan_read(ZSTR_VAL(payload), ZSTR_LEN(payload), &plan);
		asynctask_wkr.retry_plan = planned ? zend_string_init(ZSTR_VAL(payload), planned, 0) : NULL;
	}
	if (asynctask_wkr.slot->claim.record_flags & ASYNCTASK_RECORD_CHAIN) {
		/* a link of a chain: its block comes next (codec/chain.h), read from a copy kept while it runs */
		size_t n = asynctask_chain_read(ZSTR_VAL(payload) + planned, ZSTR_LEN(payload) - planned, &asynctask_wkr.chain);
		if (n == 0) {
			zend_string_release(payload);
			asynctask_worker_post_message(ASYNCTASK_RESULT_FAILED, "the task's chain (Task::then()) cannot be read");
			forget_plans();
			return;
		}
		asynctask_wkr.chain_block = zend_string_init(ZSTR_VAL(payload) + planned, n, 0);
		asynctask_chain_read(ZSTR_VAL(asynctask_wkr.chain_block), ZSTR_LEN(asynctask_wkr.chain_block), &asynctask_wkr.chain);
		asynctask_wkr.slot->claim.link = asynctask_wkr.chain.link;
		asynctask_wkr.slot->claim.links = asynctask_wkr.chain.links;
		planned += n;
	}
	run_guarded(payload, planned + enter_context(payload, planned));
	ASYNCTASK_G(task_context).active = false;
	forget_plans();
}
