/*
 * Result FIFOs.
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

#define RESULT_MAGIC 0x31525441u /* "ATR1" */

typedef struct {
	uint32_t magic;
	uint32_t length;     /* bytes after this header */
	uint64_t task_id;
	uint8_t  status;
	uint8_t  spilled;    /* RESULT_IN_FILE: in a spill file (spill.h), whose name its reader knows;
	                      * RESULT_IN_BULK: in the mailbox's bulk ring, where the message says (mailbox.h) */
	/* the manager's report for a worker that died after counting this
	 * outcome (a status) but maybe before delivering it; 0 otherwise */
	uint8_t  counted_by_worker;
	uint8_t  reserved;
	/* a spilled value's bound of the memory it needs to be decoded, in KiB */
	uint32_t decoded_kib;
} result_header_t;

_Static_assert(sizeof(result_header_t) + ASYNCTASK_RESULT_INLINE_MAX == PIPE_BUF, "see result.h");

#define RESULT_IN_FILE 1
#define RESULT_IN_BULK 2
#define BULK_WHERE (2 * sizeof(uint64_t))  /* a bulk message's data: the position and length of its result */

#define FIFO_NAME_MAX 32

static void fifo_name(char name[FIFO_NAME_MAX], pid_t pid)
{
	snprintf(name, FIFO_NAME_MAX, "%d.fifo", (int) pid);
}

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
	fifo_name(name, pid);
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
	fifo_name(name, pid);
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
		fifo_name(name, asynctask_self());
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

/* The first report for a task wins. A second one can only be the manager's
 * report for a worker killed just as it wrote the result to our pipe (the
 * kernel completes a pipe write before the kill takes effect; a result in
 * our mailbox is never in doubt, see mailbox.h): the manager could not tell
 * and counted a crash instead of the worker's outcome; undo that here, and
 * say so in the log, after the manager's line about the kill. */
static void late_report(const result_header_t *header)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (header->counted_by_worker && pool) {
		asynctask_region_count_outcome(pool, ASYNCTASK_RESULT_CRASHED, -1);
		asynctask_region_count_outcome(pool, header->counted_by_worker, 1);
		asynctask_log("task %" PRIu64 " of the pool of manager %d had reached its caller before its worker was "
			"killed: counted as it ended, not crashed", header->task_id, (int) pool->manager);
	}
}

static void remove_result_spill(uint64_t id)
{
	char name[ASYNCTASK_SPILL_NAME_MAX];

	asynctask_result_spill_name(asynctask_self(), id, name);
	asynctask_spill_remove(asynctask_rundir_fd(), name);
}

/* The report of a task: true when its Future waits for it (it no longer
 * counts as outstanding then); false when nobody does (any more). */
static bool take_outstanding(const result_header_t *header)
{
	uint64_t id = header->task_id;

	if (zend_hash_index_del(&ASYNCTASK_G(outstanding), id) == FAILURE) {
		if (zend_hash_index_del(&ASYNCTASK_G(abandoned), id) == FAILURE) {
			late_report(header);
		}
		return false; /* nobody waits for it (any more) */
	}
	if (header->counted_by_worker) {
		/* the worker died while delivering and did not: the result file it
		 * may have written is nobody's now (the manager left it alone, not
		 * knowing whether we would read it) */
		remove_result_spill(id);
	}
	return true;
}

/* A received result (transport.h) of len data bytes, the data not yet in it. */
static zend_string *result_alloc(uint8_t status, size_t decoded, size_t len)
{
	zend_string *result = zend_string_alloc(ASYNCTASK_RESULT_HEADER + len, 0);
	ZSTR_VAL(result)[0] = (char) status;
	memcpy(ZSTR_VAL(result) + 1, &decoded, sizeof(decoded));
	ZSTR_VAL(result)[ASYNCTASK_RESULT_HEADER + len] = '\0';
	return result;
}

static void keep(uint64_t id, zend_string *result)
{
	zval zv;
	ZVAL_STR(&zv, result);
	zend_hash_index_update(&ASYNCTASK_G(results), id, &zv);
}

