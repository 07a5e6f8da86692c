/*
 * The transport: how a task travels from the process that dispatches it to
 * a worker, and its result back. This header is the contract between
 * the layers above (api: dispatch() and Future; pool: the workers and the
 * manager) and an implementation below: shared memory (shm/: region, lock,
 * queue, mailbox, spill, result FIFOs) today, Redis Streams (redis/) next.
 * It holds the types both sides speak and one struct of function pointers,
 * asynctask_transport_t (nginx's ngx_event_actions_t is the model):
 * dispatch(), Future and the workers reach an implementation only through
 * it. Making a pool and settling a dead worker's claim stay each
 * implementation's own (pool/ calls shm/ for them). An implementation calls
 * nothing above the transport (a caller that must be told something, as a
 * dispatcher waiting for room, hands it a callback); it may call its own
 * primitives, this header's types, codec/ and base/.
 */
#ifndef ASYNCTASK_TRANSPORT_H
#define ASYNCTASK_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "php.h"
#include "src/codec/options.h"

typedef enum {
	ASYNCTASK_RESULT_VALUE = 1,      /* serialized return value */
	ASYNCTASK_RESULT_THREW,          /* the task threw: remote error */
	ASYNCTASK_RESULT_FAILED,         /* the task could not run: remote error */
	ASYNCTASK_RESULT_UNENCODABLE,    /* the return value could not be serialized: remote error */
	ASYNCTASK_RESULT_CRASHED,        /* the worker died: remote error */
	ASYNCTASK_RESULT_TIMED_OUT,      /* killed past its time limit: remote error */
	ASYNCTASK_RESULT_CANCELLED,      /* cancelled before it ran (local only) */
	/* never a received result: an attempt that failed and is to run again
	 * (Task::withRetries()), as a worker counts it (stats()' "retried") */
	ASYNCTASK_RESULT_RETRIED,
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
	uint64_t queued_ns;    /* when it was dispatched (asynctask_now_ns): its queue wait and, for a local task, TaskContext::dispatchedAt() */
	/* How far the worker got with the outcome: which it is (outcome, a result
	 * status), whether it counted it (its slot's count moved past
	 * counted_before) and delivered it. A worker that dies in between has its
	 * count undone by the manager, which reports the crash instead; one that
	 * dies after delivering is not reported again. */
	uint32_t outcome;
	uint32_t delivered;
	uint64_t counted_before;  /* the worker's count of outcomes before this one (see region.h) */
	uint32_t attempt;      /* this run of the task: 1 the first (context()->attempt()) */
	uint32_t retry;        /* 0; for a task with retries (src/pool/retry.h) the flags of the
	                        * record it came in (shm: queue.h), nonzero */
	uint32_t record_flags; /* the flags of the record it came in (shm: queue.h) */
	uint32_t link, links;  /* a link of a chain (src/pool/chain.h): which, of how many; else 0 */
	/* a link whose worker left its chain's next link to the manager (the
	 * queue had no room): the file is `spill`; its time limit and record flags */
	uint32_t handing_on;
	uint32_t next_timeout_ms;
	uint32_t next_flags;
	char     spill[ASYNCTASK_CLAIM_FILE_MAX];  /* a file the transport keeps the task or result in (shm: a spill file, spill.h) */
	char     retry_file[ASYNCTASK_CLAIM_FILE_MAX];  /* a task with retries: its payload's file, kept while it may run again */
	uint32_t queue;        /* the index of the named queue it was taken from (shm: region.h) */
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

/* The longest id a transport shows for a task (see show_id), with its NUL. */
#define ASYNCTASK_TASK_ID_SHOWN 40

/* Called while a dispatcher waits for room, so that it can collect its own
 * results and let signal handlers run; false: give up (one threw). */
typedef bool (*asynctask_transport_idle_fn)(void);

/* One way for tasks to travel. Each process uses the one in
 * ASYNCTASK_G(transport); an implementation keeps its own per-process state
 * (shm: this process's mapping of the pool's region, ASYNCTASK_G(pool)).
 * The dispatching side's functions throw where they say so; the worker
 * side's never do (a worker runs them outside any task). */
typedef struct _asynctask_transport_t {
	const char *name;
	/* false (shm): this process's pool carries the tasks, and a Future
	 * fails when that pool goes (ASYNCTASK_G(pool), its epoch). true
	 * (redis): tasks wait in a backend that outlives any pool; a Future
	 * waits however long it takes a node to answer, and a failure to reach
	 * the backend is an exception (the dispatching functions may throw). */
	bool remote;

	/* --- the dispatching side: dispatch(), Future --------------------- */

	/* Sends an encoded task (a time limit of timeout_ms, 0: none) and puts
	 * its id in *task_id. While there is no room, idle is called; gives up
	 * after asynctask.dispatch_timeout. Throws and returns FAILURE when the
	 * task was not sent. */
	zend_result (*send)(const char *payload, size_t length, uint32_t timeout_ms,
		asynctask_transport_idle_fn idle, uint64_t *task_id);
	/* The same for a task with job options (src/codec/options.h: its
	 * priority); NULL: the transport does none of them yet, and dispatch()
	 * refuses such a task (src/api/jobs.c). */
	zend_result (*send_job)(const char *payload, size_t length, uint32_t timeout_ms,
		const asynctask_task_options_t *options, asynctask_transport_idle_fn idle, uint64_t *task_id);
	/* Takes back a task no worker has taken yet (counted as cancelled);
	 * false when it is too late. */
	bool (*cancel)(uint64_t task_id);
	/* A Future for task_id exists: its result is expected. */
	void (*expect)(uint64_t task_id);
	/* Collects every result that has arrived; returns how many. */
	int (*collect)(void);
	/* The collected result of task_id (a received result, see
	 * ASYNCTASK_RESULT_HEADER; the caller owns it), or NULL. A transport
	 * may decode a value as it arrives (shm: a large one, decoded from
	 * shared memory, not copied out first): then it is in *value (UNDEF
	 * before; the caller owns it) and the result has no data. */
	zend_string *(*result)(uint64_t task_id, zval *value);
	/* The Future of task_id settled without its result (cancelled, or the
	 * pool went away). */
	void (*settled)(uint64_t task_id);
	/* The Future of task_id is gone: its result is dropped, now or when it comes. */
	void (*forget)(uint64_t task_id);
	/* Spins while a result may be about to come (true) or until spinning no
	 * longer pays (false: sleep instead). */
	bool (*spin)(void);
	/* Sleeps until results may have come, at most timeout_ms; true when
	 * there may be news. */
	bool (*sleep)(int timeout_ms);
	/* A new fd (the caller owns it) that polls readable whenever a result
	 * may have come (AsyncTask\events(): for event loops, which then
	 * collect); -1 with errno set. NULL: the transport has none. */
	int (*events)(void);
	/* The id Future::id() shows for task_id, in out (at most
	 * ASYNCTASK_TASK_ID_SHOWN bytes with its NUL); NULL: the number itself. */
	void (*show_id)(uint64_t task_id, char *out);

	/* --- the worker side ------------------------------------------------ */

	/* Takes the next task for the worker whose claim this is. true: a task
	 * is claimed, *payload is it, or NULL with errno set when its payload
	 * could not be read (the worker reports that as the task's failure).
	 * false: there is none; wait(*wait_token) sleeps until there may be. */
	bool (*take)(asynctask_claim_t *claim, zend_string **payload, uint32_t *wait_token);
	void (*wait)(uint32_t wait_token);
	/* Delivers a task's outcome to the process that dispatched it; timeout
	 * < 0: wait for room as long as that process lives. Notes in claim (a
	 * worker's, or NULL) when it is delivered. Returns 0; ESRCH, ENXIO,
	 * ENOENT or EPIPE when nobody takes it any more; or another errno. */
	int (*post)(const asynctask_report_t *report, double timeout, asynctask_claim_t *claim);

	/* --- stats and liveness ---------------------------------------------- */

	/* Whether the pool still serves this process's tasks (a yes may be a
	 * moment old: the dispatch path asks it often). */
	bool (*alive)(void);
	/* A result the caller could not take after all: count it as `status`
	 * instead of the completed value the worker counted. */
	void (*recount)(asynctask_result_status_t status);
} asynctask_transport_t;

#endif
