/*
 * The pool's runtime directory: a private (0700) directory under
 * asynctask.tmpdir that holds the result FIFOs and the spill files.
 *
 * Another user must never be able to swap it, or anything in it, for a file
 * or a symlink of theirs. So asynctask.tmpdir is refused when others could
 * rename what is in it (writable by group or others without the sticky bit,
 * or owned by another user); the directory is made and checked (owner, mode)
 * through the tmpdir's fd; and from then on this process uses it only through
 * the directory fd it holds: every file in it is made, opened and removed
 * with the *at() calls and O_NOFOLLOW, by a name this code chose or checked,
 * never by a path resolved anew. The directory itself is removed by name in
 * its parent only while that name still is the directory we made.
 *
 * The state is this process's own (never in shared memory): forks inherit
 * the fds; a php-fpm child receives the fd from its pool's manager (server.c).
 */
#ifndef ASYNCTASK_RUNDIR_H
#define ASYNCTASK_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

/* Creates a new runtime directory under asynctask.tmpdir (or the system's
 * temporary directory) and makes it this process's, which may later remove
 * it. False with error filled in. */
bool asynctask_rundir_create(char *error, size_t error_size);

/* Makes fd (a runtime directory received from its creator) this process's;
 * this process will never remove it. path is for messages only. */
void asynctask_rundir_adopt(int fd, const char *path);

/* The directory's fd, or -1 when this process has none. */
int asynctask_rundir_fd(void);

/* Its path, for messages and diagnostics only ("" when none). */
const char *asynctask_rundir_path(void);

/* Calls fn for every entry (but . and ..) of the directory. */
void asynctask_rundir_each(void (*fn)(const char *name, void *arg), void *arg);

/* Removes the directory and what is in it, then forgets it. Only its
 * creator removes anything; any other process just forgets it. */
void asynctask_rundir_remove(void);

/* The name of this process's runtime directory in asynctask.tmpdir ("" when none). */
const char *asynctask_rundir_name(void);

/* Removes the runtime directory `name` (asynctask-<pid>-<suffix>) in
 * asynctask.tmpdir and what is in it, if it is a directory of this user:
 * what a pool whose manager was killed left. */
void asynctask_rundir_remove_left(const char *name);

/* This process removes the directory from now on, in place of its creator
 * (a CLI pool's manager whose owner died). */
void asynctask_rundir_take_over(void);

/* Closes this process's fds of the directory without removing anything. */
void asynctask_rundir_forget(void);

/* The directory asynctask.tmpdir names, or the system's temporary directory
 * (sys_temp_dir, $TMPDIR, /tmp); safe to ask outside a request. */
const char *asynctask_rundir_base(void);

#endif
