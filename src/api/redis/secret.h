/*
 * The shared secret that signs every task and result of a remote backend:
 * asynctask.secret, or the contents of asynctask.secret_file.
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

/* MINIT: reads the secret the startup settings name, if any, and keeps it
 * for the life of the process (quietly: errors show where it is used). */
void asynctask_secret_startup(void);

/* MSHUTDOWN: wipes and frees what was read. */
void asynctask_secret_shutdown(void);

#endif
