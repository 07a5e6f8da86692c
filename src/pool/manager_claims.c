/*
 * The manager settling a dead worker's claim: its counts undone or kept,
 * the report of its task (a failure, or WorkerCrashedException) posted to
 * the task's caller, kept and retried while the caller's pipe is full;
 * and the failure of a delayed task the pool stopped before it ran.
 *
 * The lowest of the manager's files: it calls none of the others (what to
 * do once a worker exited, respawning it, is manager_workers.c's).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/pool/manager_internal.h"

static void post_report(const asynctask_report_t *report)
{
	int err = asynctask_result_post(asynctask_mgr.pool, report, 0, NULL);

	if (err == EAGAIN) {
		pending_report_t *pending = malloc(sizeof(*pending) + report->length);
		if (!pending) {
			asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
				"out of memory: the failure of task %" PRIu64 " could not be kept for its caller",
				report->task_id);
			return;
		}
		pending->report = *report;
		memcpy(pending->data, report->data, report->length);
		pending->report.data = pending->data;
		pending->next = asynctask_mgr.pending;
		asynctask_mgr.pending = pending;
	} else if (err != 0) {
		ASYNCTASK_COUNT(asynctask_mgr.pool, dropped_results);
	}
}

void asynctask_manager_retry_reports(void)
{
	pending_report_t **link = &asynctask_mgr.pending;

	while (*link) {
		pending_report_t *report = *link;
		int err = asynctask_result_post(asynctask_mgr.pool, &report->report, 0, NULL);
		if (err == EAGAIN) {
			link = &report->next;
			continue;
		}
		if (err != 0) {
			ASYNCTASK_COUNT(asynctask_mgr.pool, dropped_results);
		}
		*link = report->next;
		free(report);
	}
}

/* Reports a task as failed and counts it so. counted_by_worker: the outcome
 * its dead worker had counted and the manager undid (0: none), which tells
 * the caller, should that outcome have reached it after all, to count it back. */
void asynctask_manager_post_failure(const asynctask_claim_t *claim, asynctask_result_status_t status, const char *message,
	uint32_t counted_by_worker)
{
	smart_str encoded = {0};
	asynctask_remote_error_t error = {0};

	asynctask_status_failure(asynctask_mgr.pool, claim, status, NULL, message, NULL);
	error.message = zend_string_init(message, strlen(message), 0);
	error.attempts = claim->retry ? claim->attempt : 0;  /* a task with retries: its last run */
	asynctask_remote_error_encode(&error, &encoded);
	asynctask_remote_error_dtor(&error);
	asynctask_report_t report = {
		.owner = claim->owner,
		.task_id = claim->task_id,
		.status = status,
		.counted_by_worker = counted_by_worker,
		.data = ZSTR_VAL(encoded.s),
		.length = ZSTR_LEN(encoded.s),
	};
	post_report(&report);
	smart_str_free(&encoded);
}

void asynctask_manager_report_failure(const asynctask_claim_t *claim, asynctask_result_status_t status,
	const char *message, uint32_t counted_by_worker)
{
	asynctask_region_count_queue_outcome(asynctask_mgr.pool, claim->queue, status, 1);
	asynctask_manager_post_failure(claim, status, message, counted_by_worker);
}

/* A delayed task the manager still held when the pool stopped (delay.h). */
void asynctask_manager_fail_delayed(const asynctask_record_t *record, uint32_t queue, const char *why)
{
	asynctask_claim_t claim = {
		.task_id = record->task_id,
		.owner = record->owner,
		.timeout_ms = record->timeout_ms,
		.queued_ns = record->queued_ns,
		.queue = queue,
	};
	uint32_t attempt = asynctask_record_attempt(record->flags);
	char message[256];

	if ((record->flags & ASYNCTASK_RECORD_RETRY) && attempt > 1) {
		/* it waited for its next run (src/pool/retry.h): say how many it had */
		claim.retry = record->flags;
		claim.attempt = attempt - 1;
		snprintf(message, sizeof(message), "the pool stopped while the task waited for its retry (Task::withRetries()): "
			"its attempt %u failed, and it never ran again", attempt - 1);
		why = message;
	}
	asynctask_manager_report_failure(&claim, ASYNCTASK_RESULT_FAILED, why, 0);
}
/* A dead worker's task: whether it had counted the outcome it did not
 * deliver, in which case the count is undone. Then its counts go to the pool.
 * Returns the outcome undone (0: none). */
uint32_t asynctask_manager_settle_counts(asynctask_worker_slot_t *slot, const asynctask_claim_t *claim)
{
	uint32_t undone = 0;

	if (claim->task_id && claim->outcome && !claim->delivered
			&& asynctask_slot_counted(slot) != claim->counted_before) {
		__atomic_sub_fetch(asynctask_slot_counter(slot, claim->outcome), 1, __ATOMIC_SEQ_CST);
		undone = claim->outcome;
	}
	asynctask_region_fold_slot_counts(asynctask_mgr.pool, slot);
	return undone;
}

/* A dead worker's claim, as it stands once every lock it may have died in
 * is synced: a half-done take is rolled back (the claim cleared), a result
 * it was publishing into its caller's mailbox is noted delivered if it got
 * out. And a task whose outcome the worker had counted but not delivered
 * while its caller was gone, or no longer listening (a php-fpm request that
 * ended), ends as the worker counted it: nobody can see it crash, and its
 * work was done; its result counts as dropped. *unheard says so. */
asynctask_claim_t asynctask_manager_dead_claim(asynctask_worker_slot_t *slot, bool *unheard)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;

	/* the only queue lock a worker takes is its own queue's */
	asynctask_region_queue_t *rq = asynctask_region_slot_queue(pool, slot);
	asynctask_queue_sync(&rq->queue, asynctask_region_queue_ring(pool, rq));
	asynctask_results_sync_mailboxes(pool);
	asynctask_claim_t claim = slot->claim;
	/* (a run counted "retried" is no outcome for its caller: it still has to run again, retry.h) */
	*unheard = claim.task_id && claim.outcome && claim.outcome != ASYNCTASK_RESULT_RETRIED && !claim.delivered
		&& asynctask_slot_counted(slot) != claim.counted_before
		&& !asynctask_results_listening(pool, claim.owner);
	if (*unheard) {
		claim.delivered = 1;
		ASYNCTASK_COUNT(pool, dropped_results);
	}
	return claim;
}
