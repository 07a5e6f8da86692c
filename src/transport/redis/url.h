/*
 * asynctask.backend: what the setting's value says, parsed once.
 *
 *   ""                                         this machine's shared memory
 *   redis://[user:password@]host[:port][/db]   Redis over TCP (host may be [IPv6])
 *   unix://[user:password@]/path/redis.sock[?db=N]   Redis on a unix socket
 *   redis-sentinel://[user:password@]host[:port][,host[:port]...]/master-name[?db=N][&sentinel_password=P]
 *                                              the master that Sentinels name (port 26379 by
 *                                              default): user and password are the master's
 *                                              (and its replicas'); sentinel_password, if the
 *                                              Sentinels ask for one (requirepass), theirs
 *
 * Pure C, no hiredis: the php.ini handler validates with it on every build,
 * and the connection (conn.c) connects with what it fills in. The user and
 * password may be percent-encoded (a password with '@', ':' or '/').
 */
#ifndef ASYNCTASK_REDIS_URL_H
#define ASYNCTASK_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	ASYNCTASK_BACKEND_LOCAL = 0,   /* "" */
	ASYNCTASK_BACKEND_REDIS_TCP,
	ASYNCTASK_BACKEND_REDIS_UNIX,
	ASYNCTASK_BACKEND_REDIS_SENTINEL,  /* host, port and path empty: Sentinel names the master */
} asynctask_backend_kind_t;

#define ASYNCTASK_REDIS_DEFAULT_PORT          6379
#define ASYNCTASK_REDIS_SENTINEL_DEFAULT_PORT 26379
#define ASYNCTASK_REDIS_SENTINELS_MAX         8

typedef struct {
	char host[256];       /* a name or an address, brackets of [IPv6] removed */
	int  port;
} asynctask_redis_addr_t;

typedef struct {
	asynctask_backend_kind_t kind;
	char host[256];       /* TCP: a name or an address, brackets of [IPv6] removed */
	int  port;            /* TCP: 1..65535 */
	char path[108];       /* unix: the socket (sizeof sun_path) */
	int  db;              /* SELECT db; 0 is Redis' default */
	char user[128];       /* ACL user ("" = AUTH with the password alone) */
	char password[512];   /* "" = no AUTH */
	/* Sentinel: where to ask (in this order), for which master, with which password */
	int  sentinel_count;
	asynctask_redis_addr_t sentinels[ASYNCTASK_REDIS_SENTINELS_MAX];
	char master_name[128];
	char sentinel_password[512];   /* "" = the Sentinels ask for no AUTH */
} asynctask_redis_url_t;

/* Parses `value` (a NUL-terminated setting value) into *url. On a refusal it
 * returns false and writes why into error (never the password). */
bool asynctask_redis_url_parse(const char *value, asynctask_redis_url_t *url, char *error, size_t error_size);

/* True when `value` names a remote backend (anything but ""), valid or not. */
bool asynctask_redis_url_is_remote(const char *value);

/* Writes `value` with its passwords (the userinfo's and sentinel_password's)
 * replaced by "***" (for warnings, logs and phpinfo()): the setting's text
 * itself must never print a password. */
void asynctask_redis_url_redact(const char *value, char *out, size_t out_size);

/* "127.0.0.1:6379", "/run/redis.sock" or "master 'mymaster' of the Sentinels
 * at 10.0.0.1:26379,10.0.0.2:26379": where the connection goes, for messages. */
void asynctask_redis_url_describe(const asynctask_redis_url_t *url, char *out, size_t out_size);

/* "10.0.0.1:26379" or "[::1]:26379", for messages. */
void asynctask_redis_addr_describe(const asynctask_redis_addr_t *addr, char *out, size_t out_size);

#endif
