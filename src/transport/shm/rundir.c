/*
 * The pool's runtime directory (see rundir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"
#include "php_globals.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/transport/shm/rundir.h"

#define NAME_MAX_LEN 64

static struct {
	int   fd;                  /* the directory; -1: none */
	int   parent_fd;           /* asynctask.tmpdir, held by the creator only; else -1 */
	pid_t creator;             /* the process that made it (and alone removes it) */
	dev_t dev;                 /* what it is, to recognise its name in the parent */
	ino_t ino;
	char  name[NAME_MAX_LEN];  /* its name in the parent */
	char  path[PATH_MAX];      /* for messages */
} rundir = { .fd = -1, .parent_fd = -1 };

const char *asynctask_rundir_base(void)
{
	const char *dir = ASYNCTASK_G(tmpdir);

	if (dir && dir[0]) {
		return dir;
	}
	/* as php_get_temporary_directory() decides, without its request-memory cache */
	if (PG(php_sys_temp_dir) && PG(php_sys_temp_dir)[0]) {
		return PG(php_sys_temp_dir);
	}
	dir = getenv("TMPDIR");
	return dir && dir[0] ? dir : "/tmp";
}

/* Whether a user other than us (and root) could rename or replace what is
 * in the directory: then it is no place for the pool's files. */
static bool base_is_safe(int fd, const char *path, char *error, size_t error_size)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(error, error_size, "cannot stat asynctask.tmpdir %s: %s", path, strerror(errno));
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(error, error_size, "asynctask.tmpdir %s belongs to uid %d, who could replace the pool's files "
			"there: use a directory owned by root or by this user (uid %d)",
			path, (int) st.st_uid, (int) geteuid());
		return false;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(error, error_size, "asynctask.tmpdir %s (mode %04o) is writable by other users without the "
			"sticky bit: they could swap the pool's files. Use a directory only this user can write, or set "
			"its sticky bit (chmod +t, as /tmp has)", path, (unsigned) (st.st_mode & 07777));
		return false;
	}
	return true;
}

/* mkdtemp() through a directory fd: asynctask-<pid>-<random>, 0700. */
static int make_dir(int parent, char name[NAME_MAX_LEN])
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char random[8];
		char suffix[sizeof(random) + 1];

		if (getrandom(random, sizeof(random), 0) != (ssize_t) sizeof(random)) {
			return errno ? errno : EIO;
		}
		for (size_t i = 0; i < sizeof(random); i++) {
			suffix[i] = letters[random[i] % (sizeof(letters) - 1)];
		}
		suffix[sizeof(random)] = '\0';
		snprintf(name, NAME_MAX_LEN, "asynctask-%d-%s", (int) asynctask_self(), suffix);
		if (mkdirat(parent, name, 0700) == 0) {
			return 0;
		}
		if (errno != EEXIST) {
			return errno;
		}
	}
	return EEXIST;
}

/* What we made must be what we open: a directory of ours, 0700. */
static bool check_made(int fd, const char *path, struct stat *st, char *error, size_t error_size)
{
	if (fstat(fd, st) != 0) {
		snprintf(error, error_size, "cannot stat the pool's runtime directory %s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st->st_mode) || st->st_uid != geteuid() || (st->st_mode & 0777) != 0700) {
		snprintf(error, error_size, "the pool's runtime directory %s is not the private directory it just "
			"created (owner uid %d, mode %04o): refusing to use it", path, (int) st->st_uid,
			(unsigned) (st->st_mode & 07777));
		return false;
	}
	return true;
}

bool asynctask_rundir_create(char *error, size_t error_size)
{
	const char *base = asynctask_rundir_base();
	char name[NAME_MAX_LEN], path[PATH_MAX];
	struct stat st;

	asynctask_rundir_forget();
	int parent = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		snprintf(error, error_size, "cannot open asynctask.tmpdir %s: %s", base, strerror(errno));
		return false;
	}
	if (!base_is_safe(parent, base, error, error_size)) {
		close(parent);
		return false;
	}
	int err = make_dir(parent, name);
	if (err != 0) {
		snprintf(error, error_size, "cannot create the pool's runtime directory in %s: %s", base, strerror(err));
		close(parent);
		return false;
	}
	if ((size_t) snprintf(path, sizeof(path), "%s/%s", base, name) >= sizeof(path)) {
		snprintf(error, error_size, "asynctask.tmpdir is too long: %s", base);
		unlinkat(parent, name, AT_REMOVEDIR);
		close(parent);
		return false;
	}
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !check_made(fd, path, &st, error, error_size)) {
		if (fd < 0) {
			snprintf(error, error_size, "cannot open the pool's runtime directory %s: %s", path, strerror(errno));
		} else {
			close(fd);
		}
		close(parent);
		return false;
	}
	rundir.fd = fd;
	rundir.parent_fd = parent;
	rundir.creator = asynctask_self();
	rundir.dev = st.st_dev;
	rundir.ino = st.st_ino;
	memcpy(rundir.name, name, sizeof(name));
	memcpy(rundir.path, path, sizeof(path));
	return true;
}