static void store(const result_header_t *header, uint8_t status, size_t decoded, const char *data, size_t len)
{
	if (!take_outstanding(header)) {
		return;
	}
	zend_string *result = result_alloc(status, decoded, len);
	memcpy(ZSTR_VAL(result) + ASYNCTASK_RESULT_HEADER, data, len);
	keep(header->task_id, result);
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

/* The caller cannot take the result the worker sent and counted (as its
 * status): its Future fails with why, and it counts as failed instead. */
static void store_failure(const result_header_t *header, const char *why)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	smart_str encoded = {0};

	asynctask_remote_error_encode_message(why, &encoded);
	store(header, ASYNCTASK_RESULT_FAILED, 0, ZSTR_VAL(encoded.s), ZSTR_LEN(encoded.s));
	smart_str_free(&encoded);
	if (pool && header->status != ASYNCTASK_RESULT_FAILED) {
		asynctask_region_count_outcome(pool, header->status, -1);
		asynctask_region_count_outcome(pool, ASYNCTASK_RESULT_FAILED, 1);
	}
}

/* A result in a spill file: the message only says so; the file's name is
 * ours to know (our pid and the task id), never taken from the message. */
static void store_spilled(const result_header_t *header)
{
	char name[ASYNCTASK_SPILL_NAME_MAX];
	char why[PATH_MAX + 256];
	size_t decoded = (size_t) header->decoded_kib * 1024;
	size_t size;

	asynctask_result_spill_name(asynctask_self(), header->task_id, name);
	if (!zend_hash_index_exists(&ASYNCTASK_G(outstanding), header->task_id)) {
		/* nobody waits for it: not read at all (we might not have the memory) */
		asynctask_spill_remove(asynctask_rundir_fd(), name);
		store(header, header->status, 0, "", 0);
		return;
	}
	/* read, copied into the result (kept until its Future decodes it), decoded:
	 * refused now rather than fatal ("Allowed memory size exhausted") then */
	if (asynctask_spill_size(asynctask_rundir_fd(), name, &size) == 0
			&& !asynctask_memory_allows(size + MAX(size, decoded), size, decoded, why, sizeof(why))) {
		asynctask_spill_remove(asynctask_rundir_fd(), name);
		store_failure(header, why);
		return;
	}
	zend_string *data = asynctask_spill_take(asynctask_rundir_fd(), name, 0);
	if (!data) {
		snprintf(why, sizeof(why), "the result file %s/%s could not be read: %s", asynctask_rundir_path(), name,
			strerror(errno));
		store_failure(header, why);
		return;
	}
	store(header, header->status, decoded, ZSTR_VAL(data), ZSTR_LEN(data));
	zend_string_efree(data);
}

/* A result in our mailbox's bulk ring (mailbox.h): checked against
 * memory_limit as a spilled one is, then copied once, straight into the
 * result kept for its Future, and its room freed. */
