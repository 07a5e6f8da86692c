/*
 * Spill files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spill.h"
#include "fault.h"
#include <inttypes.h>

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

int asynctask_result_spill_path(const char *dir, pid_t owner, uint64_t task_id, char path[ASYNCTASK_SPILL_PATH_MAX])
{
	int n = snprintf(path, ASYNCTASK_SPILL_PATH_MAX, "%s/" ASYNCTASK_SPILL_PREFIX "%d-r%" PRIu64, dir, (int) owner,
		task_id);
	return n < 0 || n >= ASYNCTASK_SPILL_PATH_MAX ? ENAMETOOLONG : 0;
}

int asynctask_spill_write(const char *dir, pid_t owner, uint64_t task_id, const char *data, size_t len,
	char path[ASYNCTASK_SPILL_PATH_MAX])
{
	int n = task_id
		? (asynctask_result_spill_path(dir, owner, task_id, path) == 0 ? 0 : -1)
		: snprintf(path, ASYNCTASK_SPILL_PATH_MAX, "%s/" ASYNCTASK_SPILL_PREFIX "%d-XXXXXX", dir, (int) owner);
	if (n < 0 || n >= ASYNCTASK_SPILL_PATH_MAX) {
		path[0] = '\0';
		return ENAMETOOLONG;
	}
	/* 0600 and O_EXCL, in the pool's 0700 directory: nobody else can read or replace it */
	int fd = task_id ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		path[0] = '\0';
		return err;
	}
	ASYNCTASK_FAULT("spill.create");
	int err = asynctask_write_all(fd, data, len);
	if (close(fd) != 0 && err == 0) {
		err = errno;
	}
	if (err != 0) {
		unlink(path);
		path[0] = '\0';
	}
	return err;
}

zend_string *asynctask_spill_take(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	zend_string *data = NULL;
	int err = 0;

	if (fd < 0) {
		err = errno;
		unlink(path);
		errno = err;
		return NULL;
	}
	unlink(path);
	if (fstat(fd, &st) != 0) {
		err = errno;
		goto out;
	}
	data = zend_string_alloc((size_t) st.st_size, 0);
	size_t done = 0;
	while (done < (size_t) st.st_size) {
		ssize_t n = read(fd, ZSTR_VAL(data) + done, (size_t) st.st_size - done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			zend_string_efree(data);
			data = NULL;
			goto out;
		}
		done += (size_t) n;
	}
	ZSTR_VAL(data)[done] = '\0';
out:
	close(fd);
	errno = err;
	return data;
}
