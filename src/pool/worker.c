/*
 * A task worker.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#ifdef HAVE_MALLOC_H
# include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "php.h"
#include "php_main.h"
#include "php_output.h"
#include "SAPI.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "ext/random/php_random.h"

#include "php_asynctask.h"
#include "src/pool/worker.h"
#include "src/pool/recycle.h"
#include "src/pool/worker_server.h"
#include "src/pool/retry.h"
#include "src/pool/chain.h"
#include "src/pool/status/record.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/transport/shm/region.h"
#include "src/transport/transport.h"
#include "src/transport/shm/result.h"
#include "src/codec/context.h"
#include "src/codec/payload.h"
#include "src/codec/serializer.h"
#include "src/base/exceptions.h"
#include "src/base/fault.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/spill.h"
#include "src/codec/remote_error.h"

typedef struct {
	asynctask_pool_t        *pool;
	asynctask_worker_slot_t *slot;
	pid_t                    pid;   /* this worker: a process a task forks is not it */
} worker_t;

static worker_t worker;

/* The retry plan of the task running (src/pool/retry.h), a copy of the
 * front of its payload; NULL for a task without retries. */
static zend_string *retry_plan;

/* A link of a chain (src/pool/chain.h): a copy of its block, and the block
 * read from that copy; chain_block NULL for a task that is no link. */
static zend_string *chain_block;
static asynctask_chain_t chain;

/* A process that a task forked (pcntl_fork()) comes back into this file
 * when the task's function returns in it, or exits, throws or dies of a
 * fatal error there. It is not the worker: the slot, its claim and its
 * counts are its parent's, and so is the task's outcome. It leaves here as
 * a script would end (exit()'s status; 255 for an uncaught exception, which
 * is logged, or a fatal error), but with _exit(): like a worker, it never
 * runs the script's shutdown functions or destructors. */
static void leave_if_forked(bool fatal)
{
	if (EXPECTED(asynctask_self() == worker.pid)) {
		return;
	}
	int status = fatal ? 255 : 0;
	if (EG(exception)) {
		if (zend_is_unwind_exit(EG(exception))) {
			status = EG(exit_status);
		} else {
			zend_exception_error(EG(exception), E_ERROR);
			status = 255;
		}
	}
	_exit(status);
}

/* The outcome could not be delivered though its caller is there: a result
 * too large for a message travels in a file, and asynctask.tmpdir is full,
 * say. The caller gets why instead, so that no Future waits forever, and the
 * task counts as failed. The count moves in an order the manager can follow
 * should we die meanwhile (asynctask_manager_settle_counts() in manager_claims.c): the
 * outcome is uncounted, then changed, then counted. */
