/*
 * Spill files: payloads too large for the shared queue (or, for results,
 * for one mailbox or pipe message) travel through a private file in the
 * pool's runtime directory (rundir.h) instead. The file is created 0600 and
 * removed by whoever takes it, or by the manager when the worker holding it
 * dies.
 *
 * Spill files are named, never pathed: a queue record or a claim carries a
 * name, which is checked (asynctask_spill_name_valid) before it is used
 * relative to the runtime directory's fd with O_NOFOLLOW, so a forged one can
 * neither leave the directory nor follow a link. A result's spill file is
 * not named by its message at all: its reader derives the name from its own
 * pid and the task id.
 */
#ifndef ASYNCTASK_SPILL_H
#define ASYNCTASK_SPILL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "php.h"
#include "src/transport/transport.h"

#define ASYNCTASK_SPILL_NAME_MAX ASYNCTASK_CLAIM_FILE_MAX  /* a claim keeps one (transport.h) */

/* Spill files are named spill-<owner pid>-<suffix>: the manager removes
 * those of a process that died and that no queued task refers to. A task's
 * suffix is random; a result's is r<task id>. */
#define ASYNCTASK_SPILL_PREFIX "spill-"

/* Writes data to a new file in the directory dirfd, on behalf of process
 * owner (the dispatcher the task or result belongs to); its name goes to
 * name. A result's spill (task_id != 0) has the name
 * asynctask_result_spill_name() gives; a task's a random one. Returns 0 or
 * an errno value. */
int asynctask_spill_write(int dirfd, pid_t owner, uint64_t task_id, const char *data, size_t len,
	char name[ASYNCTASK_SPILL_NAME_MAX]);

/* The name of the spill file of task_id's result for owner. */
void asynctask_result_spill_name(pid_t owner, uint64_t task_id, char name[ASYNCTASK_SPILL_NAME_MAX]);

/* Whether name can be a spill file's: spill-<pid>-<letters and digits>, and
 * nothing else (no slash, no dots). *owner gets the pid (NULL: not wanted). */
bool asynctask_spill_name_valid(const char *name, pid_t *owner);

/* Reads the whole file and removes it: a regular file of this user under a
 * valid name, at most max_size bytes (0: any). Returns NULL with errno set on
 * failure (EINVAL: not a spill file's name or not a regular file of ours;
 * EFBIG: larger than max_size); a file found is removed in every case. */
zend_string *asynctask_spill_take(int dirfd, const char *name, size_t max_size);

/* Reads the whole file as asynctask_spill_take() does, but leaves it (a
 * task with retries keeps its payload file while it may run again). */
zend_string *asynctask_spill_read(int dirfd, const char *name);

/* The size of the spill file name (a valid name only; a link is not
 * followed). Returns 0 or an errno value. */
int asynctask_spill_size(int dirfd, const char *name, size_t *size);

/* Removes the spill file name (a valid name only). */
void asynctask_spill_remove(int dirfd, const char *name);

/* Writes all of buf to fd, retrying on EINTR and short writes. Returns 0 or an errno value. */
int asynctask_write_all(int fd, const char *buf, size_t len);

#endif
