/*
 * The shared-memory transport (shm.h): this process's hold on the pool's
 * region, and whether the manager that serves it is alive.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/base/process.h"
#include "src/transport/shm/lock.h"
#include "src/transport/shm/memory.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/rundir.h"
#include "src/transport/shm/shm.h"

#define HEARTBEAT_STALE_NS (1000ull * 1000 * 1000)

void asynctask_shm_forget(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	if (pool) {
		ASYNCTASK_G(next_task_id) = pool->next_task_id;
		asynctask_results_close();
		asynctask_memory_unmap(pool, ASYNCTASK_G(pool_size));
	}
	asynctask_rundir_forget();
	ASYNCTASK_G(pool) = NULL;
	ASYNCTASK_G(pool_size) = 0;
	ASYNCTASK_G(pool_epoch)++;
}

bool asynctask_shm_alive(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (!pool || pool->manager <= 0) {
		return false;
	}
	if (pool->owner == (int32_t) asynctask_self()) {
		/* our child: reap it if it died, so it is not mistaken for alive */
		int status;
		pid_t r = waitpid(pool->manager, &status, WNOHANG);
		if (r == pool->manager) {
			asynctask_log("the pool manager (pid %d) exited unexpectedly (status %d)", (int) pool->manager, status);
			pool->manager = -1;
			return false;
		}
		if (r == 0) {
			return true;
		}
		/* ECHILD: the script's own SIGCHLD handler reaped it, or will; ask the kernel */
	}
	if (kill(pool->manager, 0) != 0 && errno == ESRCH) {
		return false;
	}
	/* it ticks ten times a second: only a silent one may be a zombie */
	uint64_t beat = __atomic_load_n(&pool->heartbeat_ns, __ATOMIC_RELAXED);
	return asynctask_now_ns() - beat < HEARTBEAT_STALE_NS || !asynctask_process_is_zombie(pool->manager);
}

/* How long a positive answer of asynctask_shm_alive() serves the dispatch path. */
#define ALIVE_RECHECK_NS (1000ull * 1000)

bool asynctask_shm_alive_lately(void)
{
	/* the pool (by epoch: bumped whenever this process lets go of one) and when it was seen alive */
	static uint32_t checked_epoch;
	static uint64_t checked_at;
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	uint64_t now = asynctask_now_ns();

	if (pool && pool->manager > 0 && checked_at && checked_epoch == ASYNCTASK_G(pool_epoch)
			&& now - checked_at < ALIVE_RECHECK_NS) {
		return true;
	}
	checked_at = 0;
	if (!asynctask_shm_alive()) {
		return false;
	}
	checked_epoch = ASYNCTASK_G(pool_epoch);
	checked_at = now;
	return true;
}
