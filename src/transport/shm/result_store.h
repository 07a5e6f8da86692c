/*
 * The inside of results (result.h), shared by result.c, result_spilled.c,
 * result_post.c and result_mailbox.c: the message a result travels in, and
 * the caller's books (result_store.c) the receiving side stores with.
 * Nothing else includes this. (It leaves result.h out, so that result.c
 * including it is no circle.)
 */
#ifndef ASYNCTASK_TRANSPORT_SHM_RESULT_STORE_H
#define ASYNCTASK_TRANSPORT_SHM_RESULT_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "php.h"

#define RESULT_MAGIC 0x31525441u /* "ATR1" */

typedef struct {
	uint32_t magic;
	uint32_t length;     /* bytes after this header */
	uint64_t task_id;
	uint8_t  status;
	uint8_t  spilled;    /* RESULT_IN_FILE: in a spill file (spill.h), whose name its reader knows;
	                      * RESULT_IN_BULK: in the mailbox's bulk ring, where the message says (mailbox.h) */
	/* the manager's report for a worker that died after counting this
	 * outcome (a status) but maybe before delivering it; 0 otherwise */
	uint8_t  counted_by_worker;
	uint8_t  reserved;
	/* a spilled value's bound of the memory it needs to be decoded, in KiB */
	uint32_t decoded_kib;
} result_header_t;

#define RESULT_IN_FILE 1
#define RESULT_IN_BULK 2
#define BULK_WHERE (2 * sizeof(uint64_t))  /* a bulk message's data: the position and length of its result */

#define FIFO_NAME_MAX 32

/* --- result_store.c: the caller's books */

/* "<pid>.fifo", a process's FIFO in the runtime directory. */
void asynctask_results_fifo_name(char name[FIFO_NAME_MAX], pid_t pid);
/* The report of a task: true when its Future waits for it (it no longer
 * counts as outstanding then); false when nobody does (any more). */
bool asynctask_results_take_outstanding(const result_header_t *header);
/* A received result (transport.h) of len data bytes, the data not yet in it. */
zend_string *asynctask_results_alloc(uint8_t status, size_t decoded, size_t len);
/* Keeps result for its Future (task id). */
void asynctask_results_keep(uint64_t id, zend_string *result);
/* Keeps a value decoded as it arrived for its Future (task id): moved in. */
void asynctask_results_keep_value(uint64_t id, zval *value);
/* Keeps a result whose data came in the message, when its Future waits for it. */
void asynctask_results_store(const result_header_t *header, uint8_t status, size_t decoded, const char *data,
	size_t len);

/* --- result_spilled.c (called by result.c) */

/* A result in a spill file (the file's name is ours to know). */
void asynctask_results_store_spilled(const result_header_t *header);
/* A result in the mailbox's bulk ring, where the message's data says. */
void asynctask_results_store_bulk(const result_header_t *header, const char *where_bytes);

#endif
