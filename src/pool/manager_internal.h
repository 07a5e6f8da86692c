/*
 * The inside of the manager (manager.h), shared by the files that make it
 * up; nothing outside src/pool/manager_*.c includes this. One concept a file,
 * from the top down; each calls only the files below it (scripts/layers-check
 * reads the objects' symbols and fails on a circle of calls):
 *   manager_loop.c     its state, the loop (tick, signals, the php-fpm link), run
 *   manager_sweep.c    what dead dispatchers left
 *   manager_workers.c  supervision: forking, reaping (a worker exited), respawning, time limits
 *   manager_stop.c     draining, reloading, stopping; the owner or master gone
 *   manager_claims.c   settling a dead worker's claim, reporting its task
 */
#ifndef ASYNCTASK_POOL_MANAGER_INTERNAL_H
#define ASYNCTASK_POOL_MANAGER_INTERNAL_H

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/pool/manager.h"
#include "src/pool/delay.h"
#include "src/pool/retry.h"
#include "src/pool/chain.h"
#include "src/pool/worker.h"
#include "src/pool/status/record.h"
#include "src/pool/status/status.h"
#include "src/transport/shm/idle.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/spill.h"
#include "src/transport/shm/rundir.h"
#include "src/codec/remote_error.h"
#include "src/base/clock.h"
#ifdef HAVE_ASYNCTASK_REDIS
# include "src/pool/bridge.h"
#endif

#define TICK_USEC 100000  /* time limits are enforced to within this */
#define KILL_GRACE_NS (250ull * 1000 * 1000)  /* from SIGTERM to SIGKILL: reported within 0.5 s of the limit */
#define SWEEP_TICKS 10  /* look for what dead dispatchers left about once a second */
#define STARTUP_FAILURES_MAX 3                     /* then back off and fail what is queued */
#define BACKOFF_MIN_NS (1000ull * 1000 * 1000)
#define BACKOFF_MAX_NS (30ull * 1000 * 1000 * 1000)

/* A report the owner's full pipe could not take yet. */
typedef struct pending_report {
	struct pending_report *next;
	asynctask_report_t     report;  /* its data points at data[] */
	char                   data[];
} pending_report_t;

#define EVENTS_MAX 6

typedef struct {
	asynctask_pool_t  *pool;
	const asynctask_manager_hooks_t *hooks;  /* a server pool's (server_manager.c), else NULL */
	struct event_base *base;
	struct event      *events[EVENTS_MAX];
	int                nevents;
	pending_report_t  *pending;
	/* server pool: the php-fpm master is gone; drain until this deadline (ns) */
	bool               master_gone;
	uint64_t           drain_deadline;
	/* CLI: the script that owns the pool is gone; drain until drain_deadline */
	bool               owner_gone;
	uint64_t           ticks;
	/* workers that could not start in a row (asynctask.bootstrap failed);
	 * past a few, no worker is forked before respawn_at (backing off) */
	uint32_t           startup_failures;
	uint64_t           backoff_ns;
	uint64_t           respawn_at;
	/* The workers as the manager forked them, in its own memory: the pids it
	 * signals and reaps are never read from the region, which every process
	 * of the pool can write (a caller that scribbles over it must not make
	 * the manager signal its own process group, or the caller). */
	uint32_t           workers;                        /* the pool's count at start */
	pid_t              pids[ASYNCTASK_WORKERS_MAX];    /* per slot; 0: none */
} asynctask_manager_state_t;

/* The manager's state (defined in manager_loop.c). */
extern asynctask_manager_state_t asynctask_mgr;

/* The worker of slot index as the manager forked it (0: none). */
static inline pid_t asynctask_manager_pid(uint32_t index)
{
	return index < asynctask_mgr.workers ? asynctask_mgr.pids[index] : 0;
}

static inline void asynctask_manager_set_pid(uint32_t index, pid_t pid)
{
	if (index < asynctask_mgr.workers) {
		asynctask_mgr.pids[index] = pid;
	}
}

/* --- manager_workers.c */

/* How a worker ended (its wait status), for the log: "exited with status N", "was killed by signal N (…)". */
void asynctask_manager_describe_exit(char *buf, size_t size, int status);
/* Forks the worker of slot index. */
void asynctask_manager_spawn(uint32_t index);
/* Forks the workers missing (none while stopping, nor before a back-off ends). */
void asynctask_manager_spawn_missing(void);
/* Workers keep failing to start: stop forking them for a while. */
void asynctask_manager_back_off(void);
/* Reaps the workers that exited. */
void asynctask_manager_reap(void);
/* A worker exited (its wait status): its claim settled and its task reported. */
void asynctask_manager_worker_exited(asynctask_worker_slot_t *slot, int status);
/* SIGTERM, then SIGKILL, to a worker past its task's time limit. */
void asynctask_manager_enforce_time_limits(void);

/* --- manager_claims.c */

/* Posts the reports the callers' full pipes could not take yet. */
void asynctask_manager_retry_reports(void);
/* Reports claim's task as failed (status) with message; counted_by_worker:
 * the outcome its dead worker had counted and the manager undid (0: none). */
void asynctask_manager_report_failure(const asynctask_claim_t *claim, asynctask_result_status_t status,
	const char *message, uint32_t counted_by_worker);
/* A delayed task the manager still held when the pool stopped (delay.h). */
void asynctask_manager_fail_delayed(const asynctask_record_t *record, uint32_t queue, const char *why);
/* A dead worker's counts to the pool; returns the outcome undone (0: none). */
uint32_t asynctask_manager_settle_counts(asynctask_worker_slot_t *slot, const asynctask_claim_t *claim);
/* A dead worker's claim, as it stands once every lock it may have died in is synced (manager_claims.c). */
asynctask_claim_t asynctask_manager_dead_claim(asynctask_worker_slot_t *slot, bool *unheard);
/* Reports claim's task as failed (status) with message, its outcome already
 * counted (asynctask_manager_report_failure() counts it, then calls this). */
void asynctask_manager_post_failure(const asynctask_claim_t *claim, asynctask_result_status_t status,
	const char *message, uint32_t counted_by_worker);

/* --- manager_stop.c */

bool asynctask_manager_stopping(void);
bool asynctask_manager_queue_has_work(void);
/* Stops the loop once a requested stop has drained everything. */
void asynctask_manager_check_drained(void);
/* Reload: replaces the workers of older generations one at a time. */
void asynctask_manager_continue_reload(void);
/* Fails every queued task with why (no worker can run them). */
void asynctask_manager_fail_queued_tasks(const char *why);
/* Kills every worker now; their tasks are reported as failed. */
void asynctask_manager_stop_now(const char *why);
bool asynctask_manager_owner_alive(void);
/* CLI: the script that owns the pool is gone (manager_stop.c says what then). */
void asynctask_manager_owner_gone(void);
/* Server pool: the php-fpm master is gone (manager_stop.c says what then). */
void asynctask_manager_master_gone(void);

/* --- manager_sweep.c */

void asynctask_manager_sweep_runtime_dir(void);
/* Frees the mailboxes of dispatchers that died. */
void asynctask_manager_sweep_mailboxes(void);

#endif
