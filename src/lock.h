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
 * Returns 0 when woken or when *word had already changed, ETIMEDOUT, or EINTR. */
int asynctask_futex_wait(uint32_t *word, uint32_t expected, double timeout);
/* Wakes up to n sleepers on word. */
void asynctask_futex_wake(uint32_t *word, int n);

/* How long a waiter spins before it sleeps, when other CPUs can run what it waits for. */
#define ASYNCTASK_SPIN_NS 20000

/* Does spinning make sense here (more than one CPU)? */
bool asynctask_spins(void);

/* Spins (yielding the CPU each round, so that on a single CPU the process it
 * waits for can run) while *word == expected, at most ns nanoseconds; only on
 * a machine with more than one CPU. Returns true if it is still unchanged. */
bool asynctask_spin_until_changed(uint32_t *word, uint32_t expected, uint64_t ns);

/* Monotonic clock in nanoseconds. */
uint64_t asynctask_now_ns(void);

#endif
