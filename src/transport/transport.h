/*
 * The transport: how a task travels from the process that dispatches it to
 * a worker, and its result back. This header is the whole contract between
 * the layers above (api: dispatch() and Future; pool: the workers and the
 * manager) and an implementation below: shared memory (shm/: region, lock,
 * queue, mailbox, spill, result FIFOs) today, Redis Streams (redis/) next.
 * It holds the types both sides speak and one struct of function pointers,
 * asynctask_transport_t (nginx's ngx_event_actions_t is the model): callers
 * reach an implementation only through it, an implementation calls nothing
 * above the transport (a caller that must be told something, as a
 * dispatcher waiting for room, hands it a callback). An implementation may
 * call its own primitives, codec/ and base/.
 */
#ifndef ASYNCTASK_TRANSPORT_H
#define ASYNCTASK_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "php.h"

typedef enum {
	ASYNCTASK_RESULT_VALUE = 1,      /* serialized return value */
	ASYNCTASK_RESULT_THREW,          /* the task threw: remote error */
	ASYNCTASK_RESULT_FAILED,         /* the task could not run: remote error */
	ASYNCTASK_RESULT_UNENCODABLE,    /* the return value could not be serialized: remote error */
	ASYNCTASK_RESULT_CRASHED,        /* the worker died: remote error */
	ASYNCTASK_RESULT_TIMED_OUT,      /* killed past its time limit: remote error */
	ASYNCTASK_RESULT_CANCELLED,      /* cancelled before it ran (local only) */
} asynctask_result_status_t;

/* A received result: status byte, the memory its value needs to be decoded
 * (a size_t: the worker's bound for a result that travelled in a file, 0
 * for the small rest), then the data. */
#define ASYNCTASK_RESULT_HEADER    (1 + sizeof(size_t))
#define ASYNCTASK_RESULT_STATUS(s) ((asynctask_result_status_t) (unsigned char) ZSTR_VAL(s)[0])
#define ASYNCTASK_RESULT_DATA(s)   (ZSTR_VAL(s) + ASYNCTASK_RESULT_HEADER)
#define ASYNCTASK_RESULT_LEN(s)    (ZSTR_LEN(s) - ASYNCTASK_RESULT_HEADER)
static inline size_t asynctask_result_decoded_size(const zend_string *s)
{
	size_t size;
	memcpy(&size, ZSTR_VAL(s) + 1, sizeof(size));
	return size;
}

/* The longest name of a file a claim may keep (see asynctask_claim_t). */
#define ASYNCTASK_CLAIM_FILE_MAX 64

/* What a worker holds, in its slot of the pool: written by the transport
 * in the same step that takes the task (shm: in the queue lock's critical
 * section, queue.h), so the manager always knows which task a dead worker
 * held and whose it was. */
typedef struct {
	uint64_t task_id;     /* 0: holds nothing */
	int32_t  owner;
	uint32_t timeout_ms;
	uint64_t started_ns;
	/* How far the worker got with the outcome: which it is (outcome, a result
	 * status), whether it counted it (its slot's count moved past
	 * counted_before) and delivered it. A worker that dies in between has its
	 * count undone by the manager, which reports the crash instead; one that
	 * dies after delivering is not reported again. */
	uint32_t outcome;
	uint32_t delivered;
	uint64_t counted_before;  /* the worker's count of outcomes before this one (see region.h) */
	char     spill[ASYNCTASK_CLAIM_FILE_MAX];  /* a file the transport keeps the task or result in (shm: a spill file, spill.h) */
} asynctask_claim_t;

/* A task's outcome on its way to the process that dispatched it. */
typedef struct {
	pid_t       owner;
	uint64_t    task_id;
	asynctask_result_status_t status;
	/* the manager's report for a worker that died after counting this
	 * outcome (a status) in stats() but maybe before delivering it */
	uint32_t    counted_by_worker;
	const char *data;
	size_t      length;
	/* a value's bound of the memory it needs to be decoded, for a result
	 * that travels in a file (asynctask_value_footprint()); else 0 */
	size_t      decoded_size;
} asynctask_report_t;

#endif