void asynctask_rundir_adopt(int fd, const char *path)
{
	asynctask_rundir_forget();
	rundir.fd = fd;
	rundir.creator = 0;
	snprintf(rundir.path, sizeof(rundir.path), "%s", path);
}

int asynctask_rundir_fd(void)
{
	return rundir.fd;
}

const char *asynctask_rundir_path(void)
{
	return rundir.fd >= 0 ? rundir.path : "";
}

/* Calls fn for every entry (but . and ..) of the directory dirfd. */
static void list_dir(int dirfd, void (*fn)(const char *name, void *arg), void *arg)
{
	/* a description of its own: readdir() moves the offset of the fd it reads */
	int fd = dirfd >= 0 ? openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *entry;

	if (!dir) {
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
			fn(entry->d_name, arg);
		}
	}
	closedir(dir);
}

/* list_dir() callback: arg points at the directory's fd. */
static void unlink_entry(const char *name, void *arg)
{
	unlinkat(*(const int *) arg, name, 0);
}

void asynctask_rundir_each(void (*fn)(const char *name, void *arg), void *arg)
{
	list_dir(rundir.fd, fn, arg);
}

const char *asynctask_rundir_name(void)
{
	return rundir.fd >= 0 ? rundir.name : "";
}

void asynctask_rundir_remove_left(const char *name)
{
	const char *base = asynctask_rundir_base();
	struct stat st;
	int pid = 0, end = 0;

	if (sscanf(name, "asynctask-%d-%*[A-Za-z0-9]%n", &pid, &end) != 1 || name[end] != '\0' || pid <= 0) {
		return;
	}
	int parent = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		return;
	}
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == geteuid()) {
		list_dir(fd, unlink_entry, &fd);
		unlinkat(parent, name, AT_REMOVEDIR);
	}
	if (fd >= 0) {
		close(fd);
	}
	close(parent);
}

void asynctask_rundir_remove(void)
{
	struct stat st;

	if (rundir.fd >= 0 && rundir.parent_fd >= 0 && rundir.creator == asynctask_self()) {
		list_dir(rundir.fd, unlink_entry, &rundir.fd);
		/* by name, so only while the name is still the directory we made */
		if (fstatat(rundir.parent_fd, rundir.name, &st, AT_SYMLINK_NOFOLLOW) == 0
				&& st.st_dev == rundir.dev && st.st_ino == rundir.ino) {
			unlinkat(rundir.parent_fd, rundir.name, AT_REMOVEDIR);
		}
	}
	asynctask_rundir_forget();
}

void asynctask_rundir_take_over(void)
{
	if (rundir.fd >= 0 && rundir.parent_fd >= 0) {
		rundir.creator = asynctask_self();
	}
}

void asynctask_rundir_forget(void)
{
	if (rundir.fd >= 0) {
		close(rundir.fd);
	}
	if (rundir.parent_fd >= 0) {
		close(rundir.parent_fd);
	}
	rundir.fd = rundir.parent_fd = -1;
	rundir.creator = 0;
	rundir.name[0] = rundir.path[0] = '\0';
}
