/*
 * This process as a dispatcher of the Redis backend (dispatcher.h): its
 * identity, the secret and node it signs with, its books and its counts.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <stdlib.h>
#include <string.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/transport/redis/dispatcher.h"
#include "src/transport/redis/protocol.h"

static struct {
	pid_t        pid;        /* the process these books are of (0: none yet) */
	bool         drawn;      /* the dispatcher id is drawn */
	char         id[2 * ASYNCTASK_WIRE_ID_SIZE + 1];
	zend_string *secret;     /* persistent copy */
	char         node[ASYNCTASK_REDIS_NODE_MAX];
	char        *backend;    /* malloc'ed copy */
	char         prefix[ASYNCTASK_REDIS_PREFIX_MAX + 1];
	HashTable    sent;       /* task id => asynctask_redis_sent_t * (persistent) */
	bool         sent_live;
	uint32_t     forgotten;
	HashTable    results;    /* task id => received result (request memory) */
	bool         results_live;
	asynctask_redis_counts_t counts;
} self;

static void sent_dtor(zval *zv)
{
	pefree(Z_PTR_P(zv), 1);
}

static void secret_free(void)
{
	if (self.secret) {
		ZEND_SECURE_ZERO(ZSTR_VAL(self.secret), ZSTR_LEN(self.secret));
		zend_string_release(self.secret);
		self.secret = NULL;
	}
}

static void results_destroy(void)
{
	if (self.results_live) {
		zend_hash_destroy(&self.results);
		self.results_live = false;
	}
}

/* The books of this process: a forked child starts its own, empty (the
 * copies it inherited of its parent's are freed, never used). */
static void current(void)
{
	if (EXPECTED(self.pid == asynctask_self())) {
		return;
	}
	if (self.sent_live) {
		zend_hash_destroy(&self.sent);
	}
	results_destroy();
	zend_hash_init(&self.sent, 64, NULL, sent_dtor, 1);
	self.sent_live = true;
	self.forgotten = 0;
	self.drawn = false;
	memset(&self.counts, 0, sizeof(self.counts));
	self.pid = asynctask_self();
}

zend_result asynctask_redis_dispatcher_use(const zend_string *secret, const char *node, const char *backend,
	const char *prefix)
{
	current();
	if (!self.drawn) {
		uint8_t id[ASYNCTASK_WIRE_ID_SIZE];
		if (asynctask_wire_new_id(id) == FAILURE) {
			return FAILURE;
		}
		asynctask_wire_id_hex(id, self.id);
		self.drawn = true;
	}
	if (!self.secret || !zend_string_equals(self.secret, secret)) {
		secret_free();
		self.secret = zend_string_init(ZSTR_VAL(secret), ZSTR_LEN(secret), 1);
	}
	if (strcmp(self.node, node) != 0) {
		snprintf(self.node, sizeof(self.node), "%s", node);
	}
	if (strcmp(self.prefix, prefix) != 0) {
		snprintf(self.prefix, sizeof(self.prefix), "%s", prefix);
	}
	if (!self.backend || strcmp(self.backend, backend) != 0) {
		free(self.backend);
		self.backend = strdup(backend);
		if (!self.backend) {
			zend_error_noreturn(E_ERROR, "asynctask: out of memory");
		}
	}
	return SUCCESS;
}

const zend_string *asynctask_redis_dispatcher_secret(void)
{
	return self.secret;
}

const char *asynctask_redis_dispatcher_node(void)
{
	return self.node;
}

const char *asynctask_redis_dispatcher_backend(void)
{
	return self.backend;
}

bool asynctask_redis_dispatcher_reply_key(char *out)
{
	current();
	if (!self.drawn) {
		return false;
	}
	snprintf(out, ASYNCTASK_REDIS_KEY_MAX, ASYNCTASK_REDIS_REPLY_FMT, self.prefix, self.id);
	return true;
}

void asynctask_redis_dispatcher_stream_key(const char *queue, char *out)
{
	snprintf(out, ASYNCTASK_REDIS_KEY_MAX, ASYNCTASK_REDIS_STREAM_FMT, self.prefix, queue);
}

void asynctask_redis_dispatcher_level_key(const char *queue, unsigned level, char *out)
{
	snprintf(out, ASYNCTASK_REDIS_KEY_MAX, ASYNCTASK_REDIS_LEVEL_FMT, self.prefix, queue,
		asynctask_redis_level_suffix(level));
}

void asynctask_redis_dispatcher_delayed_key(const char *queue, const char *suffix, char *out)
{
	int n = snprintf(out, ASYNCTASK_REDIS_KEY_MAX, ASYNCTASK_REDIS_DELAYED_FMT, self.prefix, queue);
	if (n > 0 && (size_t) n < ASYNCTASK_REDIS_KEY_MAX) {
		snprintf(out + n, ASYNCTASK_REDIS_KEY_MAX - (size_t) n, "%s", suffix);
	}
}

/* --- the books ------------------------------------------------------------- */

static uint64_t task_id_of(const uint8_t id[ASYNCTASK_WIRE_ID_SIZE])
{
	uint64_t task_id;
	memcpy(&task_id, id, sizeof(task_id));
	return task_id;
}

