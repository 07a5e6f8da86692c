/*
 * Results, the caller's side: a result whose bytes are not in its message,
 * read from its spill file or from the mailbox's bulk ring, and the failure
 * its Future gets when it cannot be read. Called by result.c; of the
 * result files it calls only result_store.c (the caller's books), below it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/base/memory_limit.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/spill.h"
#include "src/base/fault.h"
#include "src/transport/shm/lock.h"
#include "src/transport/shm/mailbox.h"
#include "src/transport/shm/rundir.h"
#include "src/codec/compact.h"
#include "src/codec/remote_error.h"
#include "src/base/clock.h"
#include "src/transport/shm/result_store.h"

/* The caller cannot take the result the worker sent and counted (as its
 * status): its Future fails with why, and it counts as failed instead. */
static void store_failure(const result_header_t *header, const char *why)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	smart_str encoded = {0};

	asynctask_remote_error_encode_message(why, &encoded);
	asynctask_results_store(header, ASYNCTASK_RESULT_FAILED, 0, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s));
	smart_str_free(&encoded);
	if (pool && header->status != ASYNCTASK_RESULT_FAILED) {
		asynctask_region_count_outcome(pool, header->status, -1);
		asynctask_region_count_outcome(pool, ASYNCTASK_RESULT_FAILED, 1);
	}
}

/* A result in a spill file: the message only says so; the file's name is
 * ours to know (our pid and the task id), never taken from the message. */
void asynctask_results_store_spilled(const result_header_t *header)
{
	char name[ASYNCTASK_SPILL_NAME_MAX];
	char why[PATH_MAX + 256];
	size_t decoded = (size_t) header->decoded_kib * 1024;
	size_t size;

	asynctask_result_spill_name(asynctask_self(), header->task_id, name);
	if (!zend_hash_index_exists(&ASYNCTASK_G(outstanding), header->task_id)) {
		/* nobody waits for it: not read at all (we might not have the memory) */
		asynctask_spill_remove(asynctask_rundir_fd(), name);
		asynctask_results_store(header, header->status, 0, "", 0);
		return;
	}
	/* read, copied into the result (kept until its Future decodes it), decoded:
	 * refused now rather than fatal ("Allowed memory size exhausted") then */
	if (asynctask_spill_size(asynctask_rundir_fd(), name, &size) == 0
			&& !asynctask_memory_allows(size + MAX(size, decoded), size, decoded, why, sizeof(why))) {
		asynctask_spill_remove(asynctask_rundir_fd(), name);
		store_failure(header, why);
		return;
	}
	zend_string *data = asynctask_spill_take(asynctask_rundir_fd(), name, 0);
	if (!data) {
		snprintf(why, sizeof(why), "the result file %s/%s could not be read: %s", asynctask_rundir_path(), name,
			strerror(errno));
		store_failure(header, why);
		return;
	}
	asynctask_results_store(header, header->status, decoded, ZSTR_VAL(data), ZSTR_LEN(data));
	zend_string_efree(data);
}

/* A value in the compact encoding (codec/compact.h: no objects, so decoding
 * runs no code and can happen now), decoded where it lies in shared memory:
 * the caller's one copy of it, made in its final place. False (nothing
 * kept) when it is not one, or does not decode (its Future reports that). */
static bool keep_decoded(const result_header_t *header, const char *data, size_t len)
{
	zval value;

	if (header->status != ASYNCTASK_RESULT_VALUE || len < 2 || data[0] != ASYNCTASK_COMPACT_MAGIC
			|| !asynctask_compact_decode(data, len, &value)) {
		return false;
	}
	if (asynctask_results_take_outstanding(header)) {
		asynctask_results_keep_value(header->task_id, &value);
	} else {
		zval_ptr_dtor(&value);
	}
	return true;
}

/* A result in our mailbox's bulk ring (mailbox.h): checked against
 * memory_limit as a spilled one is, then decoded in place (a compact
 * value) or copied once, straight into the result kept for its Future,
 * and its room freed. */
void asynctask_results_store_bulk(const result_header_t *header, const char *where_bytes)
{
	asynctask_mailbox_t *box = ASYNCTASK_G(mailbox);
	size_t decoded = (size_t) header->decoded_kib * 1024;
	char why[256];
	uint64_t where[2];

	if (!box || header->length != BULK_WHERE) {
		store_failure(header, "the task's result was announced in a mailbox this process does not hold");
		return;
	}
	memcpy(where, where_bytes, sizeof(where));
	uint64_t pos = where[0], len = where[1];
	if (!zend_hash_index_exists(&ASYNCTASK_G(outstanding), header->task_id)) {
		/* nobody waits for it: not read at all (we might not have the memory) */
		asynctask_mailbox_bulk_free(box, pos + len);
		asynctask_results_store(header, header->status, 0, "", 0);
		return;
	}
	/* the same bound as for a result in a file (README: "Large results and
	 * memory_limit"), though it is copied once here, not read then copied */
	if (!asynctask_memory_allows((size_t) len + MAX((size_t) len, decoded), (size_t) len, decoded, why, sizeof(why))) {
		asynctask_mailbox_bulk_free(box, pos + len);
		store_failure(header, why);
		return;
	}
	const char *at = asynctask_mailbox_bulk_at(box, pos, len);
	if (at && keep_decoded(header, at, (size_t) len)) {
		asynctask_mailbox_bulk_free(box, pos + len);
		return;
	}
	zend_string *result = asynctask_results_alloc(header->status, decoded, (size_t) len);
	if (!asynctask_mailbox_bulk_read(box, pos, len, ZSTR_VAL(result) + ASYNCTASK_RESULT_HEADER)) {
		zend_string_efree(result);
		store_failure(header, "the task's result was not where its message said in this process's mailbox");
		return;
	}
	asynctask_mailbox_bulk_free(box, pos + len);
	if (!asynctask_results_take_outstanding(header)) {
		zend_string_efree(result);
		return;
	}
	asynctask_results_keep(header->task_id, result);
}
