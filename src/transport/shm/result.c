/*
 * Results, the caller's side: its FIFO (opened, closed, its fd), its books
 * of the tasks it waits for, reading and parsing the messages that come
 * into its mailbox or FIFO, and waiting for them (spinning, sleeping). The
 * posting side is result_post.c; a result not in its message,
 * result_spilled.c; a mailbox's upkeep, result_mailbox.c.
 *
 * It calls down to result_spilled.c, result_mailbox.c and result_store.c
 * (a result kept for its Future); none of them calls back up here.
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
#include "src/transport/shm/result_events.h"

_Static_assert(sizeof(result_header_t) + ASYNCTASK_RESULT_INLINE_MAX == PIPE_BUF, "see result.h");

/* Our FIFO in the runtime directory: made if need be, opened without
 * following a link, and refused unless it is a FIFO of ours. */
static int open_own_fifo(int dirfd, const char *name)
{
	struct stat st;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (mkfifoat(dirfd, name, 0600) != 0 && errno != EEXIST) {
			return -1;
		}
		/* O_RDWR: opening never blocks, and the pipe never reads EOF while writers come and go. */
		int fd = openat(dirfd, name, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			return -1;
		}
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_uid == geteuid()) {
			return fd;
		}
		/* something else under our FIFO's name (left by a process whose pid we got): replace it */
		close(fd);
		unlinkat(dirfd, name, 0);
	}
	errno = EEXIST;
	return -1;
}

zend_result asynctask_results_open(asynctask_pool_t *pool)
{
	char name[FIFO_NAME_MAX];
	int dirfd = asynctask_rundir_fd();
	pid_t pid = asynctask_self();

	if (ASYNCTASK_G(result_fd) >= 0 && ASYNCTASK_G(result_pid) == pid) {
		return SUCCESS;
	}
	if (ASYNCTASK_G(result_fd) >= 0) {
		/* inherited from the process we were forked from: its FIFO and mailbox, not ours */
		close(ASYNCTASK_G(result_fd));
		ASYNCTASK_G(result_fd) = -1;
		ASYNCTASK_G(mailbox) = NULL;
		smart_str_free(&ASYNCTASK_G(result_buffer));
		smart_str_free(&ASYNCTASK_G(mailbox_buffer));
		zend_hash_clean(&ASYNCTASK_G(results));
		zend_hash_clean(&ASYNCTASK_G(outstanding));
		zend_hash_clean(&ASYNCTASK_G(abandoned));
	}
	if (dirfd < 0) {
		asynctask_throw(asynctask_ce_exception, "this process has no access to the pool's runtime directory");
		return FAILURE;
	}
	asynctask_results_fifo_name(name, pid);
	int fd = open_own_fifo(dirfd, name);
	if (fd < 0) {
		asynctask_throw(asynctask_ce_exception, "cannot create the result pipe %s/%s: %s",
			asynctask_rundir_path(), name, strerror(errno));
		return FAILURE;
	}
	ASYNCTASK_G(result_fd) = fd;
	ASYNCTASK_G(result_pid) = pid;
	/* A mailbox already under our pid is a dead process's whose pid we got
	 * (the manager frees those once a second): its results are nobody's, and
	 * posters must not find it instead of ours. */
	asynctask_mailbox_t *stale;
	while ((stale = asynctask_mailbox_of(asynctask_region_mailboxes(pool), pool->mailboxes, pid))) {
		uint32_t dropped = asynctask_results_free_mailbox(stale, pid);
		__atomic_add_fetch(&pool->counters.dropped_results, dropped, __ATOMIC_RELAXED);
	}
	/* none free (many dispatching processes): the FIFO carries our results */
	ASYNCTASK_G(mailbox) = asynctask_mailbox_take(asynctask_region_mailboxes(pool), pool->mailboxes, pid);
	ASYNCTASK_G(fifo_skipped) = 0;
	ASYNCTASK_G(fifo_readable) = false;
	if (asynctask_results_events_on()) {
		asynctask_results_drain();  /* the event stream watches the new FIFO and mailbox */
	}
	return SUCCESS;
}

int asynctask_results_open_pipe(void)
{
	char name[FIFO_NAME_MAX];
	int dirfd = asynctask_rundir_fd();
	pid_t pid = asynctask_self();

	if (dirfd < 0) {
		errno = ENOENT;
		return -1;
	}
	asynctask_results_fifo_name(name, pid);
	int fd = open_own_fifo(dirfd, name);
	if (fd < 0) {
		return -1;
	}
	ASYNCTASK_G(result_fd) = fd;
	ASYNCTASK_G(result_pid) = pid;
	ASYNCTASK_G(mailbox) = NULL;
	ASYNCTASK_G(fifo_skipped) = 0;
	ASYNCTASK_G(fifo_readable) = false;
	return fd;
}

