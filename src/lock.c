/*
 * Robust process-shared mutex and futex sleeps.
 */
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/futex.h>

#include "lock.h"

int asynctask_lock_init(asynctask_lock_t *lock)
{
	pthread_mutexattr_t attr;
	int err;

	if ((err = pthread_mutexattr_init(&attr)) != 0) {
		return err;
	}
	if ((err = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) == 0
		&& (err = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) == 0) {
		err = pthread_mutex_init(&lock->mutex, &attr);
	}
	pthread_mutexattr_destroy(&attr);
	lock->recovered = 0;
	return err;
}

/* Tries before blocking: the queue's critical sections last a fraction of a
 * microsecond, a futex sleep and wake-up a context switch pair (~10 µs), and
 * an unlock with a sleeper a system call. Not with one CPU: the holder cannot
 * run while we spin. */
#define LOCK_TRIES 200

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

bool asynctask_lock_acquire(asynctask_lock_t *lock)
{
	int err = EBUSY;

	if (asynctask_spins()) {
		for (int i = 0; i < LOCK_TRIES && (err = pthread_mutex_trylock(&lock->mutex)) == EBUSY; i++) {
			cpu_relax();
		}
	}
	if (err == EBUSY) {
		err = pthread_mutex_lock(&lock->mutex);
	}
	if (err == EOWNERDEAD) {
		pthread_mutex_consistent(&lock->mutex);
		lock->recovered++;
		return true;
	}
	return false;
}

void asynctask_lock_release(asynctask_lock_t *lock)
{
	pthread_mutex_unlock(&lock->mutex);
}

int asynctask_futex_wait(uint32_t *word, uint32_t expected, double timeout)
{
	struct timespec ts, *tsp = NULL;

	if (timeout >= 0) {
		ts.tv_sec = (time_t) timeout;
		ts.tv_nsec = (long) ((timeout - (double) ts.tv_sec) * 1e9);
		tsp = &ts;
	}
	/* Not FUTEX_PRIVATE_FLAG: the word is shared between processes. */
	if (syscall(SYS_futex, word, FUTEX_WAIT, expected, tsp, NULL, 0) == -1) {
		if (errno == EAGAIN) {
			return 0;
		}
		return errno;
	}
	return 0;
}

void asynctask_futex_wake(uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

bool asynctask_spins(void)
{
	static int cpus;
	if (!cpus) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		cpus = n > 0 ? (int) n : 1;
	}
	return cpus > 1;
}

bool asynctask_spin_until_changed(uint32_t *word, uint32_t expected, uint64_t ns)
{
	if (!asynctask_spins()) {
		return __atomic_load_n(word, __ATOMIC_ACQUIRE) == expected;
	}
	uint64_t until = asynctask_now_ns() + ns;
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == expected) {
		if (asynctask_now_ns() >= until) {
			return true;
		}
		sched_yield();
	}
	return false;
}

uint64_t asynctask_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}