static int post_undeliverable(asynctask_report_t *report, int err)
{
	asynctask_claim_t *claim = &worker.slot->claim;
	char message[PATH_MAX + 160];
	smart_str encoded = {0};

	snprintf(message, sizeof(message), "the task's result (%zu bytes) could not be stored for its caller in %s "
		"(asynctask.tmpdir): %s", report->length, asynctask_rundir_path(), strerror(err));
	asynctask_log_event(ASYNCTASK_LOG_ERROR, "result_not_stored", "task %" PRIu64 ": %s", report->task_id, message);
	__atomic_sub_fetch(asynctask_slot_counter(worker.slot, report->status), 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&claim->outcome, ASYNCTASK_RESULT_FAILED, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(asynctask_slot_counter(worker.slot, ASYNCTASK_RESULT_FAILED), 1, __ATOMIC_SEQ_CST);
	asynctask_remote_error_encode_message(message, &encoded);
	report->status = ASYNCTASK_RESULT_FAILED;
	report->data = ZSTR_VAL(encoded.s);
	report->length = ZSTR_LEN(encoded.s);
	report->decoded_size = 0;
	err = ASYNCTASK_G(transport)->post(report, -1, claim);
	smart_str_free(&encoded);
	return err;
}

/* Counts the task's outcome (before delivering it: a caller that has its
 * result finds it in stats()), then delivers it. The claim records both
 * steps for the manager, should we die in between (see queue.h). */
static void post(asynctask_result_status_t status, const char *data, size_t len, size_t decoded_size)
{
	asynctask_claim_t *claim = &worker.slot->claim;

	leave_if_forked(false);  /* forked in a destructor of the task's arguments, say */
	asynctask_status_task_ended(worker.slot, claim);  /* its times, before its count: a scrape sees both */
	__atomic_store_n(&claim->counted_before, asynctask_slot_counted(worker.slot), __ATOMIC_SEQ_CST);
	__atomic_store_n(&claim->outcome, status, __ATOMIC_SEQ_CST);
	/* the count: one store, which the manager can tell happened */
	__atomic_add_fetch(asynctask_slot_counter(worker.slot, status), 1, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("worker.counted");
	asynctask_report_t report = {
		.owner = claim->owner, .task_id = claim->task_id, .status = status, .data = data, .length = len,
		.decoded_size = decoded_size,
	};
	int err = ASYNCTASK_G(transport)->post(&report, -1, claim);
	if (err != 0 && err != ENXIO && err != ENOENT && err != ESRCH && err != EPIPE) {
		err = post_undeliverable(&report, err);
	}
	/* a result nobody can take any more is as final as a delivered one */
	__atomic_store_n(&claim->delivered, 1, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("worker.delivered");
	if (claim->retry && claim->retry_file[0]) {
		/* its last run: the task's file goes (the manager removes it should we die first) */
		asynctask_spill_remove(asynctask_rundir_fd(), claim->retry_file);
	}

	if (err != 0) {
		ASYNCTASK_COUNT(worker.pool, dropped_results);
		if (err != ENXIO && err != ENOENT && err != ESRCH) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "result_not_posted",
				"the result of task %" PRIu64 " could not be posted: %s", claim->task_id, strerror(err));
		}
	}
}

/* The failed run of a task with retries runs again when its plan says so
 * (retry.h): counted "retried" (as post() counts), then queued again in the
 * step that marks the claim delivered. true: it was; no outcome is posted. */
static bool retried(asynctask_result_status_t status)
{
	asynctask_claim_t *claim = &worker.slot->claim;
	asynctask_retry_plan_t plan;
	double backoff;

	if (!claim->retry || !retry_plan || !asynctask_retry_status(status)
			|| !asynctask_retry_plan_read(ZSTR_VAL(retry_plan), ZSTR_LEN(retry_plan), &plan)
			|| !asynctask_retry_left(claim, &plan)) {
		return false;
	}
	leave_if_forked(false);
	asynctask_status_task_ended(worker.slot, claim);
	__atomic_store_n(&claim->counted_before, asynctask_slot_counted(worker.slot), __ATOMIC_SEQ_CST);
	__atomic_store_n(&claim->outcome, ASYNCTASK_RESULT_RETRIED, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(asynctask_slot_counter(worker.slot, ASYNCTASK_RESULT_RETRIED), 1, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("worker.retry.counted");
	int err = asynctask_retry_requeue(worker.pool, claim, &plan, &backoff);
	ASYNCTASK_FAULT("worker.retry.queued");
	if (err != 0) {
		/* no room in the queue now, and a worker must not wait for room (the
		 * workers make it): the manager holds the next run instead, when it
		 * sees that this worker left with the attempt counted and not queued */
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "retry_left_to_manager",
			"task %" PRIu64 ": attempt %u failed; the queue has no room for its next run now: "
			"the worker leaves it to the manager and is replaced", claim->task_id, claim->attempt);
		_exit(0);
	}
	/* (an exception is the task's own outcome: not logged; a crash is, by the manager) */
	return true;
}

static void post_error(asynctask_result_status_t status, asynctask_remote_error_t *error)
{
	smart_str encoded = {0};

	asynctask_status_failure(worker.pool, &worker.slot->claim, status, error, NULL, NULL);
	if (retried(status)) {
		return;
	}
	if (worker.slot->claim.retry) {
		error->attempts = worker.slot->claim.attempt;  /* its last run: the exception says how many */
	}
	if (worker.slot->claim.links > 1) {
		/* a chain stops at its first failure, which says where */
		zend_string *message = zend_strpprintf(0, "%s (link %u of %u of the chain, Task::then())",
			error->message ? ZSTR_VAL(error->message) : "", worker.slot->claim.link, worker.slot->claim.links);
		if (error->message) {
			zend_string_release(error->message);
		}
		error->message = message;
	}
	asynctask_remote_error_encode(error, &encoded);
	post(status, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s), 0);
	smart_str_free(&encoded);
}

static void post_message(asynctask_result_status_t status, const char *message)
{
	asynctask_remote_error_t error = {0};

	error.message = zend_string_init(message, strlen(message), 0);
	post_error(status, &error);
	asynctask_remote_error_dtor(&error);
}

/* The task is over (its result posted): the manager no longer answers for it. */
static void release_claim(void)
{
	__atomic_store_n(&worker.slot->claim.task_id, 0, __ATOMIC_SEQ_CST);
}

/* Turns the pending exception into the task's failure. */
static void post_exception(asynctask_result_status_t status)
{
	asynctask_remote_error_t error = {0};
	zend_object *ex = EG(exception);

	GC_ADDREF(ex);
	zend_clear_exception();
	asynctask_remote_error_from_exception(&error, ex);
	OBJ_RELEASE(ex);
	if (EG(exception)) {
		zend_clear_exception();
	}
	post_error(status, &error);
	asynctask_remote_error_dtor(&error);
}

static zend_result check_result_size(smart_str *encoded)
{
	if ((zend_long) ZSTR_LEN(encoded->s) > ASYNCTASK_G(max_payload)) {
		asynctask_throw(asynctask_ce_serialization_exception, "the task's return value encodes to %zu bytes, "
			"more than asynctask.max_payload (" ZEND_LONG_FMT " bytes)", ZSTR_LEN(encoded->s), ASYNCTASK_G(max_payload));
		return FAILURE;
	}
	return SUCCESS;
}

/* A link of a chain returned a value that is not the chain's last: the
 * next link is queued with it (chain.h), in the step that marks the claim
 * delivered; nothing is posted or counted (a chain counts once, by its end).
 * When it cannot be queued, the chain fails here. */
static void hand_on(const char *value, size_t len)
{
	asynctask_claim_t *claim = &worker.slot->claim;
	char why[PATH_MAX + 200];

	leave_if_forked(false);
	asynctask_status_task_ended(worker.slot, claim);
	ASYNCTASK_FAULT("worker.chain.ended");
	int err = asynctask_chain_handoff(worker.pool, claim, &chain, value, len, why, sizeof(why));
	if (err == EAGAIN) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "chain_left_to_manager",
			"task %" PRIu64 ": link %u of its chain ended; the queue has no room for link %u now: "
			"the worker leaves it to the manager and is replaced", claim->task_id, chain.link, chain.link + 1);
		_exit(0);
	}
	if (err != 0) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "chain_failed", "task %" PRIu64 ": %s", claim->task_id, why);
		post_message(ASYNCTASK_RESULT_FAILED, why);
		return;
	}
	ASYNCTASK_FAULT("worker.chain.queued");
	if (claim->retry && claim->retry_file[0]) {
		/* this link's file: its last run is over (the manager removes it should we die first) */
		asynctask_spill_remove(asynctask_rundir_fd(), claim->retry_file);
	}
}