zend_result asynctask_redis_sent_draw(asynctask_redis_sent_t *sent, uint64_t *task_id)
{
	current();
	memset(sent, 0, sizeof(*sent));
	do {
		if (asynctask_wire_new_id(sent->id) == FAILURE) {
			return FAILURE;
		}
		*task_id = task_id_of(sent->id);
		/* 0 means "no task" to a Future */
	} while (*task_id == 0 || zend_hash_index_exists(&self.sent, *task_id));
	return SUCCESS;
}

void asynctask_redis_sent_keep(uint64_t task_id, const asynctask_redis_sent_t *sent)
{
	asynctask_redis_sent_t *kept = pemalloc(sizeof(*kept), 1);

	current();
	memcpy(kept, sent, sizeof(*kept));
	zend_hash_index_add_new_ptr(&self.sent, task_id, kept);
	self.counts.dispatched++;
}

asynctask_redis_sent_t *asynctask_redis_sent_find(uint64_t task_id)
{
	current();
	return zend_hash_index_find_ptr(&self.sent, task_id);
}

asynctask_redis_sent_t *asynctask_redis_sent_find_wire(const uint8_t id[ASYNCTASK_WIRE_ID_SIZE], uint64_t *task_id)
{
	asynctask_redis_sent_t *sent;

	current();
	*task_id = task_id_of(id);
	sent = zend_hash_index_find_ptr(&self.sent, *task_id);
	/* the other 64 bits too: a result must name the very task */
	return sent && memcmp(sent->id, id, ASYNCTASK_WIRE_ID_SIZE) == 0 ? sent : NULL;
}

void asynctask_redis_sent_remove(uint64_t task_id)
{
	asynctask_redis_sent_t *sent = asynctask_redis_sent_find(task_id);

	if (sent) {
		if (sent->forgotten) {
			self.forgotten--;
		}
		zend_hash_index_del(&self.sent, task_id);
	}
}

/* Too many forgotten tasks wait for a result (nodes that never answer, a
 * long-lived php-fpm child): the oldest leave the books; should their
 * results come after all, they are dropped as not ours (and logged). */
static void forgotten_trim(void)
{
	zend_ulong task_id;
	asynctask_redis_sent_t *sent;
	uint32_t keep = ASYNCTASK_REDIS_FORGOTTEN_MAX / 4 * 3;

	ZEND_HASH_FOREACH_NUM_KEY_PTR(&self.sent, task_id, sent) {
		if (self.forgotten <= keep) {
			break;
		}
		if (sent->forgotten) {
			self.forgotten--;
			zend_hash_index_del(&self.sent, task_id);
		}
	} ZEND_HASH_FOREACH_END();
}

void asynctask_redis_sent_forget(uint64_t task_id)
{
	asynctask_redis_sent_t *sent;

	current();
	if (self.results_live && zend_hash_index_del(&self.results, task_id) == SUCCESS) {
		return;  /* it came, and nobody will take it */
	}
	sent = zend_hash_index_find_ptr(&self.sent, task_id);
	if (sent && !sent->forgotten) {
		sent->forgotten = true;
		if (++self.forgotten > ASYNCTASK_REDIS_FORGOTTEN_MAX) {
			forgotten_trim();
		}
	}
}

uint32_t asynctask_redis_sent_pending(void)
{
	current();
	return zend_hash_num_elements(&self.sent);
}

uint32_t asynctask_redis_sent_forgotten(void)
{
	current();
	return self.forgotten;
}

/* --- outcomes ---------------------------------------------------------------- */

static void result_dtor(zval *zv)
{
	zend_string_release(Z_STR_P(zv));
}

void asynctask_redis_result_store(uint64_t task_id, zend_string *result)
{
	zval zv;

	current();
	if (!self.results_live) {
		zend_hash_init(&self.results, 8, NULL, result_dtor, 0);
		self.results_live = true;
	}
	ZVAL_STR(&zv, result);
	zend_hash_index_update(&self.results, task_id, &zv);
}

zend_string *asynctask_redis_result_take(uint64_t task_id)
{
	zval *zv;
	zend_string *result;

	current();
	if (!self.results_live || (zv = zend_hash_index_find(&self.results, task_id)) == NULL) {
		return NULL;
	}
	result = zend_string_copy(Z_STR_P(zv));
	zend_hash_index_del(&self.results, task_id);
	return result;
}

asynctask_redis_counts_t *asynctask_redis_counts(void)
{
	current();
	return &self.counts;
}

void asynctask_redis_count_outcome(asynctask_result_status_t status)
{
	asynctask_redis_counts_t *counts = asynctask_redis_counts();

	switch (status) {
		case ASYNCTASK_RESULT_VALUE:     counts->completed++; break;
		case ASYNCTASK_RESULT_CRASHED:   counts->crashed++; break;
		case ASYNCTASK_RESULT_TIMED_OUT: counts->timed_out++; break;
		default:                         counts->failed++; break;
	}
}

void asynctask_redis_dispatcher_rshutdown(void)
{
	results_destroy();  /* in a forked child: its copies */
}

void asynctask_redis_dispatcher_mshutdown(void)
{
	results_destroy();
	if (self.sent_live) {
		zend_hash_destroy(&self.sent);
		self.sent_live = false;
	}
	secret_free();
	free(self.backend);
	self.backend = NULL;
	self.pid = 0;
}
