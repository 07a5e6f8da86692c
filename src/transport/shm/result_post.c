/*
 * Results, the posting side (a worker, or the manager for a dead one): a
 * result into its owner's mailbox, its bulk ring, a spill file, or the
 * owner's FIFO; and the FIFOs a worker keeps open for the processes it serves.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/base/memory_limit.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/spill.h"
#include "src/base/fault.h"
#include "src/transport/shm/lock.h"
#include "src/transport/shm/mailbox.h"
#include "src/transport/shm/rundir.h"
#include "src/codec/remote_error.h"
#include "src/base/clock.h"
#include "src/transport/shm/result_store.h"

/* --- posting ----------------------------------------------------------- */

static int post_message(int fd, const char *message, size_t len, pid_t owner, double timeout)
{
	uint64_t deadline = timeout > 0 ? asynctask_now_ns() + (uint64_t) (timeout * 1e9) : 0;

	for (;;) {
		ssize_t n = write(fd, message, len);
		if (n == (ssize_t) len) {
			return 0;
		}
		if (n >= 0) {
			return EIO; /* cannot happen for len <= PIPE_BUF */
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EAGAIN) {
			return errno;
		}
		if (timeout == 0 || (timeout > 0 && asynctask_now_ns() >= deadline)) {
			return EAGAIN;
		}
		if (kill(owner, 0) != 0 && errno == ESRCH) {
			return ESRCH;
		}
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		(void) poll(&pfd, 1, 100);
	}
}

/* --- the posting side's open pipes -----------------------------------------
 * A worker keeps the pipes of the processes it serves open (opening and
 * closing one per result was two of its four syscalls per task). A pipe whose
 * reader went away (the process exited, or closed it at the end of a php-fpm
 * request) fails the write with EPIPE: it is closed and opened by name again. */

#define OPEN_PIPES 16

static struct {
	pid_t    process;     /* the process these fds belong to (a fork must not use them) */
	uint64_t clock;
	struct {
		pid_t    owner;
		int      fd;
		uint64_t used;
	} pipes[OPEN_PIPES];
} open_pipes;

static void close_pipe(int i)
{
	if (open_pipes.pipes[i].owner) {
		close(open_pipes.pipes[i].fd);
		open_pipes.pipes[i].owner = 0;
	}
}

/* The write end of owner's pipe: cached, or opened now (-1 with errno set). */
static int pipe_for(pid_t owner, bool fresh)
{
	char name[FIFO_NAME_MAX];
	int i, lru = 0;

	if (open_pipes.process != asynctask_self()) {
		/* inherited from the process we were forked from (a worker from its
		 * manager): copies of its fds, which we close, not use */
		for (i = 0; i < OPEN_PIPES; i++) {
			close_pipe(i);
		}
		open_pipes.process = asynctask_self();
		open_pipes.clock = 0;
	}
	for (i = 0; i < OPEN_PIPES; i++) {
		if (open_pipes.pipes[i].owner == owner) {
			if (!fresh) {
				open_pipes.pipes[i].used = ++open_pipes.clock;
				return open_pipes.pipes[i].fd;
			}
			close_pipe(i);
			lru = i;
			break;
		}
		if (open_pipes.pipes[i].used < open_pipes.pipes[lru].used) {
			lru = i;
		}
	}
	asynctask_results_fifo_name(name, owner);
	/* O_NONBLOCK: fails with ENXIO at once when the owner no longer reads. */
	int fd = openat(asynctask_rundir_fd(), name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return -1;
	}
	close_pipe(lru);
	open_pipes.pipes[lru].owner = owner;
	open_pipes.pipes[lru].fd = fd;
	open_pipes.pipes[lru].used = ++open_pipes.clock;
	return fd;
}

static void forget_pipe(pid_t owner)
{
	for (int i = 0; i < OPEN_PIPES; i++) {
		if (open_pipes.pipes[i].owner == owner && open_pipes.process == asynctask_self()) {
			close_pipe(i);
		}
	}
}

void asynctask_results_close_dead_pipes(void)
{
	struct pollfd pfds[OPEN_PIPES];
	int index[OPEN_PIPES], n = 0;

	if (open_pipes.process != asynctask_self()) {
		return;  /* nothing of ours: pipe_for() closes what was inherited */
	}
	for (int i = 0; i < OPEN_PIPES; i++) {
		if (open_pipes.pipes[i].owner) {
			pfds[n].fd = open_pipes.pipes[i].fd;
			pfds[n].events = 0;  /* POLLERR comes anyway: the pipe has no reader left */
			index[n++] = i;
		}
	}
	if (n == 0 || poll(pfds, (nfds_t) n, 0) <= 0) {
		return;
	}
	for (int k = 0; k < n; k++) {
		if (pfds[k].revents & (POLLERR | POLLNVAL)) {
			close_pipe(index[k]);
		}
	}
}

/* The owner listens on its event stream (result_events.h) and this poster
 * is the one to tell it: a message of no task into its FIFO makes the
 * stream readable (the reader drops it). Never waits: a full FIFO is
 * readable already; an owner that no longer reads has nothing to wake. */
static void wake_listener(asynctask_mailbox_t *box, pid_t owner)
{
	if (!asynctask_mailbox_take_listener(box)) {
		return;  /* the plain path: one load */
	}
	result_header_t header = { .magic = RESULT_MAGIC };
	int fd = pipe_for(owner, false);
	int err = fd < 0 ? errno : post_message(fd, (const char *) &header, sizeof(header), owner, 0);
	if (err == EPIPE) {
		fd = pipe_for(owner, true);
		err = fd < 0 ? errno : post_message(fd, (const char *) &header, sizeof(header), owner, 0);
	}
	if (err != 0 && err != EAGAIN) {
		forget_pipe(owner);
	}
}

