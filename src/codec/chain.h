/*
 * A chain of tasks (Task::then(), README "Jobs") as it travels with the
 * link that runs now: in front of that link's payload (behind a retry plan,
 * codec/retry.h, when the link has one) comes this block, which says which
 * link it is, carries the previous link's value (its first argument) and
 * the links still to run, each ready to be queued:
 *
 *   4 bytes  ASYNCTASK_CHAIN_MAGIC
 *   4        link: this one's number, 1 the first
 *   4        links: how many the chain has
 *   4        P: the previous link's value's length (0xFFFFFFFF: none, the first link)
 *   P        the previous value, serialized (serializer.h)
 *   4        R: how many links follow
 *   R times a link:
 *     4      its time limit, ms (0: none)
 *     4      its priority (Task::LOW, NORMAL, HIGH), two's complement
 *     4      L: its retry plan's length (0: no retries)
 *     L      the plan
 *     4      N: its payload's length
 *     N      the payload (payload.h)
 *
 * Little-endian (byteorder.h), whatever the host: over Redis the block
 * travels inside a task entry's signed payload (codec/redis/wire.h, flag
 * CHAIN), and a node writes the next link's block
 * (src/transport/redis/node_jobs.c), as a pool's worker does
 * (src/pool/chain.c): both with asynctask_chain_next().
 */
#ifndef ASYNCTASK_CODEC_CHAIN_H
#define ASYNCTASK_CODEC_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "php.h"
#include "zend_smart_str.h"

#define ASYNCTASK_CHAIN_MAGIC "\xA7" "ATK"
#define ASYNCTASK_CHAIN_NONE  UINT32_MAX

/* A block read from a buffer (pointers into it). */
typedef struct {
	uint32_t    link, links;
	const char *previous;      /* NULL: none */
	size_t      previous_len;
	uint32_t    remaining;
	const char *rest;          /* the links that follow, as they are on the wire */
	size_t      rest_len;
} asynctask_chain_t;

/* One link of the rest (pointers into the buffer). */
typedef struct {
	uint32_t    timeout_ms;
	int32_t     priority;
	const char *plan;
	size_t      plan_len;
	const char *payload;
	size_t      payload_len;
} asynctask_chain_link_t;

/* Appends a block; rest is `remaining` links as asynctask_chain_link_write() wrote them. */
void asynctask_chain_write(smart_str *out, uint32_t link, uint32_t links, const char *previous, size_t previous_len,
	uint32_t remaining, const char *rest, size_t rest_len);

/* Appends one link of the rest. */
void asynctask_chain_link_write(smart_str *out, uint32_t timeout_ms, int32_t priority, const char *plan,
	size_t plan_len, const char *payload, size_t payload_len);

/* Reads a block at the start of buf; returns its length, 0 when buf has none (or a bad one). */
size_t asynctask_chain_read(const char *buf, size_t len, asynctask_chain_t *chain);

/* Reads the first link of buf (a chain's rest); returns its length, 0 when bad. */
size_t asynctask_chain_link_read(const char *buf, size_t len, asynctask_chain_link_t *link);

/* The chain's next link, to be queued once the link chain describes returned
 * value (serialized): appends its payload as it travels, [its retry plan][the
 * block: the next link's number, value as its previous value, the links
 * after it][its payload], to payload, and reads it into next (its time
 * limit, priority, plan). false, with why set, when chain's rest has no
 * readable link (nothing appended). */
bool asynctask_chain_next(const asynctask_chain_t *chain, const char *value, size_t len, smart_str *payload,
	asynctask_chain_link_t *next, char *why, size_t why_size);

#endif
