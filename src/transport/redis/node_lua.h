/*
 * The Lua pieces a Redis node's scripts are built of (C string literals,
 * joined where a script is written): each piece a local function, written
 * once here, so that a script that does two steps in one call (the take
 * step carrying store steps, node_take.c) does each exactly as the script
 * of that step alone does it (node_steps.c's store, node_take.c's take).
 * A script's text is its identity to Redis (node_script.c sends it by its
 * SHA1): a change here changes the SHA1 of every script built with it.
 * Nothing but text: included by the node's files that write scripts.
 */
#ifndef ASYNCTASK_TRANSPORT_REDIS_NODE_LUA_H
#define ASYNCTASK_TRANSPORT_REDIS_NODE_LUA_H

/* store(stream, group, id, consumer, attempt, reply, result, ttl_ms): the
 * store step of one entry. Only while the entry is pending to consumer in
 * this delivery (a delivery count other than attempt means it was delivered
 * again since: the result is late and dropped, 0): the result pushed on
 * reply (a list that expires ttl_ms later; reply false or nil: nobody
 * waits), then the entry acknowledged and deleted; 1. */
#define NODE_LUA_STORE \
	"local function store(s, group, id, consumer, attempt, reply, result, ttl)\n" \
	"  local p = redis.call('XPENDING', s, group, id, id, 1, consumer)\n" \
	"  if #p == 0 or tonumber(p[1][4]) ~= tonumber(attempt) then return 0 end\n" \
	"  if reply then\n" \
	"    redis.call('RPUSH', reply, result)\n" \
	"    redis.call('PEXPIRE', reply, ttl)\n" \
	"  end\n" \
	"  redis.call('XACK', s, group, id)\n" \
	"  redis.call('XDEL', s, id)\n" \
	"  return 1\n" \
	"end\n"

/* take(nq, at): the take step over nq queues whose streams are KEYS, three
 * a queue, HIGH first; ARGV[1] the group, ARGV[2] the consumer, ARGV[at + q]
 * queue q's count (its idle workers). Each level of a queue for what the
 * levels above left of that queue's count; a level with no entry at all
 * (XLEN 0: most queues use one level) is not read, which costs Redis a
 * fraction of an XREADGROUP; returns as XREADGROUP ([stream, entries] per
 * stream that had some). */
#define NODE_LUA_TAKE \
	"local function take(nq, at)\n" \
	"  local out = {}\n" \
	"  for q = 1, nq do\n" \
	"    local n = tonumber(ARGV[at + q])\n" \
	"    for l = 1, 3 do\n" \
	"      if n <= 0 then break end\n" \
	"      local s = KEYS[(q - 1) * 3 + l]\n" \
	"      if redis.call('XLEN', s) > 0 then\n" \
	"        local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', n, 'STREAMS', s, '>')\n" \
	"        if r and #r > 0 then\n" \
	"          out[#out + 1] = r[1]\n" \
	"          n = n - #r[1][2]\n" \
	"        end\n" \
	"      end\n" \
	"    end\n" \
	"  end\n" \
	"  return out\n" \
	"end\n"

#endif
