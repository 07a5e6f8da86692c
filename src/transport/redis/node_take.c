/*
 * A Redis node taking entries: the reader's XREADGROUP, the verification of
 * every entry read or claimed, handing it to the bridge, and a job's outcome
 * (finished: stored or dead-lettered; abandoned).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* --- taking entries ---------------------------------------------------------------- */

/* One entry from a read or a claim: [id, [field, value, ...]], delivered for the attempts-th time. */
void asynctask_redis_node_take_entry(const redisReply *id, const redisReply *fields, uint32_t attempts)
{
	char entry_id[48], why[512];
	const redisReply *t = NULL;
	zend_string *error = NULL;

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
	if (!t) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s of %s has no \"t\" field: dead-lettered, never run", entry_id,
			asynctask_rnode.stream);
		asynctask_redis_node_dead_letter(entry_id, "", 0, NULL, attempts,
			"the entry has no \"" ASYNCTASK_REDIS_FIELD_TASK "\" field", ASYNCTASK_RESULT_FAILED, NULL);
		return;
	}
	asynctask_redis_job_t *job = calloc(1, sizeof(*job));
	char *raw = job ? malloc(t->len ? t->len : 1) : NULL;
	if (!raw) {
		free(job);
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory",
			"redis node: out of memory taking entry %s (left pending)", entry_id);
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
			"redis node: entry %s of %s %s: dead-lettered, never run", entry_id, asynctask_rnode.stream, why);
		if (error) zend_string_release(error);
		asynctask_redis_node_dead_letter(entry_id, raw, t->len, NULL, attempts, why, ASYNCTASK_RESULT_FAILED, NULL);
		free(raw);
		free(job);
		return;
	}
	job->raw = raw;
	job->raw_len = t->len;
	job->attempt = attempts ? attempts : 1;
	memcpy(job->entry_id, entry_id, sizeof(entry_id));
	if (job->attempt > asynctask_rnode.config.max_attempts) {
		char message[600];
		snprintf(why, sizeof(why), "not acknowledged after %u deliveries (asynctask.max_attempts=%u): its node "
			"stopped answering each time", job->attempt - 1, asynctask_rnode.config.max_attempts);
		snprintf(message, sizeof(message), "the task was dead-lettered after %u attempts: %s", job->attempt - 1, why);
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "entry_dead_lettered",
			"redis node: entry %s %s: dead-lettered", entry_id, why);
		asynctask_redis_node_dead_letter(entry_id, job->raw, job->raw_len, job, job->attempt - 1, why,
			ASYNCTASK_RESULT_FAILED, message);
		return;
	}
	asynctask_redis_node_live_add(job);
	asynctask_rnode.hooks.run(job);
}

static void on_read(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	(void) privdata;

	if (reply) {
		asynctask_redis_node_heard(ac);
	}
	asynctask_rnode.reading = false;
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: XREADGROUP on %s failed: %.*s", asynctask_rnode.stream, (int) reply->len, reply->str);
		return;  /* tried again at the next tick */
	}
	if (reply && reply->type == REDIS_REPLY_ARRAY) {
		for (size_t s = 0; s < reply->elements; s++) {
			const redisReply *stream = reply->element[s];
			if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2 || stream->element[1]->type != REDIS_REPLY_ARRAY) {
				continue;
			}
			const redisReply *entries = stream->element[1];
			for (size_t i = 0; i < entries->elements; i++) {
				const redisReply *e = entries->element[i];
				if (e->type == REDIS_REPLY_ARRAY && e->elements >= 2) {
					asynctask_redis_node_take_entry(e->element[0], e->element[1], 1);
				}
			}
		}
	}
	if (reply) {
		asynctask_redis_node_poll();
	}
}

uint32_t asynctask_redis_node_capacity(void)
{
	uint32_t free_workers = asynctask_rnode.hooks.capacity();
	return free_workers > asynctask_rnode.reserved ? free_workers - asynctask_rnode.reserved : 0;
}

void asynctask_redis_node_poll(void)
{
	char count[16];

	if (!asynctask_rnode.started || !asynctask_rnode.taking || asynctask_rnode.reading
		|| asynctask_rnode.reader.state != CONN_UP || !asynctask_rnode.reader.ready) {
		return;
	}
	uint32_t n = asynctask_redis_node_capacity();
	if (n == 0) {
		return;
	}
	snprintf(count, sizeof(count), "%u", n);
	const char *argv[] = { "XREADGROUP", "GROUP", ASYNCTASK_REDIS_GROUP, asynctask_rnode.config.node, "COUNT", count,
		"BLOCK", BLOCK_MS, "STREAMS", asynctask_rnode.stream, ">" };
	size_t argvlen[11];
	for (int i = 0; i < 11; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (redisAsyncCommandArgv(asynctask_rnode.reader.ac, on_read, NULL, 11, argv, argvlen) == REDIS_OK) {
		asynctask_rnode.reading = true;
	}
}

/* --- the outcome of a job ------------------------------------------------------------ */

void asynctask_redis_node_abandon(asynctask_redis_job_t *job)
{
	asynctask_redis_node_live_remove(job);
	asynctask_redis_node_job_free(job);
}

void asynctask_redis_node_finish(asynctask_redis_job_t *job, asynctask_result_status_t status, const char *data,
	size_t len, size_t decoded_size)
{
	asynctask_redis_node_live_remove(job);
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
			asynctask_redis_node_claim("id", job->entry_id, 0, 1);
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
