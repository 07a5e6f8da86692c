/*
 * Robust process-shared mutex and futex sleeps.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* CPU_COUNT */
#endif
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/futex.h>

#include "src/transport/shm/lock.h"
#include "src/base/clock.h"

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

bool asynctask_lock_acquire(asynctask_lock_t *lock)
{
	int err = EBUSY;

	if (asynctask_spins()) {
		for (int i = 0; i < LOCK_TRIES && (err = pthread_mutex_trylock(&lock->mutex)) == EBUSY; i++) {
			asynctask_cpu_relax();
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
		return errno;
	}
	return 0;
}

int asynctask_futex_wake(uint32_t *word, int n)
{
	long woken = syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
	return woken > 0 ? (int) woken : 0;
}

int asynctask_futex_wait_bits(uint32_t *word, uint32_t expected, uint32_t bits, double timeout)
{
	struct timespec ts, *tsp = NULL;

	if (timeout >= 0) {
		/* FUTEX_WAIT_BITSET's timeout is a point in time, on CLOCK_MONOTONIC */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		time_t sec = (time_t) timeout;
		ts.tv_sec += sec;
		ts.tv_nsec += (long) ((timeout - (double) sec) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		tsp = &ts;
	}
	if (syscall(SYS_futex, word, FUTEX_WAIT_BITSET, expected, tsp, NULL, bits) == -1) {
		return errno;
	}
	return 0;
}

int asynctask_futex_wake_bits(uint32_t *word, int n, uint32_t bits)
{
	long woken = syscall(SYS_futex, word, FUTEX_WAKE_BITSET, n, NULL, NULL, bits);
	return woken > 0 ? (int) woken : 0;
}

/* CPUs in our affinity mask (sched_getaffinity: a CPU we may not run on
 * cannot run what we wait for while we spin), counted when first asked and
 * again by a waiter that sleeps, at most every AFFINITY_CHECK_NS. */
#define AFFINITY_CHECK_NS (10 * 1000 * 1000)

static int cpus;
static uint64_t cpus_counted;

static void count_cpus(uint64_t now)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		cpus = CPU_COUNT(&set);
	} else {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		cpus = n > 0 ? (int) n : 1;
	}
	cpus_counted = now;
}

bool asynctask_spins(void)
{
	if (!cpus) {
		count_cpus(asynctask_now_ns());
	}
	return cpus > 1;
}

int asynctask_spin_cpus(void)
{
	asynctask_spins();
	return cpus;
}

static uint64_t spin_budget(asynctask_spinner_t *s)
{
	s->probing = false;
	if (!asynctask_spins()) {
		return 0;
	}
	if (s->limit_ns == 0) {
		if (++s->skipped < ASYNCTASK_SPIN_PROBE) {
			return 0;
		}
		s->skipped = 0;
		s->probing = true;
		return ASYNCTASK_SPIN_MAX_NS;
	}
	return s->limit_ns;
}

bool asynctask_spin(asynctask_spinner_t *s, bool (*waiting)(const void *arg), const void *arg)
{
	if (!waiting(arg)) {
		return true;
	}
	uint64_t now = asynctask_now_ns();
	if (!s->start) {
		s->start = now;
		s->until = now + spin_budget(s);
		s->spun = false;
	}
	while (now < s->until) {
		s->spun = true;
		/* a few looks between clock reads: a pause takes 10-150 cycles, a clock read ~20 ns */
		for (int i = 0; i < 8; i++) {
			asynctask_cpu_relax();
			if (!waiting(arg)) {
				return true;
			}
		}
		now = asynctask_now_ns();
	}
	return false;
}

void asynctask_spin_end(asynctask_spinner_t *s)
{
	if (s->start && s->spun) {
		s->limit_ns = ASYNCTASK_SPIN_MAX_NS;  /* it paid: the full budget again */
	}
	s->start = 0;
}

void asynctask_spin_slept(asynctask_spinner_t *s)
{
	if (s->start && s->spun) {
		/* it did not pay: spin half as long next time; a failed probe, not at all */
		uint32_t limit = s->probing ? 0 : s->limit_ns / 2;
		s->limit_ns = limit < ASYNCTASK_SPIN_MIN_NS ? 0 : limit;
	}
	s->start = 0;
	/* about to sleep anyway: the moment to notice a new affinity mask (taskset -p) */
	uint64_t now = asynctask_now_ns();
	if (now - cpus_counted >= AFFINITY_CHECK_NS) {
		count_cpus(now);
	}
}
