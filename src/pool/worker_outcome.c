/*
 * A task's outcome (worker_internal.h): counted in the worker's slot, then
 * posted to its caller through the transport; or, for a failed run with
 * retries left, queued again (src/pool/retry.h); or, for a link of a chain
 * that is not its last, handed on to the next link (src/pool/chain.h). The
 * claim records each step for the manager, should the worker die in
 * between. The return value's encoding, and the buffer kept for large ones.
 * Calls retry.c, chain.c, the transport and the codec; no other worker_*.c.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "php.h"
#include "zend_smart_str.h"

#include "src/pool/worker_internal.h"
#include "src/pool/retry.h"
#include "src/pool/status/record.h"
#include "src/base/log.h"
#include "src/base/exceptions.h"
#include "src/base/fault.h"
#include "src/transport/transport.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/spill.h"
#include "src/codec/serializer.h"
#include "src/codec/remote_error.h"

/* The outcome could not be delivered though its caller is there: a result
 * too large for a message travels in a file, and asynctask.tmpdir is full,
 * say. The caller gets why instead, so that no Future waits forever, and the
 * task counts as failed. The count moves in an order the manager can follow
 * should we die meanwhile (asynctask_manager_settle_counts() in manager_claims.c): the
 * outcome is uncounted, then changed, then counted. */
