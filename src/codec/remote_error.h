/*
 * Remote errors on the wire: what a worker (or the manager, for a worker
 * that died) reports when a task did not return a value. A small binary
 * encoding that needs no PHP serializer, so the manager can write one too:
 *
 *   class, message, file, trace   each a u32 length then its bytes
 *                                 (length 0xFFFFFFFF: absent, no bytes)
 *   code, line                    each an int64 (two's complement)
 *   then, optionally (a reader that predates it stops before it):
 *   attempts                      u32: runs the task had (0: not said, one)
 *   n                             u32: links of the exception's `previous`
 *                                 chain that follow, outermost first, at most
 *                                 ASYNCTASK_REMOTE_PREVIOUS_MAX (exceptions.h)
 *   n times: class, message, file, trace, code, line as above
 *
 * Byte order: little-endian on every host (byteorder.h): a failure report
 * crosses machines as a Redis backend result's payload.
 */
#ifndef ASYNCTASK_REMOTE_ERROR_H
#define ASYNCTASK_REMOTE_ERROR_H

#include "php.h"
#include "zend_smart_str.h"

#include "src/base/exceptions.h"

void asynctask_remote_error_encode(const asynctask_remote_error_t *error, smart_str *out);
bool asynctask_remote_error_decode(const char *data, size_t len, asynctask_remote_error_t *error);

/* Encodes an error that is only a message (a crash, a time limit, a lost file). */
void asynctask_remote_error_encode_message(const char *message, smart_str *out);

#endif
