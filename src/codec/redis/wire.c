/*
 * The signed envelope of wire.h: big-endian fields, HMAC-SHA256 last.
 *
 * Order of the checks on decode matters: the size bounds first (they read
 * nothing but the length Redis gave us), then the MAC over the whole entry,
 * and only then the fields. A forged entry is thus refused without any of
 * its bytes steering a length, an allocation or a branch.
 */
#include <string.h>

#include "php.h"
#include "ext/random/php_random.h"

#include "src/base/exceptions.h"
#include "src/codec/redis/hmac.h"
#include "src/codec/redis/wire.h"

static const char magic[4] = {'A', 'T', 'S', 'K'};

/* --- big-endian fields --------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t) (v >> 32));
	put32(p + 4, (uint32_t) v);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t) (p[0] << 8 | p[1]); }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p) { return (uint64_t) get32(p) << 32 | get32(p + 4); }

/* --- the shape both sides agree on --------------------------------------- */

static const char *kind_name(int kind)
{
	return kind == ASYNCTASK_WIRE_TASK ? "task" : kind == ASYNCTASK_WIRE_RESULT ? "result" : "unknown";
}

/* Why `entry`'s fields cannot form an entry, or NULL when they can. Shared by
 * both directions: what encode would never write, decode never accepts. */
static const char *invalid_fields(const asynctask_wire_entry_t *e, size_t max_payload)
{
	if (e->kind != ASYNCTASK_WIRE_TASK && e->kind != ASYNCTASK_WIRE_RESULT) {
		return "the kind is neither task nor result";
	}
	/* both kinds define bit 0; tasks bits 1 and 2 too */
	if (e->flags & ~(uint16_t) (e->kind == ASYNCTASK_WIRE_TASK
			? ASYNCTASK_WIRE_NO_REPLY | ASYNCTASK_WIRE_RETRY | ASYNCTASK_WIRE_CHAIN : ASYNCTASK_WIRE_FAILED)) {
		return "it has flags this version does not know";
	}
	if (e->attempt == 0) {
		return "the attempt is 0 (the first delivery is 1)";
	}
	if (e->queue_len == 0 || e->queue_len > 255) {
		return "the queue name is empty or longer than 255 bytes";
	}
	if (e->node_len > 255) {
		return "the node name is longer than 255 bytes";
	}
	if (e->reply_key_len > ASYNCTASK_WIRE_REPLY_KEY_MAX) {
		return "the reply key is longer than 1024 bytes";
	}
	if (e->kind == ASYNCTASK_WIRE_TASK && !(e->flags & ASYNCTASK_WIRE_NO_REPLY) && e->reply_key_len == 0) {
		return "a task someone waits for has no reply key";
	}
	if ((e->kind == ASYNCTASK_WIRE_RESULT || (e->flags & ASYNCTASK_WIRE_NO_REPLY)) && e->reply_key_len != 0) {
		return "a result, or a task nobody waits for, carries a reply key";
	}
	if (e->payload_len > max_payload || e->payload_len > UINT32_MAX) {
		return "the payload is larger than asynctask.max_payload";
	}
	return NULL;
}

/* --- encode ---------------------------------------------------------------- */

zend_string *asynctask_wire_encode(const asynctask_wire_entry_t *e, const zend_string *secret, zend_string **error)
{
	const char *invalid = invalid_fields(e, UINT32_MAX);
	size_t body, total;
	zend_string *out;
	uint8_t *p;

	if (invalid) {
		asynctask_fail(error, "cannot encode this %s entry: %s", kind_name(e->kind), invalid);
		return NULL;
	}
	body = ASYNCTASK_WIRE_HEADER_SIZE + e->queue_len + e->node_len + e->reply_key_len + e->payload_len;
	total = body + ASYNCTASK_HMAC_SIZE;
	out = zend_string_alloc(total, 0);
	p = (uint8_t *) ZSTR_VAL(out);

	memcpy(p, magic, sizeof(magic));
	p[4] = ASYNCTASK_WIRE_VERSION;
	p[5] = (uint8_t) e->kind;
	put16(p + 6, e->flags);
	memcpy(p + 8, e->id, ASYNCTASK_WIRE_ID_SIZE);
	put32(p + 24, e->attempt);
	put32(p + 28, e->timeout_ms);
	put64(p + 32, e->dispatched_at_us);
	p[40] = (uint8_t) e->queue_len;
	p[41] = (uint8_t) e->node_len;
	put16(p + 42, (uint16_t) e->reply_key_len);
	put32(p + 44, (uint32_t) e->payload_len);
	p += ASYNCTASK_WIRE_HEADER_SIZE;

	/* memcpy with a length of 0 still wants a valid pointer: skip empty fields */
#define APPEND(field, len) do { if (len) { memcpy(p, (field), (len)); p += (len); } } while (0)
	APPEND(e->queue, e->queue_len);
	APPEND(e->node, e->node_len);
	APPEND(e->reply_key, e->reply_key_len);
	APPEND(e->payload, e->payload_len);
#undef APPEND

	asynctask_hmac_sha256((const uint8_t *) ZSTR_VAL(secret), ZSTR_LEN(secret),
		(const uint8_t *) ZSTR_VAL(out), body, p);
	ZSTR_VAL(out)[total] = '\0';
	return out;
}

