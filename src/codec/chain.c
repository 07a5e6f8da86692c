/*
 * A chain of tasks on the wire (chain.h).
 */
#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/byteorder.h"
#include "src/codec/chain.h"

static void put32(smart_str *out, uint32_t v)
{
	char b[4];
	asynctask_le32_put(b, v);
	smart_str_appendl(out, b, 4);
}

static bool get32(const char **p, const char *end, uint32_t *v)
{
	if (end - *p < 4) {
		return false;
	}
	*v = asynctask_le32_get(*p);
	*p += 4;
	return true;
}

/* A length then that many bytes; *bytes NULL for ASYNCTASK_CHAIN_NONE when none_ok. */
static bool get_bytes(const char **p, const char *end, const char **bytes, size_t *len, bool none_ok)
{
	uint32_t n;

	if (!get32(p, end, &n)) {
		return false;
	}
	if (n == ASYNCTASK_CHAIN_NONE && none_ok) {
		*bytes = NULL;
		*len = 0;
		return true;
	}
	if ((size_t) (end - *p) < n) {
		return false;
	}
	*bytes = *p;
	*len = n;
	*p += n;
	return true;
}

void asynctask_chain_write(smart_str *out, uint32_t link, uint32_t links, const char *previous, size_t previous_len,
	uint32_t remaining, const char *rest, size_t rest_len)
{
	smart_str_appendl(out, ASYNCTASK_CHAIN_MAGIC, 4);
	put32(out, link);
	put32(out, links);
	put32(out, previous ? (uint32_t) previous_len : ASYNCTASK_CHAIN_NONE);
	if (previous) {
		smart_str_appendl(out, previous, previous_len);
	}
	put32(out, remaining);
	smart_str_appendl(out, rest, rest_len);
}

void asynctask_chain_link_write(smart_str *out, uint32_t timeout_ms, int32_t priority, const char *plan,
	size_t plan_len, const char *payload, size_t payload_len)
{
	put32(out, timeout_ms);
	put32(out, (uint32_t) priority);
	put32(out, (uint32_t) plan_len);
	smart_str_appendl(out, plan, plan_len);
	put32(out, (uint32_t) payload_len);
	smart_str_appendl(out, payload, payload_len);
}

size_t asynctask_chain_link_read(const char *buf, size_t len, asynctask_chain_link_t *link)
{
	const char *p = buf, *end = buf + len;
	uint32_t priority;

	if (!get32(&p, end, &link->timeout_ms) || !get32(&p, end, &priority)
			|| !get_bytes(&p, end, &link->plan, &link->plan_len, false)
			|| !get_bytes(&p, end, &link->payload, &link->payload_len, false)) {
		return 0;
	}
	link->priority = (int32_t) priority;
	return (size_t) (p - buf);
}

size_t asynctask_chain_read(const char *buf, size_t len, asynctask_chain_t *chain)
{
	const char *p = buf, *end = buf + len;

	if (len < 4 || memcmp(buf, ASYNCTASK_CHAIN_MAGIC, 4) != 0) {
		return 0;
	}
	p += 4;
	if (!get32(&p, end, &chain->link) || !get32(&p, end, &chain->links)
			|| !get_bytes(&p, end, &chain->previous, &chain->previous_len, true)
			|| !get32(&p, end, &chain->remaining)) {
		return 0;
	}
	/* the rest: as many links as it says, checked whole */
	chain->rest = p;
	for (uint32_t i = 0; i < chain->remaining; i++) {
		asynctask_chain_link_t link;
		size_t n = asynctask_chain_link_read(p, (size_t) (end - p), &link);
		if (n == 0) {
			return 0;
		}
		p += n;
	}
	chain->rest_len = (size_t) (p - chain->rest);
	if (chain->link == 0 || chain->link > chain->links) {
		return 0;
	}
	return (size_t) (p - buf);
}

bool asynctask_chain_next(const asynctask_chain_t *chain, const char *value, size_t len, smart_str *payload,
	asynctask_chain_link_t *next, char *why, size_t why_size)
{
	size_t used = asynctask_chain_link_read(chain->rest, chain->rest_len, next);

	if (used == 0) {
		snprintf(why, why_size, "the chain's link %u cannot be read", chain->link + 1);
		return false;
	}
	smart_str_appendl(payload, next->plan, next->plan_len);
	asynctask_chain_write(payload, chain->link + 1, chain->links, value, len, chain->remaining - 1,
		chain->rest + used, chain->rest_len - used);
	smart_str_appendl(payload, next->payload, next->payload_len);
	return true;
}
