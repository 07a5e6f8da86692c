/*
 * Results, the books the caller keeps: a result message's header and where
 * a FIFO is (result_store.h), whether a report is one its Future waits for
 * (a late second report corrects the counts), and a result kept for its
 * Future until asynctask_results_take() (a received result, a string, or
 * a value decoded as it arrived, in a reference). Used by result.c (a result in its
 * message), result_spilled.c (one in a file or the bulk ring),
 * result_mailbox.c and result_post.c (a FIFO's name). The lowest of the
 * result files: it calls none of the others.
 */
#include <inttypes.h>
#include <stdio.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/spill.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/transport.h"
#include "src/transport/shm/result_store.h"

void asynctask_results_fifo_name(char name[FIFO_NAME_MAX], pid_t pid)
{
	snprintf(name, FIFO_NAME_MAX, "%d.fifo", (int) pid);
}

/* The first report for a task wins. A second one can only be the manager's
 * report for a worker killed just as it wrote the result to our pipe (the
 * kernel completes a pipe write before the kill takes effect; a result in
 * our mailbox is never in doubt, see mailbox.h): the manager could not tell
 * and counted a crash instead of the worker's outcome; undo that here, and
 * say so in the log, after the manager's line about the kill. */
static void late_report(const result_header_t *header)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (header->counted_by_worker && pool) {
		asynctask_region_count_outcome(pool, ASYNCTASK_RESULT_CRASHED, -1);
		asynctask_region_count_outcome(pool, header->counted_by_worker, 1);
		asynctask_log_event(ASYNCTASK_LOG_INFO, "outcome_recounted",
			"task %" PRIu64 " of the pool of manager %d had reached its caller before its worker was "
			"killed: counted as it ended, not crashed", header->task_id, (int) pool->manager);
	}
}

static void remove_result_spill(uint64_t id)
{
	char name[ASYNCTASK_SPILL_NAME_MAX];

	asynctask_result_spill_name(asynctask_self(), id, name);
	asynctask_spill_remove(asynctask_rundir_fd(), name);
}

/* The report of a task: true when its Future waits for it (it no longer
 * counts as outstanding then); false when nobody does (any more). */
bool asynctask_results_take_outstanding(const result_header_t *header)
{
	uint64_t id = header->task_id;

	if (zend_hash_index_del(&ASYNCTASK_G(outstanding), id) == FAILURE) {
		if (zend_hash_index_del(&ASYNCTASK_G(abandoned), id) == FAILURE) {
			late_report(header);
		}
		return false; /* nobody waits for it (any more) */
	}
	if (header->counted_by_worker) {
		/* the worker died while delivering and did not: the result file it
		 * may have written is nobody's now (the manager left it alone, not
		 * knowing whether we would read it) */
		remove_result_spill(id);
	}
	return true;
}

/* A received result (transport.h) of len data bytes, the data not yet in it. */
zend_string *asynctask_results_alloc(uint8_t status, size_t decoded, size_t len)
{
	zend_string *result = zend_string_alloc(ASYNCTASK_RESULT_HEADER + len, 0);
	ZSTR_VAL(result)[0] = (char) status;
	memcpy(ZSTR_VAL(result) + 1, &decoded, sizeof(decoded));
	ZSTR_VAL(result)[ASYNCTASK_RESULT_HEADER + len] = '\0';
	return result;
}

void asynctask_results_keep(uint64_t id, zend_string *result)
{
	zval zv;
	ZVAL_STR(&zv, result);
	zend_hash_index_update(&ASYNCTASK_G(results), id, &zv);
}

void asynctask_results_keep_value(uint64_t id, zval *value)
{
	zval zv;
	/* a reference around it: the books hold received results as strings */
	ZVAL_NEW_REF(&zv, value);
	zend_hash_index_update(&ASYNCTASK_G(results), id, &zv);
}

void asynctask_results_store(const result_header_t *header, uint8_t status, size_t decoded, const char *data,
	size_t len)
{
	if (!asynctask_results_take_outstanding(header)) {
		return;
	}
	zend_string *result = asynctask_results_alloc(status, decoded, len);
	memcpy(ZSTR_VAL(result) + ASYNCTASK_RESULT_HEADER, data, len);
	asynctask_results_keep(header->task_id, result);
}
