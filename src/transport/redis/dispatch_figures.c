/*
 * A dispatcher's look at its queues in Redis, for Pool::stats()' "queues"
 * (dispatch.h): per queue that asynctask.queues names, how many of its
 * entries wait for a node, how many a node took and has not acknowledged
 * yet, and how many wait in its delayed set. One read-only script, one
 * round trip, asked only when stats() is called.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/exceptions.h"
#include "src/base/queues.h"
#include "src/transport/redis/conn.h"
#include "src/transport/redis/dispatch.h"
#include "src/transport/redis/dispatcher.h"
#include "src/transport/redis/protocol.h"

/* KEYS: per queue its ASYNCTASK_REDIS_LEVELS streams, then its delayed set;
 * ARGV[1] the group. Replies per queue (REPLIES_PER_QUEUE): the streams'
 * entries, the group's pending entries on them (a stream or group not there
 * yet: 0), the delayed set's members. */
#define KEYS_PER_QUEUE    (ASYNCTASK_REDIS_LEVELS + 1)
#define REPLIES_PER_QUEUE 3
static const char figures_script[] =
	"local out = {}\n"
	"for i = 1, #KEYS, " ASYNCTASK_REDIS_TEXT(KEYS_PER_QUEUE) " do\n"
	"  local length, pending = 0, 0\n"
	"  for j = i, i + " ASYNCTASK_REDIS_TEXT(ASYNCTASK_REDIS_LEVELS) " - 1 do\n"
	"    length = length + redis.call('XLEN', KEYS[j])\n"
	"    local summary = redis.pcall('XPENDING', KEYS[j], ARGV[1])\n"
	"    if type(summary) == 'table' and summary.err == nil then pending = pending + summary[1] end\n"
	"  end\n"
	"  out[#out + 1] = length\n"
	"  out[#out + 1] = pending\n"
	"  out[#out + 1] = redis.call('ZCARD', KEYS[i + " ASYNCTASK_REDIS_TEXT(ASYNCTASK_REDIS_LEVELS) "])\n"
	"end\n"
	"return out\n";

static zend_long integer_at(const redisReply *reply, size_t i)
{
	const redisReply *element = reply->element[i];
	return element->type == REDIS_REPLY_INTEGER && element->integer > 0 ? (zend_long) element->integer : 0;
}

static void add_queue(zval *queues, const char *name, zend_long length, zend_long pending, zend_long delayed)
{
	zval q;

	array_init_size(&q, 4);
	/* XDEL follows every XACK (protocol.h): what is in a stream and not pending waits for a node */
	add_assoc_long(&q, "queued", length > pending ? length - pending : 0);
	add_assoc_long(&q, "pending", pending);
	add_assoc_long(&q, "delayed", delayed);
	add_assoc_long(&q, "stream_length", length);
	add_assoc_zval(queues, name, &q);
}

bool asynctask_redis_dispatch_queue_figures(zval *stats)
{
	asynctask_queues_t named;
	const char *prefix = ASYNCTASK_G(prefix) ? ASYNCTASK_G(prefix) : "";
	char why[256];
	zval queues;

	if (!asynctask_queues_parse(ASYNCTASK_G(queues) ? ASYNCTASK_G(queues) : "", &named, why, sizeof(why))) {
		asynctask_throw(asynctask_ce_backend_exception, "asynctask.queues: %s", why);
		return false;
	}
	if (named.count == 0) {
		named.count = 1;
		snprintf(named.queues[0].name, sizeof(named.queues[0].name), "%s", ASYNCTASK_REDIS_QUEUE_DEFAULT);
	}

	uint32_t nkeys = named.count * KEYS_PER_QUEUE, argc = 3 + nkeys + 1;
	char (*keys)[ASYNCTASK_REDIS_KEY_MAX] = emalloc(sizeof(*keys) * nkeys);
	const char **argv = emalloc(sizeof(*argv) * argc);
	size_t *argv_len = emalloc(sizeof(*argv_len) * argc);
	char count[16];

	snprintf(count, sizeof(count), "%" PRIu32, nkeys);
	argv[0] = "EVAL";
	argv[1] = figures_script;
	argv[2] = count;
	for (uint32_t q = 0, k = 0; q < named.count; q++) {
		for (unsigned level = 0; level < ASYNCTASK_REDIS_LEVELS; level++, k++) {
			snprintf(keys[k], ASYNCTASK_REDIS_KEY_MAX, ASYNCTASK_REDIS_LEVEL_FMT, prefix, named.queues[q].name,
				asynctask_redis_level_suffix(level));
		}
		snprintf(keys[k++], ASYNCTASK_REDIS_KEY_MAX, ASYNCTASK_REDIS_DELAYED_FMT, prefix, named.queues[q].name);
	}
	for (uint32_t k = 0; k < nkeys; k++) {
		argv[3 + k] = keys[k];
	}
	argv[argc - 1] = ASYNCTASK_REDIS_GROUP;
	for (uint32_t i = 0; i < argc; i++) {
		argv_len[i] = i == 1 ? sizeof(figures_script) - 1 : strlen(argv[i]);
	}

	redisReply *reply = asynctask_redis_command_to(ASYNCTASK_G(backend), 0, (int) argc, argv, argv_len);
	efree(argv_len);
	efree(argv);
	efree(keys);
	if (!reply) {
		/* unreachable past dispatch_timeout, or it refused: said in the stats, not thrown */
		add_assoc_bool(stats, "backend_connected", false);
		add_assoc_str(stats, "backend_error", asynctask_exception_take_message());
		return true;
	}
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != REPLIES_PER_QUEUE * (size_t) named.count) {
		freeReplyObject(reply);
		add_assoc_bool(stats, "backend_connected", true);
		add_assoc_string(stats, "backend_error", "Redis answered the queues' figures with an unexpected reply");
		return true;
	}
	array_init_size(&queues, named.count);
	for (uint32_t q = 0; q < named.count; q++) {
		size_t at = REPLIES_PER_QUEUE * (size_t) q;
		add_queue(&queues, named.queues[q].name, integer_at(reply, at), integer_at(reply, at + 1),
			integer_at(reply, at + 2));
	}
	freeReplyObject(reply);
	add_assoc_bool(stats, "backend_connected", true);
	add_assoc_zval(stats, "queues", &queues);
	return true;
}
