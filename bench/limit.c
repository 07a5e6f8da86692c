/*
 * The limit: what one round trip of a 16-byte message between two processes
 * costs on this machine, whatever PHP does on top of it.
 *
 *   cc -std=c11 -O2 -Wall -Wextra -Werror -o limit bench/limit.c
 *   ./limit [iterations] [warmup] [spins]      (defaults 20000 1000 20000)
 *
 * Modes (the parent sends, the child echoes the 16 bytes back):
 *   pipe          two pipes, write()/read(), not pinned
 *   futex-sleep   a MAP_SHARED page; the waiter goes straight to FUTEX_WAIT
 *                 (no spinning), not pinned
 *   futex-1core   the same, both processes pinned to one CPU: a context-switch pair
 *   spin-futex    the waiter spins up to `spins` iterations on the word, then
 *                 FUTEX_WAIT; the two processes pinned to different CPUs
 *
 * A futex wait only counts as a sleep when FUTEX_WAIT returned 0; a wait whose
 * expected value was already stale returns EAGAIN at once and is counted apart,
 * so that a figure never comes from waits that did not wait. "slept" is the
 * fraction of round trips in which the parent's wait for the reply really slept.
 *
 * Output: one line per mode, `mode=NAME p50_us=… p99_us=… …`, read by bench/suite.php.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 16

/* One direction of the exchange: a word (sequence << 1 | waiter-asleep bit) and the message. */
typedef struct {
	_Alignas(64) _Atomic uint32_t word;
	char msg[MSG];
} slot_t;

/* What each side counts about its own waits. */
typedef struct {
	uint64_t waits;      /* FUTEX_WAIT calls */
	uint64_t slept;      /* ... that returned 0: the caller really slept */
	uint64_t stale;      /* ... that returned EAGAIN: the value had moved on already */
	uint64_t spun;       /* messages seen while spinning, no syscall */
	uint64_t trips_slept; /* round trips (parent side) in which at least one wait slept */
	uint64_t wakes;      /* FUTEX_WAKE calls */
	uint64_t woke;       /* ... that woke a sleeper */
} counts_t;

