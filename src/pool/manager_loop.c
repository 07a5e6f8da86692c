/*
 * The manager's libevent loop (manager.h): its state, the tick, the
 * signals, the php-fpm link, and asynctask_manager_run(), which sets the
 * loop up, runs it, and leaves. The rest is in manager_*.c (listed in
 * manager_internal.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/pool/manager_internal.h"
#include "src/pool/server_messages.h"

#ifdef __GLIBC__
# include <malloc.h>
#endif

asynctask_manager_state_t asynctask_mgr;

/* Server pool: the supervisor forwards the sockets of FPM children that
 * ask for this pool; its end closing means the php-fpm master is gone. */
static void on_link(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;

	if (!asynctask_mgr.hooks->answer_clients(asynctask_mgr.pool)) {
		asynctask_manager_master_gone();
	}
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void) fd; (void) what; (void) arg;

	__atomic_store_n(&asynctask_mgr.pool->heartbeat_ns, asynctask_now_ns(), __ATOMIC_RELAXED);
	if (asynctask_mgr.master_gone) {
		if (asynctask_now_ns() >= asynctask_mgr.drain_deadline) {
			char why[160];
			snprintf(why, sizeof(why), "the %s master is gone and the queue did not drain within "
				"asynctask.shutdown_timeout", asynctask_server_master());
			asynctask_manager_stop_now(why);
			return;
		}
	} else {
		asynctask_manager_owner_gone();
	}
	if (asynctask_mgr.owner_gone && asynctask_now_ns() >= asynctask_mgr.drain_deadline) {
		asynctask_manager_stop_now("the process that owned the pool exited and the queue did not drain within "
			"asynctask.shutdown_timeout");
		return;
	}
	asynctask_delay_look();  /* (a dispatcher's SIGUSR2 is the prompt way) */
	asynctask_manager_enforce_time_limits();
	asynctask_manager_retry_reports();
#ifdef HAVE_ASYNCTASK_REDIS
	asynctask_bridge_tick();
#endif
	asynctask_manager_spawn_missing();
	asynctask_manager_continue_reload();
	if (++asynctask_mgr.ticks % SWEEP_TICKS == 0) {
		asynctask_manager_sweep_mailboxes();
		asynctask_results_wake_stranded(asynctask_mgr.pool);
		asynctask_manager_sweep_runtime_dir();
		asynctask_results_close_dead_pipes();
	}
	asynctask_manager_check_drained();
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void) what; (void) arg;

	switch (sig) {
		case SIGCHLD:
			asynctask_manager_reap();
			break;
		case SIGTERM:
			asynctask_manager_stop_now("the pool manager was terminated");
			break;
		case SIGUSR1:
			__atomic_add_fetch(&asynctask_mgr.pool->generation, 1, __ATOMIC_SEQ_CST);
			asynctask_manager_continue_reload();
			break;
		case SIGUSR2:  /* a stop was asked, or (CLI) the owner died, or a task was delayed: look now */
			asynctask_delay_look();
			asynctask_manager_owner_gone();
			asynctask_manager_check_drained();
			break;
	}
}

static void add_event(struct event *ev, const struct timeval *tv)
{
	if (!ev || event_add(ev, tv) != 0) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "manager_setup_failed",
			"the pool manager cannot set up its event loop");
		_exit(70);
	}
	asynctask_mgr.events[asynctask_mgr.nevents++] = ev;
}

static const int manager_signals[] = { SIGCHLD, SIGTERM, SIGUSR1, SIGUSR2 };

uint32_t asynctask_manager_default_workers(void)
{
	long cpus;

	if (ASYNCTASK_G(workers) > 0) {
		return (uint32_t) ASYNCTASK_G(workers);
	}
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (uint32_t) cpus : 1;
}

void asynctask_manager_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(manager_signals) / sizeof(manager_signals[0]); i++) {
		sigaddset(set, manager_signals[i]);
	}
}

/* A php-fpm pool's last words: how every task it was given ended (its
 * figures are otherwise gone with it; a CLI pool's owner has them). discarded:
 * tasks dropped unrun as it left (their callers were told the pool stopped). */
static void log_final_counts(uint64_t discarded)
{
	asynctask_counters_t c;

	if (!asynctask_mgr.pool->server) {
		return;
	}
	uint64_t dispatched = asynctask_region_counts(asynctask_mgr.pool, &c);
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "manager_stopped",
		"the pool leaves: %" PRIu64 " dispatched, %" PRIu64 " completed, %" PRIu64 " failed (%" PRIu64
		" crashed, %" PRIu64 " timed out), %" PRIu64 " cancelled, %" PRIu64 " discarded unrun; %" PRIu64
		" results dropped", dispatched, c.completed, c.failed, c.crashed, c.timed_out, c.cancelled, discarded,
		c.dropped_results);
}

