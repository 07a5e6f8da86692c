/*
 * codec/redis/: the Redis backend's bytes, signed (hmac.h) and framed
 * (this header). Like all of codec/ it may call base/ only.
 *
 * The Redis backend's wire form: one signed envelope for a task entry (what
 * dispatch() XADDs to a queue's stream) and for a result (what a node sends
 * back to the dispatcher's reply key).
 *
 * Every integer is big-endian (network order), whatever the host: entries
 * cross machines, unlike the local queue's records, which are host-endian.
 * The payload is opaque here (the payload codec's bytes, see payload.h).
 *
 *  offset  size  field
 *       0     4  magic "ATSK"
 *       4     1  version (1)
 *       5     1  kind: 1 task, 2 result
 *       6     2  flags: task 0x0001 NO_REPLY (nobody waits: no reply key),
 *                           0x0002 RETRY (the payload begins with a retry plan,
 *                                  codec/retry.h: Task::withRetries()),
 *                           0x0004 CHAIN (then comes a chain block, codec/chain.h:
 *                                  a link of Task::then(), the links after it);
 *                      result 0x0001 FAILED (the payload is the failure report)
 *       8    16  task id: 128 random bits, unique across nodes without coordination
 *      24     4  attempt: 1 on the first delivery
 *      28     4  time limit in milliseconds (0 = none)
 *      32     8  dispatched at: microseconds since the Unix epoch
 *      40     1  Q: queue name length, 1..255
 *      41     1  N: node length, 0..255 (task: the dispatcher's; result: the node that ran it)
 *      42     2  R: reply key length, 0..1024 (task only; 0 with NO_REPLY and in a result)
 *      44     4  P: payload length, 0..max_payload
 *      48     Q  queue name
 *       …     N  node
 *       …     R  reply key
 *       …     P  payload
 *   end-32   32  HMAC-SHA256 under asynctask.secret over every byte before it
 *
 * An entry is exactly 48 + Q + N + R + P + 32 bytes. Decoding checks the size
 * bounds, then the HMAC (in constant time), and only then reads a field: an
 * unsigned or wrongly signed entry is refused before any of its bytes is
 * interpreted. The kind is signed too, so a task can never pass as a result.
 * A retry plan and a chain block are inside the payload, hence signed; their
 * numbers are little-endian (codec/byteorder.h), fixed whatever the host.
 */
#ifndef ASYNCTASK_REDIS_WIRE_H
#define ASYNCTASK_REDIS_WIRE_H

#include <stdint.h>

#include "php.h"

#define ASYNCTASK_WIRE_VERSION      1
#define ASYNCTASK_WIRE_HEADER_SIZE  48
#define ASYNCTASK_WIRE_ID_SIZE      16
#define ASYNCTASK_WIRE_REPLY_KEY_MAX 1024

typedef enum {
	ASYNCTASK_WIRE_TASK   = 1,
	ASYNCTASK_WIRE_RESULT = 2,
} asynctask_wire_kind_t;

#define ASYNCTASK_WIRE_NO_REPLY 0x0001u   /* task */
#define ASYNCTASK_WIRE_RETRY    0x0002u   /* task: a retry plan leads the payload */
#define ASYNCTASK_WIRE_CHAIN    0x0004u   /* task: a chain block leads it (after the plan) */
#define ASYNCTASK_WIRE_FAILED   0x0001u   /* result */

/* One entry's fields. Decoded, the strings point into the entry's bytes
 * (no copy): they live as long as those bytes. */
typedef struct {
	asynctask_wire_kind_t kind;
	uint16_t    flags;
	uint8_t     id[ASYNCTASK_WIRE_ID_SIZE];
	uint32_t    attempt;
	uint32_t    timeout_ms;
	uint64_t    dispatched_at_us;
	const char *queue;     size_t queue_len;
	const char *node;      size_t node_len;
	const char *reply_key; size_t reply_key_len;
	const char *payload;   size_t payload_len;
} asynctask_wire_entry_t;

/* The signed bytes of `entry`, or NULL with *error set (a field out of bounds). */
zend_string *asynctask_wire_encode(const asynctask_wire_entry_t *entry, const zend_string *secret, zend_string **error);

/* Verifies `bytes` under `secret` and fills *entry. Refuses (FAILURE, *error
 * set, *entry untouched) an entry of another kind than `expected`, larger
 * than `max_payload` allows, truncated, padded, unsigned or wrongly signed,
 * of another version, or whose fields disagree. */
zend_result asynctask_wire_decode(const char *bytes, size_t len, asynctask_wire_kind_t expected, size_t max_payload,
	const zend_string *secret, asynctask_wire_entry_t *entry, zend_string **error);

/* A fresh task id from the system's CSPRNG; FAILURE (an exception thrown)
 * when it has none to give. */
zend_result asynctask_wire_new_id(uint8_t id[ASYNCTASK_WIRE_ID_SIZE]);

/* The id as 32 lowercase hex digits (what Future::id() shows). */
void asynctask_wire_id_hex(const uint8_t id[ASYNCTASK_WIRE_ID_SIZE], char out[2 * ASYNCTASK_WIRE_ID_SIZE + 1]);

#endif