static void store_bulk(const result_header_t *header, const char *where_bytes)
{
	asynctask_mailbox_t *box = ASYNCTASK_G(mailbox);
	size_t decoded = (size_t) header->decoded_kib * 1024;
	char why[256];
	uint64_t where[2];

	if (!box || header->length != BULK_WHERE) {
		store_failure(header, "the task's result was announced in a mailbox this process does not hold");
		return;
	}
	memcpy(where, where_bytes, sizeof(where));
	uint64_t pos = where[0], len = where[1];
	if (!zend_hash_index_exists(&ASYNCTASK_G(outstanding), header->task_id)) {
		/* nobody waits for it: not read at all (we might not have the memory) */
		asynctask_mailbox_bulk_free(box, pos + len);
		store(header, header->status, 0, "", 0);
		return;
	}
	/* the same bound as for a result in a file (README: "Large results and
	 * memory_limit"), though it is copied once here, not read then copied */
	if (!asynctask_memory_allows((size_t) len + MAX((size_t) len, decoded), (size_t) len, decoded, why, sizeof(why))) {
		asynctask_mailbox_bulk_free(box, pos + len);
		store_failure(header, why);
		return;
	}
	zend_string *result = result_alloc(header->status, decoded, (size_t) len);
	if (!asynctask_mailbox_bulk_read(box, pos, len, ZSTR_VAL(result) + ASYNCTASK_RESULT_HEADER)) {
		zend_string_efree(result);
		store_failure(header, "the task's result was not where its message said in this process's mailbox");
		return;
	}
	asynctask_mailbox_bulk_free(box, pos + len);
	if (!take_outstanding(header)) {
		zend_string_efree(result);
		return;
	}
	keep(header->task_id, result);
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
			store_bulk(&header, data);
		} else if (header.spilled) {
			store_spilled(&header);
		} else {
			store(&header, header.status, 0, data, header.length);
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

int asynctask_results_drain(void)
{
	int fd = asynctask_results_fd();
	smart_str *buffer = &ASYNCTASK_G(result_buffer);
	asynctask_mailbox_t *box = ASYNCTASK_G(mailbox);
	int count = 0;

	if (fd < 0) {
		return 0;
	}
	if (box) {
		if (asynctask_mailbox_pending(box)) {
			asynctask_mailbox_collect(box, &ASYNCTASK_G(mailbox_buffer));
			count += parse(&ASYNCTASK_G(mailbox_buffer));  /* whole messages: it ends empty */
		}
		if (!ASYNCTASK_G(fifo_readable) && ++ASYNCTASK_G(fifo_skipped) < FIFO_EVERY) {
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

zend_string *asynctask_results_take(uint64_t id)
{
	zval *zv = zend_hash_index_find(&ASYNCTASK_G(results), id);
	if (!zv) {
		return NULL;
	}
	zend_string *result = zend_string_copy(Z_STR_P(zv));
	zend_hash_index_del(&ASYNCTASK_G(results), id);
	return result;
}

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
	fifo_name(name, owner);
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

bool asynctask_results_listening(asynctask_pool_t *pool, pid_t owner)
{
	char name[FIFO_NAME_MAX];

	if (owner <= 0 || asynctask_process_gone(owner)) {
		return false;
	}
	if (asynctask_mailbox_of(asynctask_region_mailboxes(pool), pool->mailboxes, owner)) {
		return true;
	}
	/* O_NONBLOCK: ENXIO when nobody reads it, ENOENT when it was closed for good */
	fifo_name(name, owner);
	int fd = openat(asynctask_rundir_fd(), name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	close(fd);
	return true;
}

void asynctask_results_sync_mailboxes(asynctask_pool_t *pool)
{
	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		asynctask_mailbox_sync(&asynctask_region_mailboxes(pool)[i]);
	}
}

/* Messages nobody will read (owner's): their spill files are removed;
 * returns how many results they were. */
static uint32_t discard_messages(const smart_str *messages, pid_t owner)
{
	const char *base = messages->s ? ZSTR_VAL(messages->s) : NULL;
	size_t len = messages->s ? ZSTR_LEN(messages->s) : 0, offset = 0;
	uint32_t count = 0;

	while (offset + sizeof(result_header_t) <= len) {
		result_header_t header;
		memcpy(&header, base + offset, sizeof(header));
		if (header.magic != RESULT_MAGIC || header.length > len - offset - sizeof(header)) {
			break;
		}
		if (header.spilled == RESULT_IN_FILE && header.task_id) {
			char name[ASYNCTASK_SPILL_NAME_MAX];
			asynctask_result_spill_name(owner, header.task_id, name);
			asynctask_spill_remove(asynctask_rundir_fd(), name);
		}
		count += header.task_id != 0;
		offset += sizeof(header) + header.length;
	}
	return count;
}

uint32_t asynctask_results_free_mailbox(asynctask_mailbox_t *box, pid_t owner)
{
	smart_str left = {0};

	asynctask_mailbox_free(box, owner, &left);
	uint32_t count = discard_messages(&left, owner);
	smart_str_free(&left);
	return count;
}