/* A large return value's buffer is kept for the next one (from RESULT_KEEP_MIN up to
 * RESULT_KEEP_MAX, the largest result that travels in shared memory, mailbox.h): a new one
 * for each task was a 2 MB chunk of the Zend allocator that, in some heaps, it unmapped
 * when the buffer was freed and faulted in afresh for the next (perf: munmap from
 * post_return_value after every 1 MiB result). Taken out of its slot while in use. */
#define RESULT_KEEP_MIN (64 * 1024)
#define RESULT_KEEP_MAX (4 * 1024 * 1024)
static smart_str result_kept;

static void result_buffer_take(smart_str *encoded)
{
	*encoded = result_kept;
	memset(&result_kept, 0, sizeof(result_kept));
	if (encoded->s) {
		ZSTR_LEN(encoded->s) = 0;
	}
}

static void result_buffer_release(smart_str *encoded)
{
	if (encoded->s && encoded->a >= RESULT_KEEP_MIN && encoded->a <= RESULT_KEEP_MAX && !result_kept.s) {
		result_kept = *encoded;
	} else {
		smart_str_free(encoded);
	}
	memset(encoded, 0, sizeof(*encoded));
}

static void post_return_value(zval *retval)
{
	smart_str encoded;

	result_buffer_take(&encoded);

	if (asynctask_result_check(retval) == SUCCESS
		&& asynctask_serialize(retval, &encoded, "the task's return value") == SUCCESS
		&& check_result_size(&encoded) == SUCCESS) {
		/* a result that travels in a file may be large: the caller checks
		 * that it has the memory to decode it before it reads it (result_spilled.c) */
		size_t len = ZSTR_LEN(encoded.s);
		if (chain_block && chain.remaining > 0) {
			hand_on(ZSTR_VAL(encoded.s), len);  /* not the last link: the next one gets the value */
		} else {
			post(ASYNCTASK_RESULT_VALUE, ZSTR_VAL(encoded.s), len,
				len > ASYNCTASK_RESULT_INLINE_MAX ? asynctask_value_footprint(retval, encoded.s) : 0);
		}
	} else {
		post_exception(ASYNCTASK_RESULT_UNENCODABLE);
	}
	result_buffer_release(&encoded);
}

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
	uint64_t task_id = worker.slot->claim.task_id;

	zval_ptr_dtor(retval);
	if (EXPECTED(!EG(exception))) {
		return;
	}
	leave_if_forked(false);  /* the destructor forked */
	if (zend_is_unwind_exit(EG(exception))) {
		zend_clear_exception();
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "worker_exited",
			"a destructor called exit() after task %" PRIu64 " reported its outcome; "
			"its worker leaves and is replaced", task_id);
		release_claim();
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

	asynctask_status_task_started(worker.slot, &job->callable);
	if (zend_fcall_info_init(&job->callable, 0, &fci, &fcc, NULL, &error) != SUCCESS) {
		char message[512];
		snprintf(message, sizeof(message), "the task is not callable in the worker: %s", error ? error : "unknown reason");
		if (error) efree(error);
		post_message(ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	if (error) efree(error);
	zend_fcall_info_args(&fci, &job->args);
	fci.retval = &retval;
	ZVAL_UNDEF(&retval);
	asynctask_worker_clear_last_error();
	zend_call_function(&fci, &fcc);
	leave_if_forked(false);
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
			post_message(ASYNCTASK_RESULT_CRASHED, message);
			release_claim();
			_exit(0);
		}
		post_exception(ASYNCTASK_RESULT_THREW);
	} else {
		post_return_value(&retval);
	}
	release_value(&retval);
}