typedef struct {
	slot_t ping;  /* parent -> child */
	slot_t pong;  /* child -> parent */
	_Alignas(64) counts_t child;
} shared_t;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static long futex(_Atomic uint32_t *addr, int op, uint32_t val)
{
	return syscall(SYS_futex, (uint32_t *) addr, op, val, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Publishes message number seq in s; wakes the reader only if it announced that it sleeps.
 * With `forced`, first waits until the reader has announced it (so that each message
 * meets a sleeping reader, as a pipe's read() would): the reader is then asleep, or
 * about to be, and its FUTEX_WAIT returns EAGAIN (counted as stale) in the second case.
 */
static void slot_send(slot_t *s, uint32_t seq, const char *msg, int forced, counts_t *c)
{
	if (forced) {
		for (unsigned i = 1; !(atomic_load(&s->word) & 1u); i++) {
			if (i % 64 == 0) {
				sched_yield(); /* one CPU: let the reader run to its FUTEX_WAIT */
			} else {
				cpu_relax();
			}
		}
	}
	memcpy(s->msg, msg, MSG);
	uint32_t old = atomic_exchange(&s->word, seq << 1);
	if (old & 1u) {
		c->wakes++;
		if (futex(&s->word, FUTEX_WAKE, 1) > 0) {
			c->woke++;
		}
	}
}

/* Waits for message number seq in s: spins up to `spins` times, then sleeps. Returns 1 if it slept. */
static int slot_recv(slot_t *s, uint32_t seq, char *msg, long spins, counts_t *c)
{
	int slept = 0;
	for (long i = 0; i < spins; i++) {
		if ((atomic_load_explicit(&s->word, memory_order_acquire) >> 1) == seq) {
			c->spun++;
			memcpy(msg, s->msg, MSG);
			return 0;
		}
		cpu_relax();
	}
	for (;;) {
		uint32_t v = atomic_load(&s->word);
		if ((v >> 1) == seq) {
			break;
		}
		/* announce the sleep: the sender then knows it must FUTEX_WAKE */
		if (!(v & 1u) && !atomic_compare_exchange_strong(&s->word, &v, v | 1u)) {
			continue;
		}
		c->waits++;
		if (futex(&s->word, FUTEX_WAIT, v | 1u) == 0) {
			c->slept++;
			slept = 1;
		} else if (errno == EAGAIN) {
			c->stale++;
		} else if (errno != EINTR) {
			die("futex wait");
		}
	}
	memcpy(msg, s->msg, MSG);
	return slept;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0) {
		die("sched_setaffinity");
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
	return (x > y) - (x < y);
}

static void report(const char *mode, uint64_t *ns, long n, const char *extra)
{
	uint64_t sum = 0;
	for (long i = 0; i < n; i++) {
		sum += ns[i];
	}
	qsort(ns, (size_t) n, sizeof *ns, cmp_u64);
	printf("mode=%s p50_us=%.2f p99_us=%.2f mean_us=%.2f n=%ld%s%s\n", mode,
		ns[n / 2] / 1000.0, ns[(long) (n * 0.99)] / 1000.0, (double) sum / n / 1000.0, n,
		extra[0] ? " " : "", extra);
	fflush(stdout);
}

static void full_read(int fd, char *buf)
{
	size_t done = 0;
	while (done < MSG) {
		ssize_t r = read(fd, buf + done, MSG - done);
		if (r <= 0) {
			if (r < 0 && errno == EINTR) {
				continue;
			}
			die("read");
		}
		done += (size_t) r;
	}
}

static void full_write(int fd, const char *buf)
{
	if (write(fd, buf, MSG) != MSG) {
		die("write");
	}
}

static void reap(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "limit: child failed\n");
		exit(1);
	}
}

static void run_pipe(long iters, long warmup, uint64_t *ns)
{
	int to_child[2], to_parent[2];
	char buf[MSG] = "0123456789abcdef";
	long total = iters + warmup;
	if (pipe(to_child) || pipe(to_parent)) {
		die("pipe");
	}
	pid_t pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		for (long i = 0; i < total; i++) {
			full_read(to_child[0], buf);
			full_write(to_parent[1], buf);
		}
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	for (long i = 0; i < total; i++) {
		uint64_t t = now_ns();
		full_write(to_child[1], buf);
		full_read(to_parent[0], buf);
		if (i >= warmup) {
			ns[i - warmup] = now_ns() - t;
		}
	}
	close(to_child[1]);
	close(to_parent[0]);
	reap(pid);
	report("pipe", ns, iters, "");
}

/* cpu_parent/cpu_child: CPU to pin to, or -1 for none. */
static void run_futex(const char *mode, long iters, long warmup, long spins, int forced,
	int cpu_parent, int cpu_child, uint64_t *ns)
{
	shared_t *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		die("mmap");
	}
	memset(sh, 0, sizeof *sh);
	long total = iters + warmup;
	pid_t pid = fork();
	if (pid < 0) {
		die("fork");
	}
	if (pid == 0) {
		char buf[MSG];
		counts_t c = {0};
		if (cpu_child >= 0) {
			pin(cpu_child);
		}
		for (long i = 1; i <= total; i++) {
			if (slot_recv(&sh->ping, (uint32_t) i, buf, spins, &c)) {
				c.trips_slept++;
			}
			slot_send(&sh->pong, (uint32_t) i, buf, forced, &c);
		}
		sh->child = c;
		_exit(0);
	}
	cpu_set_t saved;
	if (sched_getaffinity(0, sizeof saved, &saved) != 0) {
		die("sched_getaffinity");
	}
	if (cpu_parent >= 0) {
		pin(cpu_parent);
	}
	char buf[MSG] = "0123456789abcdef";
	counts_t c = {0};
	for (long i = 1; i <= total; i++) {
		if (i == warmup + 1) {
			c = (counts_t) {0};
		}
		uint64_t t = now_ns();
		slot_send(&sh->ping, (uint32_t) i, buf, forced, &c);
		if (slot_recv(&sh->pong, (uint32_t) i, buf, spins, &c)) {
			c.trips_slept++;
		}
		if (i > warmup) {
			ns[i - warmup - 1] = now_ns() - t;
		}
	}
	reap(pid);
	if (sched_setaffinity(0, sizeof saved, &saved) != 0) {
		die("sched_setaffinity");
	}
	counts_t k = sh->child;
	char extra[512];
	snprintf(extra, sizeof extra,
		"slept_pct=%.1f child_slept_pct=%.1f waits=%llu sleeps=%llu stale=%llu spun=%llu"
		" child_waits=%llu child_sleeps=%llu child_stale=%llu child_spun=%llu"
		" wakes=%llu woke=%llu child_wakes=%llu child_woke=%llu spins=%ld cpus=%d,%d",
		100.0 * (double) c.trips_slept / (double) iters,
		100.0 * (double) k.trips_slept / (double) (iters + warmup),
		(unsigned long long) c.waits, (unsigned long long) c.slept, (unsigned long long) c.stale,
		(unsigned long long) c.spun, (unsigned long long) k.waits, (unsigned long long) k.slept,
		(unsigned long long) k.stale, (unsigned long long) k.spun,
		(unsigned long long) c.wakes, (unsigned long long) c.woke,
		(unsigned long long) k.wakes, (unsigned long long) k.woke, spins, cpu_parent, cpu_child);
	report(mode, ns, iters, extra);
	munmap(sh, sizeof *sh);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	long warmup = argc > 2 ? atol(argv[2]) : 1000;
	long spins = argc > 3 ? atol(argv[3]) : 20000;
	if (iters < 100 || warmup < 0 || spins < 0 || iters + warmup >= (1L << 30)) {
		fprintf(stderr, "usage: %s [iterations>=100] [warmup] [spins]\n", argv[0]);
		return 2;
	}
	uint64_t *ns = malloc(sizeof *ns * (size_t) iters);
	if (!ns) {
		die("malloc");
	}

	/* the CPUs this process may run on: the first two, for pinning */
	cpu_set_t set;
	int cpus[2] = {-1, -1}, ncpu = 0;
	if (sched_getaffinity(0, sizeof set, &set) != 0) {
		die("sched_getaffinity");
	}
	for (int i = 0; i < CPU_SETSIZE && ncpu < 2; i++) {
		if (CPU_ISSET(i, &set)) {
			cpus[ncpu++] = i;
		}
	}
	printf("cpus=%d\n", CPU_COUNT(&set));

	run_pipe(iters, warmup, ns);
	run_futex("futex-sleep", iters, warmup, 0, 1, -1, -1, ns);
	run_futex("futex-1core", iters, warmup, 0, 1, cpus[0], cpus[0], ns);
	if (ncpu >= 2) {
		run_futex("spin-futex", iters, warmup, spins, 0, cpus[0], cpus[1], ns);
	} else {
		/* one CPU: spinning only burns the peer's time slice; shown for completeness */
		run_futex("spin-futex", iters, warmup, spins, 0, -1, -1, ns);
	}
	free(ns);
	return 0;
}