/* --- decode ---------------------------------------------------------------- */

zend_result asynctask_wire_decode(const char *bytes, size_t len, asynctask_wire_kind_t expected, size_t max_payload,
	const zend_string *secret, asynctask_wire_entry_t *entry, zend_string **error)
{
	const uint8_t *p = (const uint8_t *) bytes;
	const size_t smallest = ASYNCTASK_WIRE_HEADER_SIZE + 1 + ASYNCTASK_HMAC_SIZE;   /* a 1-byte queue name */
	const size_t largest = ASYNCTASK_WIRE_HEADER_SIZE + 255 + 255 + ASYNCTASK_WIRE_REPLY_KEY_MAX + max_payload
		+ ASYNCTASK_HMAC_SIZE;
	uint8_t mac[ASYNCTASK_HMAC_SIZE];
	asynctask_wire_entry_t e;
	const char *invalid;

	/* 1. the size alone */
	if (len < smallest) {
		return asynctask_fail(error, "refused a %zu-byte entry: truncated (an entry has at least %zu bytes)", len, smallest);
	}
	if (len > largest) {
		return asynctask_fail(error, "refused a %zu-byte entry: larger than any entry asynctask.max_payload "
			"(%zu bytes) allows", len, max_payload);
	}

	/* 2. the signature over everything before it */
	asynctask_hmac_sha256((const uint8_t *) ZSTR_VAL(secret), ZSTR_LEN(secret), p, len - ASYNCTASK_HMAC_SIZE, mac);
	if (!asynctask_hmac_equal(mac, p + len - ASYNCTASK_HMAC_SIZE)) {
		return asynctask_fail(error, "refused a %zu-byte entry: its HMAC-SHA256 does not match (not signed with "
			"this asynctask.secret, or altered); nothing of it was decoded", len);
	}

	/* 3. signed by someone who has the secret: now the fields */
	if (memcmp(p, magic, sizeof(magic)) != 0) {
		return asynctask_fail(error, "refused a signed entry: it does not start with \"ATSK\"");
	}
	if (p[4] != ASYNCTASK_WIRE_VERSION) {
		return asynctask_fail(error, "refused a signed entry of wire version %u: this build reads version %u "
			"(nodes and dispatchers must run compatible asynctask releases)", p[4], ASYNCTASK_WIRE_VERSION);
	}
	if (p[5] != expected) {
		return asynctask_fail(error, "refused a signed %s entry where a %s was expected", kind_name(p[5]), kind_name(expected));
	}
	e.kind = (asynctask_wire_kind_t) p[5];
	e.flags = get16(p + 6);
	memcpy(e.id, p + 8, ASYNCTASK_WIRE_ID_SIZE);
	e.attempt = get32(p + 24);
	e.timeout_ms = get32(p + 28);
	e.dispatched_at_us = get64(p + 32);
	e.queue_len = p[40];
	e.node_len = p[41];
	e.reply_key_len = get16(p + 42);
	e.payload_len = get32(p + 44);

	/* the lengths must add up to the entry exactly: no short read, no trailing bytes */
	if (ASYNCTASK_WIRE_HEADER_SIZE + e.queue_len + e.node_len + e.reply_key_len + e.payload_len + ASYNCTASK_HMAC_SIZE
			!= len) {
		return asynctask_fail(error, "refused a signed entry: its field lengths do not add up to its %zu bytes", len);
	}
	if ((invalid = invalid_fields(&e, max_payload)) != NULL) {
		return asynctask_fail(error, "refused a signed %s entry: %s", kind_name(e.kind), invalid);
	}
	e.queue = bytes + ASYNCTASK_WIRE_HEADER_SIZE;
	e.node = e.queue + e.queue_len;
	e.reply_key = e.node + e.node_len;
	e.payload = e.reply_key + e.reply_key_len;
	*entry = e;
	return SUCCESS;
}

/* --- ids ------------------------------------------------------------------- */

zend_result asynctask_wire_new_id(uint8_t id[ASYNCTASK_WIRE_ID_SIZE])
{
	/* random rather than node+pid+counter: no coordination between nodes, no
	 * collision when a pid is reused or two containers share a hostname, and
	 * nothing to guess a reply key from */
	return php_random_bytes_throw(id, ASYNCTASK_WIRE_ID_SIZE) == SUCCESS ? SUCCESS : FAILURE;
}

void asynctask_wire_id_hex(const uint8_t id[ASYNCTASK_WIRE_ID_SIZE], char out[2 * ASYNCTASK_WIRE_ID_SIZE + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < ASYNCTASK_WIRE_ID_SIZE; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 0xf];
	}
	out[2 * ASYNCTASK_WIRE_ID_SIZE] = '\0';
}