/* A link after a chain's first: the previous link's value is its first argument. */
static zend_result prepend_previous(asynctask_job_t *job)
{
	zval previous, args, *arg;

	decoding = true;
	zend_result decoded = asynctask_unserialize(chain.previous, chain.previous_len, &previous);
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
		post_message(ASYNCTASK_RESULT_FAILED, error ? ZSTR_VAL(error) : "the task could not be decoded");
		if (error) zend_string_release(error);
		return;
	}
	if (chain_block && chain.previous && prepend_previous(&job) == FAILURE) {
		asynctask_job_dtor(&job);
		post_message(ASYNCTASK_RESULT_FAILED, "the value of the chain's previous link could not be decoded");
		return;
	}
	run_job(&job);
}

/* A fatal error unwound the task: report PHP's message and leave, the
 * engine's state is not to be trusted after a bailout. */
static ZEND_NORETURN void die_fatally(void)
{
	asynctask_remote_error_t error = {0};

	leave_if_forked(true);
	if (__atomic_load_n(&worker.slot->claim.delivered, __ATOMIC_SEQ_CST)) {
		/* in a destructor of the task's value (see release_value()): the task
		 * keeps the outcome it reported, PHP logged the error */
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "worker_exited",
			"a fatal error after task %" PRIu64 " reported its outcome; its worker leaves and is replaced",
			worker.slot->claim.task_id);
		release_claim();
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
		post_error(ASYNCTASK_RESULT_FAILED, &error);
		release_claim();
		_exit(0);
	}
	if (PG(last_error_file)) {
		error.file = zend_string_copy(PG(last_error_file));
		error.line = PG(last_error_lineno);
	}
	post_error(ASYNCTASK_RESULT_CRASHED, &error);
	release_claim();
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
		ctx->local_id = worker.slot->claim.task_id;
		ctx->attempt = worker.slot->claim.attempt ? worker.slot->claim.attempt : 1;
		ctx->queued_ns = worker.slot->claim.queued_ns;  /* dispatchedAt() derives the time from it */
		/* the queue this worker serves (asynctask.queues) */
		const char *queue = asynctask_region_slot_queue(worker.pool, worker.slot)->name;
		ctx->queue_len = (uint8_t) strlen(queue);
		memcpy(ctx->queue, queue, ctx->queue_len + 1);
	}
	ctx->active = true;
	return skip;
}

