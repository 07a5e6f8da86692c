/*
 * A Redis node's job as it ends: finished (retried or its chain's next link
 * queued, node_jobs.c; else stored, or for a crashed worker claimed again at
 * once while attempts are left, else dead-lettered), or abandoned (the bridge
 * will not run it after all).
 *
 * The top of the node's taking side: the bridge calls it. It calls down to
 * node_claim.c, node_jobs.c, node_steps.c and node_writer.c; none of them
 * calls back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

void asynctask_redis_node_abandon(asynctask_redis_job_t *job)
{
	asynctask_redis_node_live_remove(job);
	asynctask_redis_node_job_free(job);
}

void asynctask_redis_node_finish(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size)
{
	asynctask_redis_node_live_remove(job);
	if (asynctask_redis_node_follow_up(job, status, data, len)) {
		return;   /* retried, or the chain's next link queued */
	}
	if (status != ASYNCTASK_RESULT_CRASHED) {
		asynctask_redis_node_store(job, status, data, len, decoded_size);
		return;
	}
	/* its worker died: as a node that died, it runs again while attempts are left */
	asynctask_remote_error_t error = {0};
	const char *message = "its worker died";
	if (asynctask_remote_error_decode(data, len, &error) && error.message) {
		message = ZSTR_VAL(error.message);
	}
	if (job->attempt < asynctask_rnode.config.max_attempts) {
		if (asynctask_rnode.taking) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_redelivered",
				"redis node: entry %s (attempt %u of %u): %s; it runs again", job->entry_id, job->attempt,
				asynctask_rnode.config.max_attempts, message);
			asynctask_redis_node_claim_one(job->entry_id, job->queue, job->level);
		} else {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_left_pending",
				"redis node: entry %s (attempt %u of %u): %s; the node is draining: left pending, to run "
				"again after asynctask.visibility_timeout", job->entry_id, job->attempt, asynctask_rnode.config.max_attempts,
				message);
		}
		asynctask_redis_node_job_free(job);
	} else {
		char why[700], result[800];
		snprintf(why, sizeof(why), "%s", message);
		snprintf(result, sizeof(result), "the task was dead-lettered after %u attempts: %s", job->attempt, message);
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "entry_dead_lettered",
			"redis node: entry %s crashed on attempt %u of %u (%s): dead-lettered", job->entry_id,
			job->attempt, asynctask_rnode.config.max_attempts, message);
		asynctask_redis_node_dead_letter(job->entry_id, job->raw, job->raw_len, job, job->attempt, why,
			ASYNCTASK_RESULT_CRASHED, result);
	}
	asynctask_remote_error_dtor(&error);
}