uint32_t asynctask_results_close(void)
{
	char name[FIFO_NAME_MAX];
	uint32_t dropped = 0;

	if (ASYNCTASK_G(result_fd) < 0) {
		return 0;
	}
	if (ASYNCTASK_G(result_pid) == asynctask_self()) {
		asynctask_results_events_unwatch();
	}
	close(ASYNCTASK_G(result_fd));
	ASYNCTASK_G(result_fd) = -1;
	smart_str_free(&ASYNCTASK_G(result_buffer));
	smart_str_free(&ASYNCTASK_G(mailbox_buffer));
	if (ASYNCTASK_G(mailbox) && ASYNCTASK_G(result_pid) == asynctask_self()) {
		/* results nobody waits for any more (php-fpm: the request is over) */
		dropped = asynctask_results_free_mailbox(ASYNCTASK_G(mailbox), asynctask_self());
	}
	ASYNCTASK_G(mailbox) = NULL;
	if (ASYNCTASK_G(result_pid) == asynctask_self() && asynctask_rundir_fd() >= 0) {
		asynctask_results_fifo_name(name, asynctask_self());
		unlinkat(asynctask_rundir_fd(), name, 0);
	}
	return dropped;
}

uint32_t asynctask_results_end_request(void)
{
	if (asynctask_results_fd() < 0) {
		return 0;
	}
	/* no Future of the request can be waited on now: what comes for one is
	 * dropped as it arrives, a result file not even read */
	zend_ulong id;
	ZEND_HASH_FOREACH_NUM_KEY(&ASYNCTASK_G(outstanding), id) {
		zend_hash_index_add_empty_element(&ASYNCTASK_G(abandoned), id);
	} ZEND_HASH_FOREACH_END();
	zend_hash_clean(&ASYNCTASK_G(outstanding));
	uint32_t dropped = zend_hash_num_elements(&ASYNCTASK_G(results));
	zend_hash_clean(&ASYNCTASK_G(results));

	/* what came already is read, the pipe too: a late report corrects the counts now */
	uint32_t waiting = zend_hash_num_elements(&ASYNCTASK_G(abandoned));
	ASYNCTASK_G(fifo_readable) = true;
	asynctask_results_drain();
	dropped += waiting - zend_hash_num_elements(&ASYNCTASK_G(abandoned));
	return dropped + asynctask_results_close();
}

int asynctask_results_fd(void)
{
	return ASYNCTASK_G(result_pid) == asynctask_self() ? ASYNCTASK_G(result_fd) : -1;
}

void asynctask_results_expect(uint64_t id)
{
	zend_hash_index_add_empty_element(&ASYNCTASK_G(outstanding), id);
}

void asynctask_results_forget(uint64_t id)
{
	if (zend_hash_index_del(&ASYNCTASK_G(results), id) == FAILURE
		&& zend_hash_index_del(&ASYNCTASK_G(outstanding), id) == SUCCESS) {
		zend_hash_index_add_empty_element(&ASYNCTASK_G(abandoned), id);
	}
}

void asynctask_results_settled(uint64_t id)
{
	zend_hash_index_del(&ASYNCTASK_G(outstanding), id);
}

/* Consumes every complete message at the start of the buffer. */
static int parse(smart_str *buffer)
{
	size_t offset = 0;
	int count = 0;
	const char *base = ZSTR_VAL(buffer->s);
	size_t size = ZSTR_LEN(buffer->s);

	while (size - offset >= sizeof(result_header_t)) {
		result_header_t header;
		memcpy(&header, base + offset, sizeof(header));
		if (header.magic != RESULT_MAGIC) {
			php_error_docref(NULL, E_WARNING, "asynctask: corrupt result pipe (bad magic); %zu bytes dropped",
				size - offset);
			offset = size;
			break;
		}
		if (size - offset - sizeof(header) < header.length) {
			break;
		}
		const char *data = base + offset + sizeof(header);
		if (header.task_id == 0) {
			/* no task: ignored (task ids start at 1) */
		} else if (header.spilled == RESULT_IN_BULK) {
			asynctask_results_store_bulk(&header, data);
		} else if (header.spilled) {
			asynctask_results_store_spilled(&header);
		} else {
			asynctask_results_store(&header, header.status, 0, data, header.length);
		}
		offset += sizeof(header) + header.length;
		count += header.task_id != 0;
	}
	if (offset == size) {
		ZSTR_LEN(buffer->s) = 0;
	} else if (offset > 0) {
		memmove(ZSTR_VAL(buffer->s), base + offset, size - offset);
		ZSTR_LEN(buffer->s) = size - offset;
	}
	return count;
}

#define READ_CHUNK 65536

