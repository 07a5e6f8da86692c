/*
 * Spill files.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/transport/shm/spill.h"
#include "src/base/fault.h"

int asynctask_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			return errno;
		}
		buf += n;
		len -= (size_t) n;
	}
	return 0;
}

void asynctask_result_spill_name(pid_t owner, uint64_t task_id, char name[ASYNCTASK_SPILL_NAME_MAX])
{
	snprintf(name, ASYNCTASK_SPILL_NAME_MAX, ASYNCTASK_SPILL_PREFIX "%d-r%" PRIu64, (int) owner, task_id);
}

bool asynctask_spill_name_valid(const char *name, pid_t *owner)
{
	const char *p = name + sizeof(ASYNCTASK_SPILL_PREFIX) - 1;
	long pid = 0;

	if (strncmp(name, ASYNCTASK_SPILL_PREFIX, sizeof(ASYNCTASK_SPILL_PREFIX) - 1) != 0) {
		return false;
	}
	if (*p < '1' || *p > '9') {
		return false;
	}
	while (*p >= '0' && *p <= '9' && pid <= INT32_MAX) {
		pid = pid * 10 + (*p++ - '0');
	}
	if (pid > INT32_MAX || *p++ != '-' || !*p) {
		return false;
	}
	for (size_t n = 0; *p; p++, n++) {
		bool alnum = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
		if (!alnum || n >= ASYNCTASK_SPILL_NAME_MAX) {
			return false;
		}
	}
	if (owner) {
		*owner = (pid_t) pid;
	}
	return true;
}

/* A task's spill file: spill-<owner>-<random>, made with O_EXCL. */
static int create_random(int dirfd, pid_t owner, char name[ASYNCTASK_SPILL_NAME_MAX])
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char random[10];
		char suffix[sizeof(random) + 1];

		if (getrandom(random, sizeof(random), 0) != (ssize_t) sizeof(random)) {
			errno = errno ? errno : EIO;
			return -1;
		}
		for (size_t i = 0; i < sizeof(random); i++) {
			suffix[i] = letters[random[i] % (sizeof(letters) - 1)];
		}
		suffix[sizeof(random)] = '\0';
		snprintf(name, ASYNCTASK_SPILL_NAME_MAX, ASYNCTASK_SPILL_PREFIX "%d-%s", (int) owner, suffix);
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST) {
			return fd;
		}
	}
	errno = EEXIST;
	return -1;
}

int asynctask_spill_write(int dirfd, pid_t owner, uint64_t task_id, const char *data, size_t len,
	char name[ASYNCTASK_SPILL_NAME_MAX])
{
	int fd;

	if (dirfd < 0) {
		name[0] = '\0';
		return EBADF;
	}
	if (task_id) {
		asynctask_result_spill_name(owner, task_id, name);
		/* 0600 and O_EXCL, in the pool's 0700 directory: nobody else can read or replace it */
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	} else {
		fd = create_random(dirfd, owner, name);
	}
	if (fd < 0) {
		int err = errno;
		name[0] = '\0';
		return err;
	}
	ASYNCTASK_FAULT("spill.create");
	int err = asynctask_write_all(fd, data, len);
	if (close(fd) != 0 && err == 0) {
		err = errno;
	}
	if (err != 0) {
		unlinkat(dirfd, name, 0);
		name[0] = '\0';
	}
	return err;
}

int asynctask_spill_size(int dirfd, const char *name, size_t *size)
{
	struct stat st;

	if (dirfd < 0 || !asynctask_spill_name_valid(name, NULL)) {
		return EINVAL;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return errno;
	}
	*size = (size_t) st.st_size;
	return 0;
}

void asynctask_spill_remove(int dirfd, const char *name)
{
	if (dirfd >= 0 && asynctask_spill_name_valid(name, NULL)) {
		unlinkat(dirfd, name, 0);
	}
}

static zend_string *read_whole(int fd, size_t size)
{
	zend_string *data = zend_string_alloc(size, 0);
	size_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, ZSTR_VAL(data) + done, size - done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			zend_string_efree(data);
			errno = err;
			return NULL;
		}
		done += (size_t) n;
	}
	ZSTR_VAL(data)[done] = '\0';
	return data;
}

/* Reads the whole file; removes it unless keep (a task with retries: its
 * payload file outlives each run, src/pool/retry.h). */
static zend_string *spill_read(int dirfd, const char *name, size_t max_size, bool keep)
{
	struct stat st;
	zend_string *data = NULL;
	int err = 0;

	if (dirfd < 0 || !asynctask_spill_name_valid(name, NULL)) {
		errno = dirfd < 0 ? EBADF : EINVAL;
		return NULL;
	}
	/* O_NONBLOCK: a FIFO planted under a spill file's name must not block us */
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (!keep) {
			unlinkat(dirfd, name, 0);
		}
		errno = err == ELOOP ? EINVAL : err;
		return NULL;
	}
	if (!keep) {
		unlinkat(dirfd, name, 0);
	}
	if (fstat(fd, &st) != 0) {
		err = errno;
	} else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		err = EINVAL;
	} else if (max_size && (uint64_t) st.st_size > max_size) {
		err = EFBIG;
	} else if (!(data = read_whole(fd, (size_t) st.st_size))) {
		err = errno;
	}
	close(fd);
	errno = err;
	return data;
}

zend_string *asynctask_spill_take(int dirfd, const char *name, size_t max_size)
{
	return spill_read(dirfd, name, max_size, false);
}

zend_string *asynctask_spill_read(int dirfd, const char *name)
{
	return spill_read(dirfd, name, 0, true);
}