static int post_undeliverable(asynctask_report_t *report, int err)
{
	asynctask_claim_t *claim = &asynctask_wkr.slot->claim;
	char message[PATH_MAX + 160];
	smart_str encoded = {0};

	snprintf(message, sizeof(message), "the task's result (%zu bytes) could not be stored for its caller in %s "
		"(asynctask.tmpdir): %s", report->length, asynctask_rundir_path(), strerror(err));
	asynctask_log_event(ASYNCTASK_LOG_ERROR, "result_not_stored", "task %" PRIu64 ": %s", report->task_id, message);
	__atomic_sub_fetch(asynctask_slot_counter(asynctask_wkr.slot, report->status), 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&claim->outcome, ASYNCTASK_RESULT_FAILED, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(asynctask_slot_counter(asynctask_wkr.slot, ASYNCTASK_RESULT_FAILED), 1, __ATOMIC_SEQ_CST);
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
	asynctask_claim_t *claim = &asynctask_wkr.slot->claim;

	asynctask_worker_leave_if_forked(false);  /* forked in a destructor of the task's arguments, say */
	asynctask_status_task_ended(asynctask_wkr.slot, claim);  /* its times, before its count: a scrape sees both */
	__atomic_store_n(&claim->counted_before, asynctask_slot_counted(asynctask_wkr.slot), __ATOMIC_SEQ_CST);
	__atomic_store_n(&claim->outcome, status, __ATOMIC_SEQ_CST);
	/* the count: one store, which the manager can tell happened */
	__atomic_add_fetch(asynctask_slot_counter(asynctask_wkr.slot, status), 1, __ATOMIC_SEQ_CST);
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
		ASYNCTASK_COUNT(asynctask_wkr.pool, dropped_results);
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
	asynctask_claim_t *claim = &asynctask_wkr.slot->claim;
	asynctask_retry_plan_t plan;
	double backoff;

	if (!claim->retry || !asynctask_wkr.retry_plan || !asynctask_retry_status(status)
			|| !asynctask_retry_plan_read(ZSTR_VAL(asynctask_wkr.retry_plan), ZSTR_LEN(asynctask_wkr.retry_plan), &plan)
			|| !asynctask_retry_left(claim, &plan)) {
		return false;
	}
	asynctask_worker_leave_if_forked(false);
	asynctask_status_task_ended(asynctask_wkr.slot, claim);
	__atomic_store_n(&claim->counted_before, asynctask_slot_counted(asynctask_wkr.slot), __ATOMIC_SEQ_CST);
	__atomic_store_n(&claim->outcome, ASYNCTASK_RESULT_RETRIED, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(asynctask_slot_counter(asynctask_wkr.slot, ASYNCTASK_RESULT_RETRIED), 1, __ATOMIC_SEQ_CST);
	ASYNCTASK_FAULT("worker.retry.counted");
	int err = asynctask_retry_requeue(asynctask_wkr.pool, claim, &plan, &backoff);
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

void asynctask_worker_post_error(asynctask_result_status_t status, asynctask_remote_error_t *error)
{
	smart_str encoded = {0};

	asynctask_status_failure(asynctask_wkr.pool, &asynctask_wkr.slot->claim, status, error, NULL, NULL);
	if (retried(status)) {
		return;
	}
	if (asynctask_wkr.slot->claim.retry) {
		error->attempts = asynctask_wkr.slot->claim.attempt;  /* its last run: the exception says how many */
	}
	if (asynctask_wkr.slot->claim.links > 1) {
		/* a chain stops at its first failure, which says where */
		zend_string *message = zend_strpprintf(0, "%s (link %u of %u of the chain, Task::then())",
			error->message ? ZSTR_VAL(error->message) : "", asynctask_wkr.slot->claim.link, asynctask_wkr.slot->claim.links);
		if (error->message) {
			zend_string_release(error->message);
		}
		error->message = message;
	}
	asynctask_remote_error_encode(error, &encoded);
	post(status, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s), 0);
	smart_str_free(&encoded);
}

void asynctask_worker_post_message(asynctask_result_status_t status, const char *message)
{
	asynctask_remote_error_t error = {0};

	error.message = zend_string_init(message, strlen(message), 0);
	asynctask_worker_post_error(status, &error);
	asynctask_remote_error_dtor(&error);
}

/* Turns the pending exception into the task's failure. */
void asynctask_worker_post_exception(asynctask_result_status_t status)
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
	asynctask_worker_post_error(status, &error);
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
	asynctask_claim_t *claim = &asynctask_wkr.slot->claim;
	char why[PATH_MAX + 200];

	asynctask_worker_leave_if_forked(false);
	asynctask_status_task_ended(asynctask_wkr.slot, claim);
	ASYNCTASK_FAULT("worker.chain.ended");
	int err = asynctask_chain_handoff(asynctask_wkr.pool, claim, &asynctask_wkr.chain, value, len, why, sizeof(why));
	if (err == EAGAIN) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "chain_left_to_manager",
			"task %" PRIu64 ": link %u of its chain ended; the queue has no room for link %u now: "
			"the worker leaves it to the manager and is replaced", claim->task_id, asynctask_wkr.chain.link, asynctask_wkr.chain.link + 1);
		_exit(0);
	}
	if (err != 0) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "chain_failed", "task %" PRIu64 ": %s", claim->task_id, why);
		asynctask_worker_post_message(ASYNCTASK_RESULT_FAILED, why);
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

void asynctask_worker_post_return_value(zval *retval)
{
	smart_str encoded;

	result_buffer_take(&encoded);

	if (asynctask_result_check(retval) == SUCCESS
		&& asynctask_serialize(retval, &encoded, "the task's return value") == SUCCESS
		&& check_result_size(&encoded) == SUCCESS) {
		/* a result that travels in a file may be large: the caller checks
		 * that it has the memory to decode it before it reads it (result_spilled.c) */
		size_t len = ZSTR_LEN(encoded.s);
		if (asynctask_wkr.chain_block && asynctask_wkr.chain.remaining > 0) {
			hand_on(ZSTR_VAL(encoded.s), len);  /* not the last link: the next one gets the value */
		} else {
			post(ASYNCTASK_RESULT_VALUE, ZSTR_VAL(encoded.s), len,
				len > ASYNCTASK_RESULT_INLINE_MAX ? asynctask_value_footprint(retval, encoded.s) : 0);
		}
	} else {
		asynctask_worker_post_exception(ASYNCTASK_RESULT_UNENCODABLE);
	}
	result_buffer_release(&encoded);
}
