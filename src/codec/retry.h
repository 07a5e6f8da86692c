/*
 * A task's retry plan (Task::withRetries(), README "Jobs"), as it travels in
 * front of the task's payload, and the backoff it asks for.
 *
 * A local task with retries always travels in a spill file (so that the
 * manager can run it again after its worker died, src/pool/retry.h); the
 * file holds this plan, then the payload:
 *
 *   4 bytes  ASYNCTASK_RETRY_MAGIC
 *   4        times: runs after the first, at most (1 to 1000)
 *   4        kind: 0 exponential (base below), 1 a list of seconds
 *   4        n: seconds that follow (1 for exponential)
 *   8 * n    doubles: the base, or the list (at most `times` of it: the last repeats)
 *
 * Little-endian (byteorder.h), whatever the host: over Redis the plan leads
 * a task entry's signed payload (codec/redis/wire.h, flag RETRY). The
 * attempt a run is does not live here: it is the queue record's (it changes
 * at each retry; the file does not), over Redis the entry's.
 *
 * Backoff before retry r (r = 1 before the second run, the first retry):
 *   exponential: d = base * 2^(r-1), at most ASYNCTASK_RETRY_CAP_S (or base
 *                when base is larger), then "equal jitter": a uniform draw in
 *                [d/2, d], so that tasks that failed together spread out
 *   list:        d = list[min(r, n) - 1], exactly (no jitter)
 */
#ifndef ASYNCTASK_CODEC_RETRY_H
#define ASYNCTASK_CODEC_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/options.h"

#define ASYNCTASK_RETRY_MAGIC     "\xA7" "ATR"
#define ASYNCTASK_RETRY_FIXED     16
#define ASYNCTASK_RETRY_CAP_S     3600.0

typedef struct {
	uint32_t times;
	uint32_t kind;       /* 0 exponential, 1 list */
	uint32_t n;
	const char *seconds; /* n little-endian doubles, inside the buffer it was read from */
} asynctask_retry_plan_t;

/* Appends the plan of options (retries > 0) to out. */
void asynctask_retry_plan_write(const asynctask_task_options_t *options, smart_str *out);

/* Reads a plan at the start of buf; returns its length, 0 when buf has none. */
size_t asynctask_retry_plan_read(const char *buf, size_t len, asynctask_retry_plan_t *plan);

/* The wait in nanoseconds before retry r (1: the first), random: a uniform
 * draw in [0, 1) (the jitter; unused for a list). */
uint64_t asynctask_retry_backoff_ns(const asynctask_retry_plan_t *plan, uint32_t r, double random);

#endif