#ifdef HAVE_ASYNCTASK_REDIS
/* A node's manager moves whole entries through hiredis' and libevent's
 * buffers (malloc()ed, not PHP's): glibc would give each one of 128 KiB or
 * more a fresh mmap() and fault in every page of it again. Buffers of up to
 * 4 MiB stay on the heap and are reused; at most 8 MiB of freed heap is kept
 * (a 1 MiB echo took 0.89x the time, median of 12 interleaved rounds). Workers were forked
 * before this: it is the manager's alone. */
static void keep_large_buffers(void)
{
#ifdef __GLIBC__
	if (mallopt(M_MMAP_THRESHOLD, 4 << 20) != 1 || mallopt(M_TRIM_THRESHOLD, 8 << 20) != 1) {
		asynctask_log_event(ASYNCTASK_LOG_NOTICE, "manager_mallopt_failed",
			"the node's manager could not tune malloc for large entries (mallopt refused): they still work, slower");
	}
#endif
}
#endif

ZEND_NORETURN void asynctask_manager_run(asynctask_pool_t *pool, const asynctask_manager_hooks_t *hooks)
{
	sigset_t handled;
	struct timeval tick = { 0, TICK_USEC };
	int link = -1;

	ASYNCTASK_G(in_pool_process) = true;
	asynctask_log_set_role("manager");
	asynctask_mgr.pool = pool;
	asynctask_mgr.hooks = hooks;
	asynctask_mgr.workers = pool->workers < ASYNCTASK_WORKERS_MAX ? pool->workers : ASYNCTASK_WORKERS_MAX;
	memset(asynctask_mgr.pids, 0, sizeof(asynctask_mgr.pids));
	pool->heartbeat_ns = asynctask_now_ns();
	prctl(PR_SET_NAME, "asynctask-mgr");  /* what ps -o comm, top and pgrep show */
	pool->manager = (int32_t) asynctask_self();

	/* its own process group: a terminal's ^C reaches the script, which then
	 * drains the pool, rather than every worker at once */
	setpgid(0, 0);
	if (pool->server) {
		/* started by the supervisor (server_manager.c), whose socket also
		 * says when the php-fpm master is gone */
		link = hooks->link;
	} else {
		/* SIGUSR2, not SIGTERM (stop now): the owner's death drains the pool */
		if (prctl(PR_SET_PDEATHSIG, SIGUSR2) != 0 || getppid() != pool->owner) {
			_exit(1);
		}
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	ASYNCTASK_G(mailbox) = NULL;  /* the owner's */
	if (ASYNCTASK_G(result_fd) >= 0) {
		close(ASYNCTASK_G(result_fd)); /* the owner's */
		ASYNCTASK_G(result_fd) = -1;
	}

	asynctask_mgr.base = event_base_new();
	if (!asynctask_mgr.base) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "manager_setup_failed",
			"the pool manager cannot create its event base");
		_exit(70);
	}
	for (int i = 0; i < 4; i++) {
		add_event(evsignal_new(asynctask_mgr.base, manager_signals[i], on_signal, NULL), NULL);
	}
	add_event(event_new(asynctask_mgr.base, -1, EV_PERSIST, on_tick, NULL), &tick);
	asynctask_status_start(asynctask_mgr.base, pool);  /* asynctask.status_listen */
	asynctask_delay_start(pool, asynctask_mgr.base);
	if (link >= 0) {
		/* the last event: master_gone() removes it */
		add_event(event_new(asynctask_mgr.base, link, EV_READ | EV_PERSIST, on_link, NULL), NULL);
	}
	/* blocked by the owner across fork(): what arrived meanwhile is delivered now */
	asynctask_manager_signals(&handled);
	sigprocmask(SIG_UNBLOCK, &handled, NULL);

	asynctask_manager_spawn_missing();
	bool serving = true;
#ifdef HAVE_ASYNCTASK_REDIS
	if (asynctask_bridge_configured()) {
		keep_large_buffers();
		if (!asynctask_bridge_start(pool, asynctask_mgr.base)) {
			asynctask_manager_stop_now("the node could not start");
			serving = false;
		}
	}
#endif
	if (serving) {
		event_base_dispatch(asynctask_mgr.base);
	}

	/* the loop ends when drained or stopped: wait for anything left, report, leave */
	asynctask_delay_fail_all(asynctask_manager_fail_delayed,
		"the pool stopped before the task's delay (Task::delay()) ended: it never ran");
	asynctask_manager_reap();
	asynctask_manager_retry_reports();
#ifdef HAVE_ASYNCTASK_REDIS
	asynctask_bridge_shutdown();
#endif
	bool orphaned = !asynctask_manager_owner_alive();
	asynctask_status_stop();
	for (int i = 0; i < asynctask_mgr.nevents; i++) {
		event_free(asynctask_mgr.events[i]);
	}
	event_base_free(asynctask_mgr.base);
	uint64_t discarded = 0;
	if (orphaned) {
		/* nobody is left to clean up after the pool: do it here */
		discarded = asynctask_region_discard(pool);
		asynctask_rundir_take_over();
		asynctask_rundir_remove();
	}
	log_final_counts(discarded);
	_exit(0);
}
