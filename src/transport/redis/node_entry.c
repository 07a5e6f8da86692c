/*
 * A Redis node's entries as they come, from a take step, a blocked read or a
 * claim: which queue and level a stream is, and each entry verified (its
 * signed "t" field decoded, its deliveries counted against
 * asynctask.max_attempts) and handed to the bridge as a job to run, or
 * dead-lettered, never run, when it does not verify.
 *
 * It calls down to node_steps.c (dead-letter) and node_writer.c (the jobs
 * running), never up to node_take.c or node_claim.c, which hand it their
 * replies.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* The queue and level whose stream is named (the reply of a read or a claim), or false. */
static bool stream_of(const redisReply *stream, unsigned *queue, unsigned *level)
{
	if (!stream || stream->type != REDIS_REPLY_STRING) {
		return false;
	}
	for (unsigned q = 0; q < asynctask_rnode.nqueues; q++) {
		for (unsigned l = 0; l < ASYNCTASK_REDIS_LEVELS; l++) {
			const char *name = asynctask_rnode.queues[q].streams[l];
			if (stream->len == strlen(name) && memcmp(stream->str, name, stream->len) == 0) {
				*queue = q;
				*level = l;
				return true;
			}
		}
	}
	return false;
}

/* One entry from a read or a claim: [id, [field, value, ...]], delivered for the attempts-th time. */
static void take_entry(const redisReply *id, const redisReply *fields, uint32_t attempts, unsigned queue, unsigned level)
{
	char entry_id[48], why[512];
	const redisReply *t = NULL;
	zend_string *error = NULL;
	const char *stream = asynctask_rnode.queues[queue].streams[level];

	if (!id || id->type != REDIS_REPLY_STRING || id->len >= sizeof(entry_id)) {
		return;
	}
	memcpy(entry_id, id->str, id->len);
	entry_id[id->len] = '\0';
	if (fields && fields->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i + 1 < fields->elements; i += 2) {
			const redisReply *f = fields->element[i];
			if (f->type == REDIS_REPLY_STRING && f->len == sizeof(ASYNCTASK_REDIS_FIELD_TASK) - 1
					&& memcmp(f->str, ASYNCTASK_REDIS_FIELD_TASK, f->len) == 0
					&& fields->element[i + 1]->type == REDIS_REPLY_STRING) {
				t = fields->element[i + 1];
				break;
			}
		}
	}
	/* a job from here on, also for an entry that will not verify: it names the stream the entry is on */
	asynctask_redis_job_t *job = calloc(1, sizeof(*job));
	char *raw = job ? malloc(t && t->len ? t->len : 1) : NULL;
	if (!raw) {
		free(job);
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory taking entry %s (left pending)", entry_id);
		return;
	}
	job->level = (uint8_t) level;
	job->queue = (uint16_t) queue;
	memcpy(job->entry_id, entry_id, sizeof(entry_id));
	if (!t) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s has no \"t\" field: dead-lettered, never run", entry_id, stream);
		free(raw);
		asynctask_redis_node_dead_letter(entry_id, "", 0, job, attempts,
			"the entry has no \"" ASYNCTASK_REDIS_FIELD_TASK "\" field", ASYNCTASK_RESULT_FAILED, NULL);
		return;
	}
	memcpy(raw, t->str, t->len);
	zend_string *secret = zend_string_init(asynctask_rnode.config.secret, asynctask_rnode.config.secret_len, 0);
	zend_result ok = asynctask_wire_decode(raw, t->len, ASYNCTASK_WIRE_TASK, asynctask_rnode.config.max_payload, secret,
		&job->task, &error);
	zend_string_efree(secret);
	if (ok == FAILURE) {
		/* never decoded, never run: the bytes go to the dead stream as they came */
		snprintf(why, sizeof(why), "%s", error ? ZSTR_VAL(error) : "the entry does not verify");
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s %s: dead-lettered, never run", entry_id, stream, why);
		if (error) zend_string_release(error);
		memset(&job->task, 0, sizeof(job->task));   /* never decoded: no reply key to answer on */
		asynctask_redis_node_dead_letter(entry_id, raw, t->len, job, attempts, why, ASYNCTASK_RESULT_FAILED, NULL);
		free(raw);
		return;
	}
	job->raw = raw;
	job->raw_len = t->len;
	job->attempt = attempts ? attempts : 1;
	/* the runs before this entry (its signed attempt: retries, node_jobs.c) and its deliveries since */
	job->run = job->task.attempt < UINT32_MAX - job->attempt ? job->task.attempt + job->attempt - 1 : UINT32_MAX;
	if (job->attempt > asynctask_rnode.config.max_attempts) {
		char message[600];
		snprintf(why, sizeof(why), "not acknowledged after %u deliveries (asynctask.max_attempts=%u): its node "
			"stopped answering each time", job->attempt - 1, asynctask_rnode.config.max_attempts);
		snprintf(message, sizeof(message), "the task was dead-lettered after %u attempts: %s", job->attempt - 1, why);
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s %s: dead-lettered", entry_id, stream, why);
		asynctask_redis_node_dead_letter(entry_id, job->raw, job->raw_len, job, job->attempt - 1, why,
			ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	asynctask_redis_node_live_add(job);
	asynctask_rnode.hooks.run(job);
}

/* The entries of a take step, a blocked read or a claim (reply: [[stream, [[id, fields], ...]], ...],
 * or for a claim [[id, fields, deliveries, stream], ...]), each handed on with its queue and level; which
 * queues had some into got. Returns how many. */
size_t asynctask_redis_node_take_entries(const redisReply *reply, bool claim, bool got[ASYNCTASK_QUEUES_MAX])
{
	size_t taken = 0;
	unsigned queue, level;

	for (size_t s = 0; reply && reply->type == REDIS_REPLY_ARRAY && s < reply->elements; s++) {
		const redisReply *e = reply->element[s];
		if (claim) {
			if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 || e->element[2]->type != REDIS_REPLY_INTEGER
				|| !stream_of(e->element[3], &queue, &level)) {
				continue;
			}
			take_entry(e->element[0], e->element[1], (uint32_t) e->element[2]->integer, queue, level);
			taken++;
			continue;
		}
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || e->element[1]->type != REDIS_REPLY_ARRAY
			|| !stream_of(e->element[0], &queue, &level)) {
			continue;
		}
		const redisReply *entries = e->element[1];
		for (size_t i = 0; i < entries->elements; i++) {
			const redisReply *entry = entries->element[i];
			if (entry->type == REDIS_REPLY_ARRAY && entry->elements >= 2) {
				if (got) {
					got[queue] = true;
				}
				take_entry(entry->element[0], entry->element[1], 1, queue, level);
				taken++;
			}
		}
	}
	return taken;
}
