/*
 * The signing secret, read once and kept for the process.
 *
 * Kept, not read per dispatch: a php-fpm master (root) reads a root-only
 * secret_file at startup and its children inherit the copy, so the file
 * itself never has to be readable by the pool's user. The copy is persistent
 * memory, wiped when it is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "../exceptions.h"
#include "secret.h"

static zend_string *cached;

void asynctask_secret_forget(void)
{
	if (cached) {
		ZEND_SECURE_ZERO(ZSTR_VAL(cached), ZSTR_LEN(cached));
		zend_string_release(cached);
		cached = NULL;
	}
}

/* Reads the whole file into a persistent string; NULL with *error. */
static zend_string *read_secret_file(const char *path, zend_string **error)
{
	struct stat st;
	char buffer[ASYNCTASK_SECRET_MAX + 1];
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		asynctask_fail(error, "asynctask.secret_file=%s cannot be opened: %s", path, strerror(errno));
		return NULL;
	}
	/* checked on the open file, not the name: no window to swap it between
	 * the check and the read (a symlink is fine, k8s mounts secrets so) */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		asynctask_fail(error, "asynctask.secret_file=%s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & 0177) {
		asynctask_fail(error, "asynctask.secret_file=%s has mode %04o: it must be 0600 or 0400 (readable by its "
			"owner only; chmod 600 it)", path, (unsigned) (st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		asynctask_fail(error, "asynctask.secret_file=%s belongs to uid %u: it must belong to this process's user "
			"(uid %u) or root, else its owner could change the secret", path, (unsigned) st.st_uid, (unsigned) geteuid());
		close(fd);
		return NULL;
	}
	while (len < sizeof(buffer) && (n = read(fd, buffer + len, sizeof(buffer) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			asynctask_fail(error, "asynctask.secret_file=%s cannot be read: %s", path, strerror(errno));
			close(fd);
			ZEND_SECURE_ZERO(buffer, sizeof(buffer));
			return NULL;
		}
		len += (size_t) n;
	}
	close(fd);
	if (len > ASYNCTASK_SECRET_MAX) {
		ZEND_SECURE_ZERO(buffer, sizeof(buffer));
		asynctask_fail(error, "asynctask.secret_file=%s is larger than %d bytes: not a secret", path, ASYNCTASK_SECRET_MAX);
		return NULL;
	}
	/* `echo secret > file` and editors end the file with a newline that is not part of the secret */
	if (len > 0 && buffer[len - 1] == '\n') {
		len--;
		if (len > 0 && buffer[len - 1] == '\r') {
			len--;
		}
	}
	zend_string *secret = zend_string_init(buffer, len, 1);
	ZEND_SECURE_ZERO(buffer, sizeof(buffer));
	return secret;
}

const zend_string *asynctask_secret_get(zend_string **error)
{
	const char *inline_secret = ASYNCTASK_G(secret), *file = ASYNCTASK_G(secret_file);
	bool has_inline = inline_secret && inline_secret[0], has_file = file && file[0];
	zend_string *secret;

	if (cached) {
		return cached;
	}
	if (has_inline && has_file) {
		asynctask_fail(error, "both asynctask.secret and asynctask.secret_file are set: set one of them");
		return NULL;
	}
	if (!has_inline && !has_file) {
		asynctask_fail(error, "a remote backend signs every task and result: set asynctask.secret_file (or "
			"asynctask.secret) to at least %d random bytes, the same on every node (e.g. openssl rand -hex 32)",
			ASYNCTASK_SECRET_MIN);
		return NULL;
	}
	secret = has_file ? read_secret_file(file, error) : zend_string_init(inline_secret, strlen(inline_secret), 1);
	if (!secret) {
		return NULL;
	}
	if (ZSTR_LEN(secret) < ASYNCTASK_SECRET_MIN) {
		asynctask_fail(error, "%s%s holds %zu bytes: a remote backend needs a secret of at least %d bytes "
			"(e.g. openssl rand -hex 32)", has_file ? "asynctask.secret_file=" : "asynctask.secret",
			has_file ? file : "", ZSTR_LEN(secret), ASYNCTASK_SECRET_MIN);
		ZEND_SECURE_ZERO(ZSTR_VAL(secret), ZSTR_LEN(secret));
		zend_string_release(secret);
		return NULL;
	}
	cached = secret;
	return cached;
}
