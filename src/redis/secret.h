/*
 * The shared secret that signs every task and result of a remote backend:
 * asynctask.secret, or the contents of asynctask.secret_file.
 */
#ifndef ASYNCTASK_REDIS_SECRET_H
#define ASYNCTASK_REDIS_SECRET_H

#include "php.h"

#define ASYNCTASK_SECRET_MIN 32     /* bytes: 256 bits of an HMAC-SHA256 key */
#define ASYNCTASK_SECRET_MAX 4096   /* a file larger than this is not a secret */

/* The secret in force (borrowed: valid until a secret setting changes), or
 * NULL with *error saying which setting to fix: neither or both set, a file
 * that cannot be read or that others could read or change, or fewer than
 * ASYNCTASK_SECRET_MIN bytes. */
const zend_string *asynctask_secret_get(zend_string **error);

/* Drops the cached secret: asynctask.secret or secret_file changed. */
void asynctask_secret_forget(void);

#endif
