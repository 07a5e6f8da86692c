/*
 * A Redis node reclaiming entries: those other nodes left pending past
 * asynctask.visibility_timeout (XAUTOCLAIM over every queue with free
 * workers, each for no more than its free workers, HIGH first), and one
 * entry at once whose worker died here (XCLAIM), both by the claim step, a
 * Lua script on the writer. Each entry claimed is verified and handed on as
 * one read (node_entry.c); the claim's promises are the take step's
 * (node_take.c), whose poll follows every answer.
 *
 * It calls down to node_take.c (promises, poll), node_entry.c and
 * node_reply.c; none of them calls back up here.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

/* claim: ARGV group consumer min_idle_ms 'auto'|'id', then for 'auto' one
 * count a queue (KEYS its three streams, HIGH first), for 'id' the entry's id
 * (KEYS its stream). XAUTOCLAIM over each queue's streams, HIGH first, for
 * what the levels above left of the queue's count (entries idle past
 * visibility_timeout), or XCLAIM (one entry, again at once: its worker
 * crashed), each with its delivery count after the claim, which is the
 * attempt, and its stream: [[id, fields, deliveries, stream], ...]. */
static const char CLAIM_SCRIPT[] =
	"local out = {}\n"
	"local function add(key, claimed)\n"
	"  local n = 0\n"
	"  for _, e in ipairs(claimed) do\n"
	"    if type(e) == 'table' and type(e[2]) == 'table' then\n"
	"      local p = redis.call('XPENDING', key, ARGV[1], e[1], e[1], 1)\n"
	"      local d = 0\n"
	"      if #p > 0 then d = p[1][4] end\n"
	"      out[#out + 1] = {e[1], e[2], d, key}\n"
	"      n = n + 1\n"
	"    end\n"
	"  end\n"
	"  return n\n"
	"end\n"
	"if ARGV[4] == 'id' then\n"
	"  add(KEYS[1], redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[5]))\n"
	"  return out\n"
	"end\n"
	"for q = 1, #ARGV - 4 do\n"
	"  local left = tonumber(ARGV[q + 4])\n"
	"  for l = 1, 3 do\n"
	"    if left <= 0 then break end\n"
	"    local key = KEYS[(q - 1) * 3 + l]\n"
	"    left = left - add(key, redis.call('XAUTOCLAIM', key, ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', left)[2])\n"
	"  end\n"
	"end\n"
	"return out\n";

static void on_claim(redisAsyncContext *ac, void *r, void *privdata)
{
	redisReply *reply = r;
	take_t *t = privdata;

	asynctask_redis_node_replied(ac, reply);
	asynctask_rnode.claiming--;
	asynctask_redis_node_release(t);
	if (asynctask_redis_node_demoted(ac, reply)) {
		free(t);
		return;
	}
	if (asynctask_redis_node_is_error(reply)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "redis_error",
			"redis node: reclaiming entries failed: %.*s", (int) reply->len, reply->str);
		free(t);
		return;
	}
	size_t taken = asynctask_redis_node_take_entries(reply, true, NULL);
	if (t->kind == CLAIM_AUTO) {
		/* an automatic reclaim, not a crashed task's second run */
		asynctask_rnode.stats.reclaimed += taken;
	}
	free(t);
	asynctask_redis_node_poll();
}

/* Sends the claim step with argv's tail (argc so far) and t's promises. */
static void send_claim(const char **argv, int argc, take_t *t)
{
	size_t argvlen[16 + 4 * ASYNCTASK_QUEUES_MAX];

	for (int i = 0; i < argc; i++) {
		argvlen[i] = strlen(argv[i]);
	}
	if (asynctask_redis_node_command(asynctask_rnode.writer.ac, on_claim, t, argc, argv, argvlen) != REDIS_OK) {
		free(t);
		return;
	}
	asynctask_rnode.claiming++;
	for (uint32_t q = 0; q < asynctask_rnode.nqueues; q++) {
		asynctask_rnode.queues[q].promised += t->promised[q];
	}
}

void asynctask_redis_node_claim_one(const char *entry_id, unsigned queue, unsigned level)
{
	if (asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready || queue >= asynctask_rnode.nqueues) {
		return;   /* left pending: reclaimed past visibility_timeout */
	}
	take_t *t = calloc(1, sizeof(*t));
	if (!t) {
		return;
	}
	t->kind = CLAIM_ONE;
	t->promised[queue] = 1;
	const char *argv[] = { "EVAL", CLAIM_SCRIPT, "1",
		asynctask_rnode.queues[queue].streams[level < ASYNCTASK_REDIS_LEVELS ? level : ASYNCTASK_REDIS_LEVEL_NORMAL],
		ASYNCTASK_REDIS_GROUP, asynctask_rnode.config.node, "0", "id", entry_id };
	send_claim(argv, 9, t);
}

void asynctask_redis_node_reclaim(void)
{
	char counts[ASYNCTASK_QUEUES_MAX][16], keys[16], idle[32];
	const char *argv[16 + 4 * ASYNCTASK_QUEUES_MAX];
	uint32_t included[ASYNCTASK_QUEUES_MAX];
	uint64_t now = asynctask_now_ns();
	int argc = 0;

	if (!asynctask_rnode.taking || now < asynctask_rnode.next_reclaim || asynctask_rnode.claiming
		|| asynctask_rnode.writer.state != CONN_UP || !asynctask_rnode.writer.ready) {
		return;
	}
	/* a quarter of visibility_timeout between looks, within 50 ms .. 5 s */
	uint64_t every = asynctask_rnode.config.visibility_ms * 1000000ull / 4;
	every = every < 50000000ull ? 50000000ull : every > 5000000000ull ? 5000000000ull : every;
	asynctask_rnode.next_reclaim = now + every;
	uint32_t n = asynctask_redis_node_free_queues(false, included, counts);
	if (n == 0) {
		return;
	}
	take_t *t = calloc(1, sizeof(*t));
	if (!t) {
		return;
	}
	t->kind = CLAIM_AUTO;
	snprintf(keys, sizeof(keys), "%u", n * ASYNCTASK_REDIS_LEVELS);
	snprintf(idle, sizeof(idle), "%" PRIu64, asynctask_rnode.config.visibility_ms);
	argv[argc++] = "EVAL"; argv[argc++] = CLAIM_SCRIPT; argv[argc++] = keys;
	argc = asynctask_redis_node_add_streams(argv, argc, included, n);
	argv[argc++] = ASYNCTASK_REDIS_GROUP;
	argv[argc++] = asynctask_rnode.config.node;
	argv[argc++] = idle;
	argv[argc++] = "auto";
	argc = asynctask_redis_node_add_counts(argv, argc, t, included, n, counts);
	send_claim(argv, argc, t);
}