/* The task's retry plan and chain are over. */
static void forget_plans(void)
{
	if (retry_plan) {
		zend_string_release(retry_plan);
		retry_plan = NULL;
	}
	if (chain_block) {
		zend_string_release(chain_block);
		chain_block = NULL;
	}
}

/* Runs the task the transport gave us; consumes payload (NULL, with errno
 * set: the transport could not read it). */
static void run_task(zend_string *payload)
{
	if (!payload) {
		char message[128];
		snprintf(message, sizeof(message), "the task's payload file could not be read: %s", strerror(errno));
		post_message(ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	size_t planned = 0;
	if (worker.slot->claim.retry) {
		/* a task with retries: its plan comes first (codec/retry.h) */
		asynctask_retry_plan_t plan;
		planned = asynctask_retry_plan_read(ZSTR_VAL(payload), ZSTR_LEN(payload), &plan);
		retry_plan = planned ? zend_string_init(ZSTR_VAL(payload), planned, 0) : NULL;
	}
	if (worker.slot->claim.record_flags & ASYNCTASK_RECORD_CHAIN) {
		/* a link of a chain: its block comes next (codec/chain.h), read from a copy kept while it runs */
		size_t n = asynctask_chain_read(ZSTR_VAL(payload) + planned, ZSTR_LEN(payload) - planned, &chain);
		if (n == 0) {
			zend_string_release(payload);
			post_message(ASYNCTASK_RESULT_FAILED, "the task's chain (Task::then()) cannot be read");
			forget_plans();
			return;
		}
		chain_block = zend_string_init(ZSTR_VAL(payload) + planned, n, 0);
		asynctask_chain_read(ZSTR_VAL(chain_block), ZSTR_LEN(chain_block), &chain);
		worker.slot->claim.link = chain.link;
		worker.slot->claim.links = chain.links;
		planned += n;
	}
	run_guarded(payload, planned + enter_context(payload, planned));
	ASYNCTASK_G(task_context).active = false;
	forget_plans();
}

/* A task that needed much memory leaves it with the worker: the Zend heap
 * keeps its emptied 2 MB chunks cached and glibc keeps what PHP's
 * non-request allocations freed. After such a task (its peak went more than
 * ASYNCTASK_GIVE_BACK_ABOVE past what the worker held before its first
 * task), both are handed back to the system; a small task costs the two
 * reads of the peak and nothing else. */
#define ASYNCTASK_GIVE_BACK_ABOVE (4 * 1024 * 1024)

static size_t worker_memory_base;

static void give_memory_back(void)
{
	if (zend_memory_peak_usage(true) <= worker_memory_base + ASYNCTASK_GIVE_BACK_ABOVE) {
		return;
	}
	zend_mm_gc(zend_mm_get_heap());
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
	zend_memory_reset_peak_usage();
}

static bool should_retire(void)
{
	asynctask_pool_t *pool = worker.pool;

	if (__atomic_load_n(&worker.slot->retiring, __ATOMIC_SEQ_CST)) {
		return true;
	}
	if (__atomic_load_n(&pool->stopping, __ATOMIC_SEQ_CST)
			&& __atomic_load_n(&asynctask_region_slot_queue(pool, worker.slot)->queue.live, __ATOMIC_SEQ_CST) == 0) {
		return true;
	}
	return pool->max_requests > 0 && worker.slot->tasks >= pool->max_requests;
}

/* Task output (and PHP's errors) to asynctask.log, never through a symlink;
 * a log that cannot be opened leaves them on stderr. Whether the log is open. */
static bool redirect_output(void)
{
	const char *path = ASYNCTASK_G(log);
	int fd = path && path[0] ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	bool logging = fd >= 0;

	if (!logging) {
		fd = dup(STDERR_FILENO);
	}
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		if (logging) {
			/* what PHP or libc write to stderr (the allocator's last words,
			 * say) belongs in the log too, not on the dispatcher's terminal */
			dup2(fd, STDERR_FILENO);
		}
		close(fd);
	}
	return logging;
}

static void set_ini(const char *name, const char *value)
{
	zend_string *key = zend_string_init(name, strlen(name), 0);
	zend_alter_ini_entry_chars(key, value, strlen(value), PHP_INI_SYSTEM, PHP_INI_STAGE_RUNTIME);
	zend_string_release(key);
}

/* What a forked child must undo of its parent before it runs PHP code. */
static void prepare_process(void)
{
	static const int reset[] = { SIGCHLD, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP, SIGALRM };
	sigset_t none;

	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++) {
		signal(reset[i], SIG_DFL);  /* the manager's libevent handlers */
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* a fresh random sequence per worker, not the parent's */
	RANDOM_G(mt19937_seeded) = false;
	RANDOM_G(combined_lcg_seeded) = false;

	/* the parent's buffered output is the parent's to print */
	php_output_discard_all();
	fflush(NULL);
	bool logging = redirect_output();
	set_ini("display_errors", "0");
	set_ini("log_errors", "1");
	if (asynctask_log_json()) {
		/* PHP's errors and error_log() as JSON lines too: with no error_log
		 * file PHP hands its lines to the SAPI's log_message */
		sapi_module.log_message = asynctask_worker_log_message;
		if (logging) {
			set_ini("error_log", "");
		}
	} else if (logging) {
		set_ini("error_log", ASYNCTASK_G(log));
	}
}

/* Tasks are called from C on a base frame of their own: an internal frame
 * (zend_pass_function) with nothing below it. With no frame at all, an
 * exception a task throws would be fatal at once instead of coming back to
 * run_job(). And a CLI worker must not run tasks on the frames it was forked
 * in (the dispatch() or Pool::start() that started the pool, and the calls
 * that led there): traces and debug_backtrace() would show them, and a
 * callable would be resolved in the first user frame among them, with its
 * scope and its $this. Those frames stay on the VM stack, unreachable: this
 * process never returns into them (it ends with _exit()).
 * A pool started inside a Fiber leaves its workers running on that fiber's
 * stack: tasks must not be part of the fiber, or Fiber::suspend() in a task
 * would jump back into the dispatcher's code, in the worker. Without an
 * active fiber it throws FiberError, and fibers a task starts return to it. */
static void enter_base_frame(void)
{
	static zend_internal_function base_function;
	static zend_execute_data base_frame;

	/* zend_pass_function with a name: a warning raised outside any call
	 * (while a task is decoded or its result encoded) is prefixed with the
	 * running function's name, and php_verror() reads an internal one's
	 * without checking it (NULL: SIGSEGV) */
	base_function = zend_pass_function;
	base_function.function_name = ZSTR_INIT_LITERAL("AsyncTask\\{worker}", 1);
	memset(&base_frame, 0, sizeof(base_frame));
	base_frame.func = (zend_function *) &base_function;
	EG(current_execute_data) = &base_frame;
	EG(active_fiber) = NULL;
}

static void include_bootstrap(void)
{
	const char *path = ASYNCTASK_G(bootstrap);
	zend_file_handle handle;

	if (!path || !path[0]) {
		return;
	}
	zend_stream_init_filename(&handle, path);
	zend_try {
		zend_op_array *op_array = zend_compile_file(&handle, ZEND_REQUIRE_ONCE);
		if (op_array) {
			zval retval;
			if (handle.opened_path) {
				zend_hash_add_empty_element(&EG(included_files), handle.opened_path);
			}
			ZVAL_UNDEF(&retval);
			/* in the global scope, as PHP runs a script: not on the worker's
			 * internal base frame, which has no symbol table */
			zend_execute_data *frame = EG(current_execute_data);
			EG(current_execute_data) = NULL;
			zend_execute(op_array, &retval);
			EG(current_execute_data) = frame;
			zval_ptr_dtor(&retval);
			destroy_op_array(op_array);
			efree_size(op_array, sizeof(zend_op_array));
		}
		if (EG(exception)) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "bootstrap_threw",
				"asynctask.bootstrap %s threw; the worker goes on without it", path);
			zend_clear_exception();
		}
	} zend_catch {
		leave_if_forked(true);
		/* no worker of this pool can start: the manager stops trying for a
		 * while and fails the queued tasks with this message */
		snprintf(worker.pool->startup_error, sizeof(worker.pool->startup_error),
			"asynctask.bootstrap %s failed: %s", path,
			PG(last_error_message) ? ZSTR_VAL(PG(last_error_message)) : "a fatal error");
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "bootstrap_failed", "%s", worker.pool->startup_error);
		_exit(ASYNCTASK_EXIT_STARTUP_FAILED);
	} zend_end_try();
	zend_destroy_file_handle(&handle);
}