void asynctask_results_wake_stranded(asynctask_pool_t *pool)
{
	asynctask_mailbox_t *boxes = asynctask_region_mailboxes(pool);

	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		pid_t owner = __atomic_load_n(&boxes[i].owner, __ATOMIC_RELAXED);
		if (owner > 0 && asynctask_mailbox_pending(&boxes[i])) {
			wake_listener(&boxes[i], owner);  /* only an owner that still listens */
		}
	}
}

/* Into the owner's mailbox: 0 when posted, ENOENT when it has none. A
 * worker's claim is noted delivered in the same critical section. */
static int post_to_mailbox(asynctask_pool_t *pool, const asynctask_report_t *report, const char *message, size_t len,
	double timeout, asynctask_claim_t *claim)
{
	pid_t owner = report->owner;
	asynctask_mailbox_t *boxes = asynctask_region_mailboxes(pool);

	for (int attempt = 0; attempt < 2; attempt++) {
		asynctask_mailbox_t *box = asynctask_mailbox_of(boxes, pool->mailboxes, owner);
		if (!box) {
			return ENOENT;
		}
		int err = asynctask_mailbox_post(box, owner, message, len, timeout, report->task_id,
			claim ? &claim->delivered : NULL);
		if (err == ENXIO) {
			continue;  /* given up as we looked: it may have another one now */
		}
		if (err == 0) {
			wake_listener(box, owner);
		}
		return err;
	}
	return ENOENT;
}

/* A large result into the owner's mailbox's bulk ring: 0 when posted; ENOENT
 * (no mailbox), EAGAIN (no room now) or EMSGSIZE (too large) when it must
 * travel in a file instead. */
static int post_bulk_to_mailbox(asynctask_pool_t *pool, const asynctask_report_t *report,
	const result_header_t *spilled_header, const char *data, size_t len, asynctask_claim_t *claim)
{
	asynctask_mailbox_t *boxes = asynctask_region_mailboxes(pool);
	result_header_t header = *spilled_header;

	header.spilled = RESULT_IN_BULK;
	header.length = BULK_WHERE;
	for (int attempt = 0; attempt < 2; attempt++) {
		asynctask_mailbox_t *box = asynctask_mailbox_of(boxes, pool->mailboxes, report->owner);
		if (!box) {
			return ENOENT;
		}
		int err = asynctask_mailbox_post_bulk(box, report->owner, (const char *) &header, sizeof(header), data, len,
			report->task_id, claim ? &claim->delivered : NULL);
		if (err == 0) {
			wake_listener(box, report->owner);
		}
		if (err != ENXIO) {
			return err;
		}
	}
	return ENOENT;
}

int asynctask_result_post(asynctask_pool_t *pool, const asynctask_report_t *report, double timeout,
	asynctask_claim_t *claim)
{
	pid_t owner = report->owner;
	const char *data = report->data;
	size_t len = report->length;
	char message[PIPE_BUF];
	char local[ASYNCTASK_SPILL_NAME_MAX] = "";
	char spill[ASYNCTASK_SPILL_NAME_MAX] = "";
	char *slot = claim ? claim->spill : local;
	result_header_t header = {
		.magic = RESULT_MAGIC,
		.task_id = report->task_id,
		.status = (uint8_t) report->status,
		.counted_by_worker = (uint8_t) report->counted_by_worker,
	};

	if (len > ASYNCTASK_RESULT_INLINE_MAX) {
		header.decoded_kib = (uint32_t) MIN((report->decoded_size + 1023) / 1024, UINT32_MAX);
		/* into the owner's mailbox's bulk ring when it has one with room now */
		int err = post_bulk_to_mailbox(pool, report, &header, data, len, claim);
		if (err == 0) {
			if (claim) {
				ASYNCTASK_FAULT("result.posted");
				__atomic_store_n(&claim->delivered, 1, __ATOMIC_SEQ_CST);
			}
			return 0;
		}
		/* else (no mailbox, no room now, larger than the bulk ring) a spill file */
		err = asynctask_spill_write(asynctask_rundir_fd(), owner, report->task_id, data, len, slot);
		if (err != 0) {
			return err;
		}
		memcpy(spill, slot, sizeof(spill));
		len = 0;  /* the reader knows the file's name */
		header.spilled = RESULT_IN_FILE;
		ASYNCTASK_FAULT("result.spilled");
	}
	header.length = (uint32_t) len;
	memcpy(message, &header, sizeof(header));
	memcpy(message + sizeof(header), data, len);

	int fd, err = post_to_mailbox(pool, report, message, sizeof(header) + len, timeout, claim);
	if (err == ENOENT) {
		fd = pipe_for(owner, false);
		err = fd < 0 ? errno : post_message(fd, message, sizeof(header) + len, owner, timeout);
	}
	if (err == EPIPE) {
		/* the pipe we kept has no reader now: the owner's current one may */
		fd = pipe_for(owner, true);
		err = fd < 0 ? errno : post_message(fd, message, sizeof(header) + len, owner, timeout);
	}
	if (err == 0 && claim) {
		ASYNCTASK_FAULT("result.posted");  /* a worker's: the manager posts without a claim */
		/* the message is in the mailbox or the pipe: the spill file is the reader's
		 * now, and the manager must not report this task again should we die */
		__atomic_store_n(&claim->delivered, 1, __ATOMIC_SEQ_CST);
	}
	slot[0] = '\0';
	if (err != 0) {
		forget_pipe(owner);
	}
	if (err != 0 && spill[0]) {
		asynctask_spill_remove(asynctask_rundir_fd(), spill);
	}
	return err;
}
