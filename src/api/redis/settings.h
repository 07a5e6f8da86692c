/*
 * api/redis/: the Redis backend's configuration as PHP code and php.ini
 * see it: the settings (this header) and the secret (secret.h). Like all
 * of api/ it may call the layers below (transport/redis's URL parser and
 * connection, codec/, base/).
 *
 * The Redis backend's php.ini settings (DESIGN section 4): asynctask.backend,
 * secret, secret_file, prefix, node, visibility_timeout, max_attempts,
 * result_ttl, app_root, and redis_replicas (WAIT after each XADD). Registered on every build, so that a backend URL on a
 * build without hiredis is refused with a message rather than ignored.
 */
#ifndef ASYNCTASK_REDIS_SETTINGS_H
#define ASYNCTASK_REDIS_SETTINGS_H

#include <stdbool.h>

#include "php.h"

#include "php_asynctask.h"

/* MINIT: registers the settings, then warns (naming the setting) when the
 * backend configured at startup cannot be used: not built, no usable secret. */
void asynctask_redis_settings_minit(int module_number);

/* MSHUTDOWN: the cached secret is wiped and freed (the settings themselves
 * go with the module's UNREGISTER_INI_ENTRIES()). */
void asynctask_redis_settings_mshutdown(void);

/* MINFO: whether the backend is compiled in (and hiredis' version). */
void asynctask_redis_settings_minfo(void);

/* Whether dispatch() must look at the remote backend: a backend URL is
 * set, or one was refused at startup. Cheap (asked on every dispatch: the
 * local path pays one load and one byte). */
static inline bool asynctask_backend_remote(void)
{
	const char *backend = ASYNCTASK_G(backend);
	return UNEXPECTED((backend && backend[0]) || ASYNCTASK_G(backend_refused));
}

struct _asynctask_transport_t;

/* The remote backend's transport, handed the secret and this node's name,
 * ready to send; or NULL with AsyncTask\BackendException thrown saying why
 * this process cannot send to it (backend refused at startup, not built, no
 * usable secret). Never falls back to this machine's pool. */
const struct _asynctask_transport_t *asynctask_backend_transport(void);

/* RSHUTDOWN: the Redis dispatcher's outcomes no Future took are freed. */
void asynctask_redis_settings_rshutdown(void);

/* Pool::stats() of a process with a remote backend and no pool of its own:
 * fills return_value with this dispatcher's counts and returns true (or
 * throws: Redis unreachable); false when the backend is this machine's. */
bool asynctask_redis_stats(zval *return_value);

/* Whether this process can serve the configured remote backend as a node:
 * SUCCESS, or AsyncTask\BackendException thrown saying why (no remote
 * backend set, refused at startup, not built, no usable secret). Reaching
 * Redis is not checked here. */
zend_result asynctask_backend_check_remote(void);

/* This node's consumer name: asynctask.node, or the hostname when unset. */
void asynctask_redis_node(char *out, size_t out_size);

#endif
