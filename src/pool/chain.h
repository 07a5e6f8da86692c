/*
 * Chains (Task::then(), README "Jobs") in the pool: the worker that ends a
 * link successfully queues the next one, with the value as its first
 * argument, itself; nobody has to wait on the Future, and the process that
 * dispatched the chain may be gone. The Future settles once, with the last
 * link's value or the first failure (which names its link); a link's
 * retries (src/pool/retry.h) apply to it alone.
 *
 * The links still to run travel with the link that runs now, in a block in
 * front of its payload (src/codec/chain.h; src/api/chain.h makes the first).
 * The next link is pushed in the critical section that marks the worker's
 * claim delivered (asynctask_queue_push_next()), with the task's id, owner
 * and dispatch time, in a spill file when it has retries or is too large
 * for the ring. With no room in the ring the worker does not wait (the
 * workers make room): it writes the next link to a file, names it in its
 * claim and leaves; the manager holds it and queues it once there is room,
 * as it does a due delayed task. A worker that dies before that step leaves the link it ran
 * to the manager, as any task: it runs again when it has retries left, else
 * the chain fails there. Links are not dispatches: stats() count a chain
 * once, by how it ended.
 */
#ifndef ASYNCTASK_POOL_CHAIN_H
#define ASYNCTASK_POOL_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "php.h"

#include "src/codec/chain.h"
#include "src/transport/shm/region.h"

/* Worker: the claim's link returned a value (serialized: value, len) and
 * chain says what follows (remaining > 0): queues the next link, marking
 * the claim delivered. 0; EAGAIN: the queue has no room now, the next link
 * is in the file the claim names, with claim.handing_on set: the caller
 * leaves, and the manager holds it until there is room
 * (asynctask_chain_held_by_manager()); else an errno value, with why set
 * (the caller fails the chain). */
int asynctask_chain_handoff(asynctask_pool_t *pool, asynctask_claim_t *claim, const asynctask_chain_t *chain,
	const char *value, size_t len, char *why, size_t why_size);

/* Manager: a dead worker's claim left the next link of its chain (see
 * above): holds it in the heap of delayed tasks, due now (src/pool/delay.h).
 * false: there was none (or no memory: the caller fails the chain). */
bool asynctask_chain_held_by_manager(const asynctask_claim_t *claim);

#endif
