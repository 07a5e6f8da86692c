/*
 * A task's context in front of its payload: how a node's manager hands a
 * Redis task to a local worker with what AsyncTask\context() tells about it
 * (its wire id, the attempt, its queue, when it was dispatched). A local
 * task carries none: the worker knows its id and dispatch time from its
 * claim. Host order (the bytes never leave the machine: the manager writes
 * them into its own pool's queue).
 *
 *   4 bytes  ASYNCTASK_CONTEXT_MAGIC: not how a payload begins (payload.c's
 *            closure form is "\xA7AT2", a serializer's output 'a:' or igbinary's \0)
 *   4        attempt
 *   8        dispatched at, unix microseconds
 *  16        the task's wire id
 *   1        Q: the queue's name length
 *   Q        the queue's name
 *   ...      the payload
 */
#ifndef ASYNCTASK_CODEC_CONTEXT_H
#define ASYNCTASK_CODEC_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "php_asynctask.h"

#define ASYNCTASK_CONTEXT_MAGIC     "\xA7" "ATC"
#define ASYNCTASK_CONTEXT_MAGIC_LEN 4
#define ASYNCTASK_CONTEXT_FIXED     (ASYNCTASK_CONTEXT_MAGIC_LEN + 4 + 8 + 16 + 1)

/* The prefix's length for a queue name of queue_len bytes (at most 255). */
static inline size_t asynctask_context_size(size_t queue_len)
{
	return ASYNCTASK_CONTEXT_FIXED + queue_len;
}

/* Writes the prefix into out (asynctask_context_size() bytes). */
static inline void asynctask_context_write(char *out, const asynctask_task_context_t *ctx)
{
	memcpy(out, ASYNCTASK_CONTEXT_MAGIC, ASYNCTASK_CONTEXT_MAGIC_LEN);
	memcpy(out + 4, &ctx->attempt, 4);
	memcpy(out + 8, &ctx->dispatched_us, 8);
	memcpy(out + 16, ctx->id, 16);
	out[32] = (char) ctx->queue_len;
	memcpy(out + 33, ctx->queue, ctx->queue_len);
}

/* Reads a prefix at the start of buf into *ctx (marked remote); returns its
 * length, or 0 when buf has none (a local task's payload). */
static inline size_t asynctask_context_read(const char *buf, size_t len, asynctask_task_context_t *ctx)
{
	if (EXPECTED(len < ASYNCTASK_CONTEXT_FIXED || memcmp(buf, ASYNCTASK_CONTEXT_MAGIC, ASYNCTASK_CONTEXT_MAGIC_LEN) != 0)) {
		return 0;
	}
	size_t queue_len = (unsigned char) buf[32];
	if (len < ASYNCTASK_CONTEXT_FIXED + queue_len) {
		return 0;
	}
	memcpy(&ctx->attempt, buf + 4, 4);
	memcpy(&ctx->dispatched_us, buf + 8, 8);
	memcpy(ctx->id, buf + 16, 16);
	ctx->queue_len = (uint8_t) queue_len;
	memcpy(ctx->queue, buf + 33, queue_len);
	ctx->queue[queue_len] = '\0';
	ctx->remote = true;
	return ASYNCTASK_CONTEXT_FIXED + queue_len;
}

#endif