ZEND_NORETURN void asynctask_worker_run(asynctask_pool_t *pool, uint32_t index, void (*close_inherited)(void))
{
	const asynctask_transport_t *transport = ASYNCTASK_G(transport);

	worker.pool = pool;
	worker.slot = &pool->slots[index];
	worker.pid = asynctask_self();
	asynctask_log_set_role("worker");
	asynctask_log_set_task(&worker.slot->claim.task_id);
	ASYNCTASK_G(mailbox) = NULL;  /* the owner's */
	if (ASYNCTASK_G(result_fd) >= 0) {
		close(ASYNCTASK_G(result_fd)); /* the owner's result pipe */
		ASYNCTASK_G(result_fd) = -1;
	}
	ASYNCTASK_G(in_pool_process) = true;
	if (pool->server) {
		if (close_inherited) {
			close_inherited();
		}
		asynctask_worker_start_server_request();
	}
	enter_base_frame();
	prepare_process();
	include_bootstrap();
	leave_if_forked(false);  /* the bootstrap forked */
	zend_memory_reset_peak_usage();
	worker_memory_base = zend_memory_usage(true);
	asynctask_status_worker_idle(worker.slot);
	__atomic_store_n(&worker.slot->started, 1, __ATOMIC_RELEASE);

	for (;;) {
		zend_string *payload;
		uint32_t wait_token;

		leave_if_forked(false);  /* forked in the destructor of a task's value, say */
		if (should_retire()) {
			_exit(0);
		}
		if (!transport->take(&worker.slot->claim, &payload, &wait_token)) {
			/* Asked to leave since we looked? A stop or a reload sets its flag,
			 * then wakes the sleepers by moving what wait_token was read from
			 * (the queue's items_seq): if the token already has that move,
			 * only this look sees the flag, and the wait below would last
			 * until the next task. */
			if (should_retire()) {
				_exit(0);
			}
			transport->wait(wait_token);
			continue;
		}
		uint64_t task_id = worker.slot->claim.task_id;
		run_task(payload);
		release_claim();
		worker.slot->tasks++;
		give_memory_back();
		if (asynctask_recycle_over_memory(task_id)) {
			_exit(0);  /* the manager forks its replacement (recycle.h) */
		}
		asynctask_status_worker_idle(worker.slot);
	}
}
