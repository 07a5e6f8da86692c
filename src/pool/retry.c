/*
 * Retries in the pool (retry.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "php.h"
#include "ext/random/php_random.h"

#include "src/pool/retry.h"
#include "src/pool/delay.h"
#include "src/base/clock.h"
#include "src/transport/shm/queue.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/spill.h"

bool asynctask_retry_status(uint32_t status)
{
	return status == ASYNCTASK_RESULT_THREW || status == ASYNCTASK_RESULT_CRASHED
		|| status == ASYNCTASK_RESULT_TIMED_OUT;
}

bool asynctask_retry_left(const asynctask_claim_t *claim, const asynctask_retry_plan_t *plan)
{
	/* runs: the first and `times` more */
	return claim->retry && claim->attempt <= plan->times && claim->attempt < ASYNCTASK_ATTEMPT_MAX;
}

/* A uniform draw in [0, 1), for the jitter. */
static double draw(void)
{
	uint64_t bits = 0;

	if (php_random_bytes_silent(&bits, sizeof(bits)) == FAILURE) {
		bits = asynctask_now_ns() * 0x9E3779B97F4A7C15ull;
	}
	return (double) (bits >> 11) / (double) (1ull << 53);
}

/* The record of the claim's next run, due after its backoff (no payload:
 * the caller puts the file's name behind it). */
static asynctask_record_t next_run(const asynctask_claim_t *claim, const asynctask_retry_plan_t *plan, double *delay_s)
{
	uint64_t backoff = asynctask_retry_backoff_ns(plan, claim->attempt, draw());
	uint32_t keep = claim->retry & ~(ASYNCTASK_RECORD_CANCELLED | ASYNCTASK_RECORD_TAKEN | ASYNCTASK_RECORD_DELAYED
		| (ASYNCTASK_ATTEMPT_MAX << ASYNCTASK_RECORD_ATTEMPT_SHIFT));
	asynctask_record_t record = {
		.flags = keep | ASYNCTASK_RECORD_RETRY | ASYNCTASK_RECORD_SPILLED | ASYNCTASK_RECORD_DELAYED
			| asynctask_record_attempt_flags(claim->attempt + 1),
		.timeout_ms = claim->timeout_ms,
		.task_id = claim->task_id,
		.owner = claim->owner,
		.length = (uint32_t) strlen(claim->retry_file),
		.queued_ns = claim->queued_ns,
		/* +1: a backoff never rounds down to "now" */
		.due_ns = asynctask_now_ns() + backoff + 1,
	};
	*delay_s = (double) backoff / 1e9;
	return record;
}

int asynctask_retry_requeue(asynctask_pool_t *pool, asynctask_claim_t *claim, const asynctask_retry_plan_t *plan,
	double *delay_s)
{
	asynctask_record_t record = next_run(claim, plan, delay_s);

	asynctask_region_queue_t *rq = asynctask_region_queue(pool, claim->queue);
	int err = asynctask_queue_push_next(&rq->queue, asynctask_region_queue_ring(pool, rq), &record, claim->retry_file, claim);
	if (err == 0 && __atomic_exchange_n(&rq->queue.delays.wake, 1, __ATOMIC_SEQ_CST) == 0 && pool->manager > 0) {
		/* the manager takes it into its heap now (else on its next tick) */
		kill(pool->manager, SIGUSR2);
	}
	return err;
}

bool asynctask_retry_after_death(const asynctask_claim_t *claim, double *delay_s,
	char *why, size_t why_size)
{
	asynctask_retry_plan_t plan;

	why[0] = '\0';
	if (!claim->retry || !claim->retry_file[0]) {
		return false;
	}
	zend_string *file = asynctask_spill_read(asynctask_rundir_fd(), claim->retry_file);
	if (!file) {
		snprintf(why, why_size, "its file %s could not be read: %s", claim->retry_file, strerror(errno));
		return false;
	}
	bool planned = asynctask_retry_plan_read(ZSTR_VAL(file), ZSTR_LEN(file), &plan) != 0;
	bool left = planned && asynctask_retry_left(claim, &plan);
	asynctask_record_t record;
	if (left) {
		record = next_run(claim, &plan, delay_s);
	}
	zend_string_release(file);
	if (!planned) {
		snprintf(why, why_size, "its file %s holds no retry plan", claim->retry_file);
		return false;
	}
	if (!left) {
		return false;
	}
	asynctask_record_t *held = malloc(sizeof(record) + record.length);
	if (!held) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	*held = record;
	held->size = sizeof(record) + record.length;
	memcpy(held + 1, claim->retry_file, record.length);
	if (!asynctask_delay_hold(held, claim->queue)) {
		free(held);
		snprintf(why, why_size, "out of memory");
		return false;
	}
	return true;
}
