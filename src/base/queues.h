/*
 * The setting asynctask.queues (README "Jobs", "Named queues"): which named
 * queues a pool has and how many workers each gets, "name" or
 * "name:workers", separated by commas ("default:2,mail:1,reports:1").
 * Parsed here for every backend: the shared-memory pool lays its queues
 * out from it (src/pool/queues.c), and a Redis node would serve the queues
 * it names. A name without ":workers" gets asynctask.workers (or the
 * argument of Pool::start()); the empty setting means one queue,
 * "default", with asynctask.workers workers.
 */
#ifndef ASYNCTASK_QUEUES_H
#define ASYNCTASK_QUEUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ASYNCTASK_QUEUE_NAME_MAX 64     /* a name's length: 1 to 64 of [A-Za-z0-9_.-] */
#define ASYNCTASK_QUEUES_MAX     64     /* queues in one setting */
#define ASYNCTASK_QUEUE_DEFAULT  "default"
/* the most workers a pool has, whatever its queues (region.h has the same bound) */
#define ASYNCTASK_QUEUES_WORKERS_MAX 1024

typedef struct {
	char     name[ASYNCTASK_QUEUE_NAME_MAX + 1];
	uint32_t workers;                   /* 0: not given (asynctask.workers) */
} asynctask_queue_spec_t;

typedef struct {
	uint32_t count;                     /* 0: the setting is empty */
	asynctask_queue_spec_t queues[ASYNCTASK_QUEUES_MAX];
} asynctask_queues_t;

/* Is name (len bytes) a valid queue name? */
bool asynctask_queue_name_valid(const char *name, size_t len);

/* Parses a value of asynctask.queues into out. false with why filled in
 * (what is wrong, naming the item) when it is refused: a bad name, a worker
 * count that is not 1 to 1024, a name given twice, more than
 * ASYNCTASK_QUEUES_MAX queues, or more than 1024 workers given in all.
 * Spaces around names and counts are allowed. */
bool asynctask_queues_parse(const char *text, asynctask_queues_t *out, char *why, size_t why_size);

/* The index of the queue named name (len bytes) in queues, or -1. */
int asynctask_queues_find(const asynctask_queues_t *queues, const char *name, size_t len);

#endif
