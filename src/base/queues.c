/*
 * The setting asynctask.queues, parsed (queues.h).
 */
#include <stdio.h>
#include <string.h>

#include "src/base/queues.h"

bool asynctask_queue_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > ASYNCTASK_QUEUE_NAME_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
				|| c == '_' || c == '-' || c == '.')) {
			return false;
		}
	}
	return true;
}

int asynctask_queues_find(const asynctask_queues_t *queues, const char *name, size_t len)
{
	for (uint32_t i = 0; i < queues->count; i++) {
		if (strlen(queues->queues[i].name) == len && memcmp(queues->queues[i].name, name, len) == 0) {
			return (int) i;
		}
	}
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* [*start, *end) without the spaces around it */
static void trim(const char **start, const char **end)
{
	while (*start < *end && is_space(**start)) {
		(*start)++;
	}
	while (*end > *start && is_space((*end)[-1])) {
		(*end)--;
	}
}

/* A worker count, 1 to ASYNCTASK_QUEUES_WORKERS_MAX, in decimal digits only. */
static bool parse_workers(const char *s, const char *end, uint32_t *out)
{
	uint32_t n = 0;

	if (s == end) {
		return false;
	}
	for (; s < end; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
		n = n * 10 + (uint32_t) (*s - '0');
		if (n > ASYNCTASK_QUEUES_WORKERS_MAX) {
			return false;
		}
	}
	if (n == 0) {
		return false;
	}
	*out = n;
	return true;
}

bool asynctask_queues_parse(const char *text, asynctask_queues_t *out, char *why, size_t why_size)
{
	const char *p = text, *end = text + strlen(text);
	uint32_t total = 0;

	out->count = 0;
	trim(&p, &end);
	if (p == end) {
		return true;  /* not set: "default" with asynctask.workers */
	}
	for (;;) {
		const char *comma = memchr(p, ',', (size_t) (end - p));
		const char *item_end = comma ? comma : end;
		const char *colon = memchr(p, ':', (size_t) (item_end - p));
		const char *name = p, *name_end = colon ? colon : item_end;
		uint32_t workers = 0;

		trim(&name, &name_end);
		int shown = (int) (item_end - p);
		if (!asynctask_queue_name_valid(name, (size_t) (name_end - name))) {
			snprintf(why, why_size, "a queue's name is 1 to %d letters, digits, \"_\", \"-\" or \".\", "
				"not \"%.*s\" (in \"%.*s\")", ASYNCTASK_QUEUE_NAME_MAX, (int) (name_end - name), name, shown, p);
			return false;
		}
		if (colon) {
			const char *n = colon + 1, *n_end = item_end;
			trim(&n, &n_end);
			if (!parse_workers(n, n_end, &workers)) {
				snprintf(why, why_size, "a queue's workers are a whole number from 1 to %d, not \"%.*s\" "
					"(in \"%.*s\")", ASYNCTASK_QUEUES_WORKERS_MAX, (int) (n_end - n), n, shown, p);
				return false;
			}
		}
		if (asynctask_queues_find(out, name, (size_t) (name_end - name)) >= 0) {
			snprintf(why, why_size, "the queue \"%.*s\" is named twice", (int) (name_end - name), name);
			return false;
		}
		if (out->count == ASYNCTASK_QUEUES_MAX) {
			snprintf(why, why_size, "at most %d queues", ASYNCTASK_QUEUES_MAX);
			return false;
		}
		total += workers;
		if (total > ASYNCTASK_QUEUES_WORKERS_MAX) {
			snprintf(why, why_size, "at most %d workers in all", ASYNCTASK_QUEUES_WORKERS_MAX);
			return false;
		}
		asynctask_queue_spec_t *q = &out->queues[out->count++];
		memcpy(q->name, name, (size_t) (name_end - name));
		q->name[name_end - name] = '\0';
		q->workers = workers;
		if (!comma) {
			return true;
		}
		p = comma + 1;
		if (p == end) {
			snprintf(why, why_size, "a comma ends the list: remove it, or name a queue after it");
			return false;
		}
	}
}
