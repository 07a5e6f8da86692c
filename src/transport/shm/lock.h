/*
 * Locking and sleeping in shared memory.
 *
 * The lock is a process-shared robust mutex: when a process dies holding it,
 * the next one to take it is told so (EOWNERDEAD) and carries on, so a
 * killed worker or producer never wedges the queue. Sleeping is done on
 * futex words outside the lock: a sleeper that is killed leaves nothing
 * behind in the kernel, and a waker wakes only as many as it needs.
 */
#ifndef ASYNCTASK_LOCK_H
#define ASYNCTASK_LOCK_H

#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>

#include "src/base/clock.h"

typedef struct {
	pthread_mutex_t mutex;
	/* times the lock was recovered from a dead holder */
	uint32_t recovered;
} asynctask_lock_t;

/* Returns 0 or an errno value. */
int asynctask_lock_init(asynctask_lock_t *lock);
/* Returns true when the previous holder died inside its critical section:
 * the caller must repair what that holder may have left half done. */
bool asynctask_lock_acquire(asynctask_lock_t *lock);
void asynctask_lock_release(asynctask_lock_t *lock);

/* Sleeps while *word == expected, at most timeout seconds (< 0: no limit).
 * Returns 0 when woken by asynctask_futex_wake() (Linux retries spurious
 * wake-ups itself), EAGAIN when *word had already changed, ETIMEDOUT, or EINTR. */
int asynctask_futex_wait(uint32_t *word, uint32_t expected, double timeout);
/* Wakes up to n sleepers on word; returns how many it woke. */
int asynctask_futex_wake(uint32_t *word, int n);
/* The same for sleepers that chose a bit (FUTEX_WAIT_BITSET): a wake with
 * bits reaches only the sleepers whose bit is among them, and
 * asynctask_futex_wake() reaches every sleeper whatever its bit. */
int asynctask_futex_wait_bits(uint32_t *word, uint32_t expected, uint32_t bits, double timeout);
int asynctask_futex_wake_bits(uint32_t *word, int n, uint32_t bits);

/* Spinning. A waiter that expects what it waits for within microseconds
 * looks for it with a pause instruction between looks before it sleeps in
 * the kernel, whose wake-up costs a context switch on each side. It never
 * yields: sched_yield() leaves it runnable, and on a CPU it shares with a
 * busy process it gets the CPU back only at the next scheduler tick (4 ms
 * at HZ=250), where a sleeper on a futex is woken at once. A spin only pays
 * while what it waits for runs on another CPU, so a waiter spins
 *   - never when its affinity mask has one CPU (read again, at most every
 *     10 ms, by waiters that sleep: taskset can change it at any time);
 *   - only while recent spins paid: each waiter keeps a limit, the full
 *     ASYNCTASK_SPIN_MAX_NS after a spin that saw what it waited for,
 *     halved by one that ended in a sleep; at 0 (below the minimum) it
 *     sleeps at once, and tries a full spin every ASYNCTASK_SPIN_PROBE waits.
 * The longest spin costs about what a sleep costs: a round trip whose
 * waiter slept took 45-75 us on a 2-vCPU VM (an idle vCPU wakes slowly);
 * with 20 us, the idle round trip's p99 was that in half the runs. */
#define ASYNCTASK_SPIN_MAX_NS 50000
#define ASYNCTASK_SPIN_MIN_NS 1000
#define ASYNCTASK_SPIN_PROBE  16

/* One waiter's spinning (per process: a worker waiting for tasks, a caller for results). */
typedef struct {
	uint32_t limit_ns;   /* the longest the next wait spins */
	uint32_t skipped;    /* waits that did not spin since limit_ns fell to 0 */
	uint64_t start;      /* when the current wait began; 0: none */
	uint64_t until;      /* it spins until then */
	bool     spun;
	bool     probing;    /* a full spin with limit_ns at 0 */
} asynctask_spinner_t;

#define ASYNCTASK_SPINNER_INIT { ASYNCTASK_SPIN_MAX_NS, 0, 0, 0, false, false }

/* May this process spin at all (more than one CPU in its affinity mask)? */
bool asynctask_spins(void);
/* The CPUs in this process's affinity mask (as last counted, see above). */
int asynctask_spin_cpus(void);

/* Spins while waiting(arg), within the budget of the current wait (begun by
 * the first call after the last asynctask_spin_end/slept). True once
 * waiting(arg) is false, false when the budget is spent (then sleep). */
bool asynctask_spin(asynctask_spinner_t *s, bool (*waiting)(const void *arg), const void *arg);
/* The wait is over: what it waited for came. */
void asynctask_spin_end(asynctask_spinner_t *s);
/* The wait goes to sleep in the kernel: its spin did not pay. */
void asynctask_spin_slept(asynctask_spinner_t *s);

static inline void asynctask_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

#endif
