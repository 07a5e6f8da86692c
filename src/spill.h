/*
 * Spill files: payloads too large for the shared queue (or, for results,
 * for one atomic pipe write) travel through a private file instead. The file
 * is created 0600 and removed by whoever takes it, or by the manager when
 * the worker holding it dies.
 */
#ifndef ASYNCTASK_SPILL_H
#define ASYNCTASK_SPILL_H

#include "php.h"

#define ASYNCTASK_SPILL_PATH_MAX 256

/* Spill files are named spill-<owner pid>-XXXXXX: the manager removes those
 * of a process that died and that no queued task refers to. */
#define ASYNCTASK_SPILL_PREFIX "spill-"

/* Writes data to a new file in dir, on behalf of process owner (the
 * dispatcher the task or result belongs to); its name goes to path. A
 * result's spill (task_id != 0) has a name its owner can find without a
 * message (see result.c); a task's gets a random one. Returns 0 or an errno value. */
int asynctask_spill_write(const char *dir, pid_t owner, uint64_t task_id, const char *data, size_t len,
	char path[ASYNCTASK_SPILL_PATH_MAX]);

/* The name of the spill file of task_id's result. Returns 0 or ENAMETOOLONG. */
int asynctask_result_spill_path(const char *dir, pid_t owner, uint64_t task_id, char path[ASYNCTASK_SPILL_PATH_MAX]);

/* Reads the whole file and removes it. Returns NULL with errno set on failure
 * (the file is removed in every case). */
zend_string *asynctask_spill_take(const char *path);

/* Writes all of buf to fd, retrying on EINTR and short writes. Returns 0 or an errno value. */
int asynctask_write_all(int fd, const char *buf, size_t len);

#endif
