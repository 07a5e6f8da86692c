/*
 * The manager sweeping what dead dispatchers left: their FIFOs, result
 * spills nobody will read, task spills never queued, and their mailboxes.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/pool/manager_internal.h"

static bool claimed_spill(const char *name)
{
	for (uint32_t i = 0; i < asynctask_mgr.pool->workers; i++) {
		const asynctask_claim_t *claim = &asynctask_mgr.pool->slots[i].claim;
		if (strcmp(claim->spill, name) == 0 || strcmp(claim->retry_file, name) == 0) {
			return true;
		}
	}
	return false;
}

/* An entry of the runtime directory left by a dispatcher that died: its
 * result FIFO, result spills nobody will read, and task spills it wrote but
 * did not live to queue. (Queued tasks of a dead dispatcher still run.) */
static void sweep_entry(const char *name, void *arg)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	pid_t pid = 0;
	int fifo_pid, end = 0;
	(void) arg;

	bool spill = asynctask_spill_name_valid(name, &pid);
	if (!spill && (sscanf(name, "%d.fifo%n", &fifo_pid, &end) != 1 || name[end] != '\0')) {
		return;
	}
	if (!spill) {
		pid = (pid_t) fifo_pid;
	}
	if (pid <= 0 || !asynctask_process_gone(pid)) {
		return;
	}
	/* claimed, queued, held for a retry (delay.h), or claimed since we looked
	 * (a worker took it meanwhile): a task that will still run */
	if (spill && (claimed_spill(name) || asynctask_region_refers_to(pool, name) || asynctask_delay_refers_to(name)
			|| claimed_spill(name))) {
		return;
	}
	unlinkat(asynctask_rundir_fd(), name, 0);
}

void asynctask_manager_sweep_runtime_dir(void)
{
	asynctask_rundir_each(sweep_entry, NULL);
}

/* Frees the mailboxes of dispatchers that died; the results they held had
 * nobody to go to (dropped, and counted). */
void asynctask_manager_sweep_mailboxes(void)
{
	asynctask_pool_t *pool = asynctask_mgr.pool;
	asynctask_mailbox_t *boxes = asynctask_region_mailboxes(pool);

	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		pid_t owner = __atomic_load_n(&boxes[i].owner, __ATOMIC_RELAXED);
		if (owner > 0 && asynctask_process_gone(owner)) {
			uint32_t dropped = asynctask_results_free_mailbox(&boxes[i], owner);
			__atomic_add_fetch(&pool->counters.dropped_results, dropped, __ATOMIC_RELAXED);
		}
	}
}
