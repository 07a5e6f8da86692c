/*
 * Idle workers: which of them look for work, which sleep, and whom a new
 * task wakes.
 *
 * A task pushed while a worker already looks for work (searches) wakes no
 * one: that worker takes it. Only when none searches is a sleeper woken,
 * and it counts as searching from that moment, before it has a CPU, so
 * that the pushes that follow do not wake another one each: with more
 * workers than CPUs each of those wake-ups preempted the dispatcher for a
 * worker that found the task already taken. A searcher that takes a task
 * stops searching and, if more are queued and no other worker searches,
 * wakes the next sleeper (so a burst still spreads over every worker, one
 * wake-up at a time). At most as many searchers spin as the process has
 * CPUs; the others sleep at once.
 *
 * All of it is per named queue (region.h): each queue keeps its own counts
 * and items_seq, and a task wakes only a worker of its queue. Only the bound
 * on spinners is the pool's: a worker counts every queue's searchers.
 *
 * Each worker's state is in its slot of the region (region.h): busy,
 * searching or sleeping. The queue keeps two counts, kept on the safe side
 * of the truth so that a process killed between two steps can only cause
 * an extra wake-up, never a missed one:
 *   searching: never above the number of slots marked searching (a slot is
 *     marked before it is counted and uncounted before it is unmarked);
 *     a producer wakes no one while it is above 0;
 *   sleepers: never below the number of slots marked sleeping (counted
 *     before, uncounted after); a producer looks for a sleeper only then.
 * The manager unmarks (and uncounts) the slot of a worker that is gone.
 *
 * No wake-up is lost (Dekker's handshake, every step seq_cst):
 *   - a producer commits the task and moves items_seq, then reads
 *     searching, sleepers and the slots;
 *   - a worker that goes to sleep uncounts and unmarks itself as a
 *     searcher, marks itself sleeping, then reads items_seq: if it moved
 *     since the take that found nothing, it does not sleep; the futex wait
 *     sleeps only while items_seq is that take's value;
 *   - a worker that stops searching because it took a task unmarks itself,
 *     then reads whether tasks are still queued (and wakes the next if none
 *     searches).
 * So a producer that saw a searcher was seen by it (the searcher's next
 * look at the queue comes after the push), and one that saw none saw every
 * sleeper: it marks one searching, moves items_seq (a sleeper about to
 * wait then does not), and wakes it by its bit (FUTEX_WAIT_BITSET on
 * items_seq: bit = slot index modulo 32; a wake-up meant for another
 * worker of the same bit is a spurious one, after which a worker counts
 * itself). tests/transport/shm/queue/wake_bursts.phpt fails on a lost one
 * (test builds sleep up to ASYNCTASK_IDLE_SLEEP_MAX seconds and widen each
 * window of the handshake with ASYNCTASK_IDLE_WIDEN_US), and
 * tests/transport/shm/faults/worker_killed_idle.phpt kills workers at each
 * of its steps.
 *
 * What it cannot cover, as before it: a producer killed between marking a
 * sleeper searching and waking it (or between its push and its look) leaves
 * that sleeper asleep until ASYNCTASK_QUEUE_SLEEP_MAX, when it looks by
 * itself; the tasks wait that long at most.
 */
#ifndef ASYNCTASK_IDLE_H
#define ASYNCTASK_IDLE_H

#include <stdint.h>

#include "src/transport/shm/region.h"

typedef enum {
	ASYNCTASK_IDLE_BUSY = 0,      /* runs a task, or is about to look (not counted) */
	ASYNCTASK_IDLE_SEARCHING,     /* looks for work, spinning, or woken and not yet running */
	ASYNCTASK_IDLE_SLEEPING,      /* asleep on items_seq, its bit chosen */
} asynctask_idle_state_t;

/* A task was committed to the queue of that index (or may still be queued
 * there): wakes a sleeper of that queue's workers unless one of them
 * searches. Each named queue (region.h) has its own counts, and its
 * workers sleep on its items_seq: a task never wakes another queue's worker. */
void asynctask_idle_kick(asynctask_pool_t *pool, uint32_t queue);

/* The worker of slot took a task: it no longer searches. */
void asynctask_idle_found(asynctask_pool_t *pool, asynctask_worker_slot_t *slot);

/* The worker of slot found nothing in a take that read token (items_seq):
 * spins while that may pay, else sleeps until a producer wakes it, items_seq
 * moves or ASYNCTASK_QUEUE_SLEEP_MAX passes; it searches on return. */
void asynctask_idle_wait(asynctask_pool_t *pool, asynctask_worker_slot_t *slot, uint32_t token);

/* The manager: the worker of slot is gone (before a new one is forked into
 * it). Its state is cleared, and every sleeper woken: it may have been the
 * one a task counted on. */
void asynctask_idle_forget(asynctask_pool_t *pool, asynctask_worker_slot_t *slot);

#endif