/* With a mailbox the FIFO carries only what a poster could not put in the
 * mailbox: it is read after a sleep that nothing ended, and every
 * FIFO_EVERY drains, in case. */
#define FIFO_EVERY 256

/* With an event stream (result_events.h): the FIFO watched, and the
 * mailbox listened to, what came before the word was out collected. */
static int listen_for_events(int fd, asynctask_mailbox_t *box)
{
	int count = 0;

	asynctask_results_events_watch(fd);
	while (box && asynctask_mailbox_listen(box)) {
		asynctask_mailbox_collect(box, &ASYNCTASK_G(mailbox_buffer));
		count += parse(&ASYNCTASK_G(mailbox_buffer));
	}
	return count;
}

int asynctask_results_drain(void)
{
	int fd = asynctask_results_fd();
	smart_str *buffer = &ASYNCTASK_G(result_buffer);
	asynctask_mailbox_t *box = ASYNCTASK_G(mailbox);
	bool events = asynctask_results_events_on();
	int count = 0;

	if (fd < 0) {
		return 0;
	}
	if (box) {
		if (asynctask_mailbox_pending(box)) {
			asynctask_mailbox_collect(box, &ASYNCTASK_G(mailbox_buffer));
			count += parse(&ASYNCTASK_G(mailbox_buffer));  /* whole messages: it ends empty */
		}
		/* with an event stream the FIFO also carries the wake-ups: read each time */
		if (!events && !ASYNCTASK_G(fifo_readable) && ++ASYNCTASK_G(fifo_skipped) < FIFO_EVERY) {
			return count;
		}
		ASYNCTASK_G(fifo_readable) = false;
		ASYNCTASK_G(fifo_skipped) = 0;
	}
	for (;;) {
		smart_str_alloc(buffer, READ_CHUNK, 0);
		ssize_t n = read(fd, ZSTR_VAL(buffer->s) + ZSTR_LEN(buffer->s), READ_CHUNK);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		ZSTR_LEN(buffer->s) += (size_t) n;
		count += parse(buffer);
		if (n < READ_CHUNK) {
			break;  /* it had less than asked for: empty now, no need for a read() to say so */
		}
	}
	if (events) {
		count += listen_for_events(fd, box);
	}
	return count;
}

/* The caller's spinning (lock.h): one wait per asynctask_results_spin(). */
static asynctask_spinner_t caller = ASYNCTASK_SPINNER_INIT;

static bool mailbox_empty(const void *box)
{
	return !asynctask_mailbox_pending(box);
}

bool asynctask_results_spin(void)
{
	asynctask_mailbox_t *box = ASYNCTASK_G(mailbox);

	/* without a mailbox each look is a read(): no spinning */
	if (!box || asynctask_results_fd() < 0) {
		return false;
	}
	if (!asynctask_spin(&caller, mailbox_empty, box)) {
		/* ended now, not when we sleep: the result may come first */
		asynctask_spin_slept(&caller);
		return false;
	}
	asynctask_spin_end(&caller);
	return true;
}

bool asynctask_results_sleep(int timeout_ms)
{
	asynctask_mailbox_t *box = ASYNCTASK_G(mailbox);
	struct pollfd pfd = { .fd = asynctask_results_fd(), .events = POLLIN };

	asynctask_spin_slept(&caller);  /* (Future::any() sleeps without spinning first) */
	if (box && pfd.fd >= 0) {
		/* posters ring the mailbox's bell; only a poster that cannot find our
		 * mailbox writes to the FIFO (it is read every FIFO_EVERY drains):
		 * a sleep that nothing ended has it read now, in case */
		if (asynctask_mailbox_sleep(box, timeout_ms) == ETIMEDOUT) {
			ASYNCTASK_G(fifo_readable) = true;
		}
		return asynctask_mailbox_pending(box) || ASYNCTASK_G(fifo_readable);
	}
	int ready = poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout_ms);
	if (ready > 0) {
		ASYNCTASK_G(fifo_readable) = true;
	}
	return ready > 0;
}

zend_string *asynctask_results_take(uint64_t id, zval *value)
{
	zval *zv = zend_hash_index_find(&ASYNCTASK_G(results), id);
	zend_string *result;

	if (!zv) {
		return NULL;
	}
	if (Z_TYPE_P(zv) == IS_REFERENCE) {
		/* decoded as it arrived (result_spilled.c; only in a process with a
		 * mailbox): the value, and a result that only says it is one */
		ZEND_ASSERT(value);
		ZVAL_COPY(value, Z_REFVAL_P(zv));
		result = asynctask_results_alloc(ASYNCTASK_RESULT_VALUE, 0, 0);
	} else {
		result = zend_string_copy(Z_STR_P(zv));
	}
	zend_hash_index_del(&ASYNCTASK_G(results), id);
	return result;
}
