/*
 * The signing secret, read once and kept for the process.
 *
 * Kept, not read per dispatch, and in two slots. The one read at startup
 * (MINIT) stays for the life of the process: a php-fpm master (root) reads a
 * root-only secret_file and its children inherit the copy, so the pool's
 * user never needs to read the file — also after a request changed a secret
 * setting with ini_set() and PHP put it back at the request's end. Another
 * value of the settings (ini_set() in a script) is read into the second slot.
 * Each slot remembers the settings it was read for, so a change of them is
 * noticed without a handler. Copies live in persistent memory, wiped when dropped.
 *
 * The key that signs entries is derived from the secret and asynctask.prefix
 * (secret.h says why), and cached the same way: it remembers the prefix and
 * the secret (a slot's generation: a number no other read of a secret gets)
 * it was derived for, is derived again when either changed, and is wiped
 * with the secret it came from.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/exceptions.h"
#include "src/codec/redis/hmac.h"
#include "src/api/redis/secret.h"

typedef struct {
	char        *secret_setting;   /* the values of asynctask.secret and secret_file */
	char        *file_setting;     /* it was read for (malloc'ed copies) */
	zend_string *value;            /* persistent; NULL when empty */
	uint64_t     generation;       /* which read of a secret this is (0: empty) */
} slot_t;

static slot_t startup, current;
static uint64_t generations;       /* the last generation given */

/* The signing key derived from one slot's secret for one prefix. */
static struct {
	char        *prefix;           /* the asynctask.prefix it was derived for (malloc'ed) */
	uint64_t     generation;       /* of the secret it was derived from */
	zend_string *key;              /* persistent, ASYNCTASK_SIGNING_KEY_SIZE bytes; NULL when none */
} signing;

static const char *setting(const char *value)
{
	return value ? value : "";
}

static void wipe(char *s)
{
	if (s) {
		ZEND_SECURE_ZERO(s, strlen(s));
		free(s);
	}
}

static void signing_clear(void)
{
	if (signing.key) {
		ZEND_SECURE_ZERO(ZSTR_VAL(signing.key), ZSTR_LEN(signing.key));
		zend_string_release(signing.key);
	}
	free(signing.prefix);
	memset(&signing, 0, sizeof(signing));
}

static void slot_clear(slot_t *slot)
{
	if (slot->value && signing.key && signing.generation == slot->generation) {
		signing_clear();   /* a key derived from a secret goes with it */
	}
	if (slot->value) {
		ZEND_SECURE_ZERO(ZSTR_VAL(slot->value), ZSTR_LEN(slot->value));
		zend_string_release(slot->value);
	}
	wipe(slot->secret_setting);
	wipe(slot->file_setting);
	memset(slot, 0, sizeof(*slot));
}

static bool slot_matches(const slot_t *slot)
{
	return slot->value && strcmp(slot->secret_setting, setting(ASYNCTASK_G(secret))) == 0
		&& strcmp(slot->file_setting, setting(ASYNCTASK_G(secret_file))) == 0;
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

/* The secret the settings name now, read and checked; NULL with *error. */
static zend_string *load(zend_string **error)
{
	const char *inline_secret = setting(ASYNCTASK_G(secret)), *file = setting(ASYNCTASK_G(secret_file));
	bool has_inline = inline_secret[0] != '\0', has_file = file[0] != '\0';
	zend_string *secret;

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
	return secret;
}

/* Reads the secret the settings name into `slot`; NULL with *error. */
static const zend_string *slot_fill(slot_t *slot, zend_string **error)
{
	zend_string *secret = load(error);

	slot_clear(slot);
	if (!secret) {
		return NULL;
	}
	slot->secret_setting = strdup(setting(ASYNCTASK_G(secret)));
	slot->file_setting = strdup(setting(ASYNCTASK_G(secret_file)));
	slot->value = secret;
	slot->generation = ++generations;
	if (!slot->secret_setting || !slot->file_setting) {
		slot_clear(slot);
		asynctask_fail(error, "out of memory while keeping the secret");
		return NULL;
	}
	return slot->value;
}

void asynctask_secret_startup(void)
{
	zend_string *error = NULL;

	/* quietly: a secret that cannot be read is reported where it is needed */
	if (!slot_fill(&startup, &error) && error) {
		zend_string_release(error);
	}
}

void asynctask_secret_shutdown(void)
{
	signing_clear();
	slot_clear(&startup);
	slot_clear(&current);
}

/* The slot holding the secret the settings name now (read if need be); NULL with *error. */
static const slot_t *secret_slot(zend_string **error)
{
	if (slot_matches(&startup)) {
		return &startup;
	}
	if (slot_matches(&current)) {
		return &current;
	}
	return slot_fill(&current, error) ? &current : NULL;
}

const zend_string *asynctask_secret_get(zend_string **error)
{
	const slot_t *slot = secret_slot(error);

	return slot ? slot->value : NULL;
}

const zend_string *asynctask_secret_signing_key(zend_string **error)
{
	const slot_t *slot = secret_slot(error);
	const char *prefix = setting(ASYNCTASK_G(prefix));
	size_t label_len = sizeof(ASYNCTASK_SIGNING_LABEL) - 1, prefix_len = strlen(prefix);
	unsigned char *message;

	if (!slot) {
		signing_clear();   /* no secret now: keep no key derived from an earlier one */
		return NULL;
	}
	if (signing.key && signing.generation == slot->generation && strcmp(signing.prefix, prefix) == 0) {
		return signing.key;
	}
	signing_clear();
	message = malloc(label_len + prefix_len);
	signing.prefix = strdup(prefix);
	if (!message || !signing.prefix) {
		free(message);
		signing_clear();
		asynctask_fail(error, "out of memory while deriving the signing key");
		return NULL;
	}
	memcpy(message, ASYNCTASK_SIGNING_LABEL, label_len);
	memcpy(message + label_len, prefix, prefix_len);
	signing.key = zend_string_alloc(ASYNCTASK_SIGNING_KEY_SIZE, 1);
	asynctask_hmac_sha256((const uint8_t *) ZSTR_VAL(slot->value), ZSTR_LEN(slot->value), message,
		label_len + prefix_len, (uint8_t *) ZSTR_VAL(signing.key));
	ZSTR_VAL(signing.key)[ASYNCTASK_SIGNING_KEY_SIZE] = '\0';
	signing.generation = slot->generation;
	free(message);   /* the label and the prefix: nothing secret */
	return signing.key;
}
