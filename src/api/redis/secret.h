/*
 * The shared secret that signs every task and result of a remote backend:
 * asynctask.secret, or the contents of asynctask.secret_file; and the key
 * derived from it that actually signs them.
 *
 * Which one to use: code that signs or verifies entries (the wire codec's
 * asynctask_wire_encode()/asynctask_wire_decode(), whose `secret` argument
 * is this key) must pass asynctask_secret_signing_key(), never the raw
 * secret. The key is HMAC-SHA256(secret, "asynctask/v1/" || asynctask.prefix):
 * two applications that share one Redis and one secret but not the prefix
 * then sign with different keys, and an entry copied from one's stream into
 * the other's is refused as wrongly signed instead of run. Every dispatcher
 * and node of one application must use the same secret AND the same prefix.
 * asynctask_secret_get() (the raw secret) is for checking that a usable
 * secret is configured, and for tests.
 *
 * Where the secret shows: phpinfo() prints only its length (settings.c),
 * but an inline asynctask.secret is what PHP code reads with ini_get(),
 * ini_get_all() and, when php.ini sets it, get_cfg_var(): the engine stores
 * an accepted value in the entry itself (after the OnUpdate handler returns,
 * with no hook to redact it) and keeps php.ini's text in its configuration
 * hash. asynctask.secret_file keeps it out of all three: only the file's
 * name is a setting, and the contents are read here (at startup by a
 * php-fpm master, so the pool's user needs no access to the file).
 */
#ifndef ASYNCTASK_REDIS_SECRET_H
#define ASYNCTASK_REDIS_SECRET_H

#include "php.h"

#define ASYNCTASK_SECRET_MIN 32     /* bytes: 256 bits of an HMAC-SHA256 key */
#define ASYNCTASK_SECRET_MAX 4096   /* a file larger than this is not a secret */

/* The secret the settings name (borrowed: use it before the next call), or NULL with *error saying which setting
 * to fix: neither or both set, a file that cannot be read or that others
 * could read or change, or fewer than ASYNCTASK_SECRET_MIN bytes. A file is
 * read once per process for a given value of the settings: a new secret in
 * the same file takes effect at the next start (php-fpm reload). */
const zend_string *asynctask_secret_get(zend_string **error);

#define ASYNCTASK_SIGNING_LABEL    "asynctask/v1/"   /* what the key is for, then the prefix */
#define ASYNCTASK_SIGNING_KEY_SIZE 32                /* SHA-256's output */

/* The key that signs and verifies every entry for the current
 * asynctask.prefix (borrowed, persistent, ASYNCTASK_SIGNING_KEY_SIZE bytes:
 * use it before the next call), or NULL with *error as asynctask_secret_get().
 * Derived once and kept: derived again only when the prefix or the secret
 * changed; wiped with the secret it came from and at MSHUTDOWN. */
const zend_string *asynctask_secret_signing_key(zend_string **error);

/* MINIT: reads the secret the startup settings name, if any, and keeps it
 * for the life of the process (quietly: errors show where it is used). */
void asynctask_secret_startup(void);

/* MSHUTDOWN: wipes and frees what was read, and the derived key. */
void asynctask_secret_shutdown(void);

#endif
