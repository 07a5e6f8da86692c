/*
 * What workers and the manager write for the status endpoint (record.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "php.h"
#include "zend_closures.h"

#include "php_asynctask.h"
#include "src/base/clock.h"
#include "src/pool/status/record.h"

/* "{closure}@file:line", with the file's start cut away when it is long (its
 * end says more); a named function, even as a Closure (strlen(...)), by name. */
static void closure_name(const zend_function *f, char *buf, size_t size)
{
	if (f->type != ZEND_USER_FUNCTION || !zend_string_equals_literal(f->common.function_name, "{closure}")) {
		if (f->common.scope) {
			snprintf(buf, size, "%s::%s", ZSTR_VAL(f->common.scope->name), ZSTR_VAL(f->common.function_name));
		} else {
			snprintf(buf, size, "%s", ZSTR_VAL(f->common.function_name));
		}
		return;
	}
	char line[16];
	int line_len = snprintf(line, sizeof(line), ":%u", f->op_array.line_start);
	const char *file = f->op_array.filename ? ZSTR_VAL(f->op_array.filename) : "";
	size_t file_len = strlen(file);
	size_t room = size - 1 - (sizeof("{closure}@") - 1) - (size_t) line_len;

	if (file_len > room) {
		file += file_len - room + 3;
		snprintf(buf, size, "{closure}@...%s%s", file, line);
	} else {
		snprintf(buf, size, "{closure}@%s%s", file, line);
	}
}

/* The closure the slot's name was last made for: the same function (by name,
 * file and line, which are all the name says) finds its name already there. */
static struct {
	asynctask_worker_slot_t *slot;
	zend_string *function_name, *filename;
	uint32_t line;
} last;

static bool same_as_last(asynctask_worker_slot_t *slot, const zend_function *f)
{
	return last.slot == slot && f->type == ZEND_USER_FUNCTION && last.function_name && last.filename
		&& f->op_array.line_start == last.line && f->op_array.filename
		&& zend_string_equals(f->common.function_name, last.function_name)
		&& zend_string_equals(f->op_array.filename, last.filename);
}

static void remember(asynctask_worker_slot_t *slot, const zend_function *f)
{
	if (last.function_name) {
		zend_string_release(last.function_name);
		last.function_name = NULL;
	}
	if (last.filename) {
		zend_string_release(last.filename);
		last.filename = NULL;
	}
	last.slot = NULL;
	if (f && f->type == ZEND_USER_FUNCTION && f->op_array.filename) {
		/* persistent strings (interned, or opcache's) are shared, not copied */
		last.function_name = zend_string_copy(f->common.function_name);
		last.filename = zend_string_copy(f->op_array.filename);
		last.line = f->op_array.line_start;
		last.slot = slot;
	}
}

void asynctask_status_task_started(asynctask_worker_slot_t *slot, zval *callable)
{
	asynctask_slot_watch_t *w = &slot->watch;
	uint64_t task_id = slot->claim.task_id;
	const zend_function *f = Z_TYPE_P(callable) == IS_OBJECT && Z_OBJCE_P(callable) == zend_ce_closure
		? zend_get_closure_method_def(Z_OBJ_P(callable)) : NULL;

	if (f && same_as_last(slot, f)) {
		/* the common case, a closure dispatched again: its name is there */
		__atomic_store_n(&w->name_task, task_id, __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&w->name_task, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (f) {
		closure_name(f, w->callable, sizeof(w->callable));
	} else {
		zend_string *name = zend_get_callable_name(callable);
		asynctask_watch_copy(w->callable, sizeof(w->callable), ZSTR_VAL(name), ZSTR_LEN(name));
		zend_string_release(name);
	}
	remember(slot, f);
	__atomic_store_n(&w->name_task, task_id, __ATOMIC_RELEASE);
}

void asynctask_status_task_ended(asynctask_worker_slot_t *slot, const asynctask_claim_t *claim)
{
	asynctask_slot_watch_t *w = &slot->watch;
	uint64_t task_id = claim->task_id;

	if (task_id == 0 || __atomic_load_n(&w->observed, __ATOMIC_RELAXED) == task_id) {
		return;
	}
	__atomic_store_n(&w->observed, task_id, __ATOMIC_RELAXED);
	uint64_t now = asynctask_now_ns();
	asynctask_histogram_observe(&w->duration, now > claim->started_ns ? now - claim->started_ns : 0);
	asynctask_histogram_observe(&w->wait,
		claim->queued_ns && claim->started_ns > claim->queued_ns ? claim->started_ns - claim->queued_ns : 0);
}

void asynctask_status_worker_idle(asynctask_worker_slot_t *slot)
{
	__atomic_store_n(&slot->watch.memory, (uint64_t) zend_memory_usage(true), __ATOMIC_RELAXED);
}

/* The name the slot that ran task_id gave it, if it still has it. */
static void find_callable(asynctask_pool_t *pool, uint64_t task_id, char *buf, size_t size)
{
	buf[0] = '\0';
	for (uint32_t i = 0; i < pool->workers; i++) {
		asynctask_slot_watch_t *w = &pool->slots[i].watch;
		if (__atomic_load_n(&w->name_task, __ATOMIC_ACQUIRE) != task_id) {
			continue;
		}
		memcpy(buf, w->callable, size < sizeof(w->callable) ? size : sizeof(w->callable));
		buf[size - 1] = '\0';
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&w->name_task, __ATOMIC_RELAXED) != task_id) {
			buf[0] = '\0';
		}
		return;
	}
}

static void copy_zstr(char *field, size_t size, const zend_string *s)
{
	if (s) {
		asynctask_watch_copy(field, size, ZSTR_VAL(s), ZSTR_LEN(s));
	} else {
		field[0] = '\0';
	}
}

void asynctask_status_failure(asynctask_pool_t *pool, const asynctask_claim_t *claim, uint32_t status,
	const asynctask_remote_error_t *error, const char *message, const char *callable)
{
	asynctask_failures_t *ring = &pool->failures;
	uint64_t n = __atomic_fetch_add(&ring->next, 1, __ATOMIC_RELAXED);
	asynctask_failure_t *e = &ring->entries[n % ASYNCTASK_FAILURES_MAX];
	struct timespec ts;

	__atomic_store_n(&e->seq, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	clock_gettime(CLOCK_REALTIME, &ts);
	e->task_id = claim->task_id;
	e->time_ms = (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
	e->status = status;
	e->attempt = claim->attempt ? claim->attempt : 1;  /* which run of a task with retries */
	if (callable) {
		asynctask_watch_copy(e->callable, sizeof(e->callable), callable, strlen(callable));
	} else {
		find_callable(pool, claim->task_id, e->callable, sizeof(e->callable));
	}
	if (error) {
		copy_zstr(e->remote_class, sizeof(e->remote_class), error->remote_class);
		copy_zstr(e->message, sizeof(e->message), error->message);
		copy_zstr(e->file, sizeof(e->file), error->file);
		e->line = error->file ? (uint32_t) error->line : 0;
	} else {
		e->remote_class[0] = '\0';
		asynctask_watch_copy(e->message, sizeof(e->message), message ? message : "", message ? strlen(message) : 0);
		e->file[0] = '\0';
		e->line = 0;
	}
	__atomic_store_n(&e->seq, n + 1, __ATOMIC_RELEASE);
}
