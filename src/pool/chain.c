/*
 * Chains in the pool (chain.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "php.h"
#include "zend_smart_str.h"

#include "src/pool/chain.h"
#include "src/pool/delay.h"
#include "src/base/clock.h"
#include "src/codec/options.h"
#include "src/transport/shm/idle.h"
#include "src/transport/shm/priority.h"
#include "src/transport/shm/queue.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/spill.h"

/* Writes the next link into a file named in the claim. 0 or an errno value. */
static int write_file(asynctask_claim_t *claim, const asynctask_chain_t *chain, const char *data, size_t len,
	char *why, size_t why_size)
{
	int err = asynctask_spill_write(asynctask_rundir_fd(), claim->owner, 0, data, len, claim->spill);
	if (err != 0) {
		snprintf(why, why_size, "the chain's link %u could not be written to a file in %s (asynctask.tmpdir): %s",
			chain->link + 1, asynctask_rundir_path(), strerror(err));
	}
	return err;
}

int asynctask_chain_handoff(asynctask_pool_t *pool, asynctask_claim_t *claim, const asynctask_chain_t *chain,
	const char *value, size_t len, char *why, size_t why_size)
{
	asynctask_chain_link_t next;
	/* a file for the next link is named in the claim from its creation until
	 * the queue names it (the push marks the claim delivered): the manager
	 * removes it should we die in between (manager_claims.c) */
	char *spill = claim->spill;
	smart_str payload = {0};
	int err;

	spill[0] = '\0';
	if (!asynctask_chain_next(chain, value, len, &payload, &next, why, why_size)) {
		return EINVAL;
	}

	asynctask_record_t record = {
		.flags = asynctask_record_level_flags(asynctask_priority_level(next.priority)) | ASYNCTASK_RECORD_CHAIN
			| (next.plan_len ? ASYNCTASK_RECORD_RETRY : 0),
		.timeout_ms = next.timeout_ms,
		.task_id = claim->task_id,
		.owner = claim->owner,
		.length = (uint32_t) ZSTR_LEN(payload.s),
		.queued_ns = claim->queued_ns,
	};
	const char *data = ZSTR_VAL(payload.s);
	/* a link with retries always travels in a file (retry.h), a large one too */
	/* (the chain runs on the queue of its first task: the one this worker serves) */
	asynctask_region_queue_t *rq = asynctask_region_queue(pool, claim->queue);
	if (next.plan_len || ZSTR_LEN(payload.s) > asynctask_queue_inline_max(&rq->queue)) {
		if ((err = write_file(claim, chain, data, ZSTR_LEN(payload.s), why, why_size)) != 0) {
			smart_str_free(&payload);
			return err;
		}
		record.flags |= ASYNCTASK_RECORD_SPILLED;
		record.length = (uint32_t) strlen(spill);
		data = spill;
	}
	err = asynctask_queue_push_next(&rq->queue, asynctask_region_queue_ring(pool, rq), &record, data, claim);
	if (err == EAGAIN) {
		/* the queue is full, and a worker must not wait for room (the workers
		 * make it): the next link goes to the manager, in a file, which it
		 * holds until there is room (manager_claims.c) */
		if (!(record.flags & ASYNCTASK_RECORD_SPILLED)
				&& (err = write_file(claim, chain, data, ZSTR_LEN(payload.s), why, why_size)) != 0) {
			smart_str_free(&payload);
			return err;
		}
		claim->next_timeout_ms = record.timeout_ms;
		claim->next_flags = record.flags | ASYNCTASK_RECORD_SPILLED;
		__atomic_store_n(&claim->handing_on, 1, __ATOMIC_SEQ_CST);
		smart_str_free(&payload);
		return EAGAIN;
	}
	smart_str_free(&payload);
	if (err != 0) {
		if (spill[0]) {
			asynctask_spill_remove(asynctask_rundir_fd(), spill);
			spill[0] = '\0';
		}
		snprintf(why, why_size, "the chain's link %u could not be queued: %s", chain->link + 1, strerror(err));
		return err;
	}
	spill[0] = '\0';  /* the queue's now */
	asynctask_idle_kick(pool, claim->queue);
	return 0;
}

bool asynctask_chain_held_by_manager(const asynctask_claim_t *claim)
{
	if (!claim->task_id || claim->delivered || !claim->handing_on || !claim->spill[0]) {
		return false;
	}
	asynctask_record_t *record = malloc(sizeof(*record) + strlen(claim->spill));
	if (!record) {
		return false;
	}
	memset(record, 0, sizeof(*record));
	record->flags = (claim->next_flags & ~ASYNCTASK_RECORD_TAKEN & ~ASYNCTASK_RECORD_CANCELLED) | ASYNCTASK_RECORD_DELAYED;
	record->timeout_ms = claim->next_timeout_ms;
	record->task_id = claim->task_id;
	record->owner = claim->owner;
	record->length = (uint32_t) strlen(claim->spill);
	record->size = sizeof(*record) + record->length;
	record->queued_ns = claim->queued_ns;
	record->due_ns = asynctask_now_ns();  /* due now: queued as soon as there is room */
	memcpy(record + 1, claim->spill, record->length);
	if (!asynctask_delay_hold(record, claim->queue)) {
		free(record);
		return false;
	}
	return true;
}
