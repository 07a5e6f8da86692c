/*
 * What the processes of php-fpm's pools say to each other (server.h has
 * the picture): an FPM child's request through the door, the answer it
 * gets, and a new manager's word to the supervisor. Types only, and the
 * name of the server's master for their messages.
 */
#ifndef ASYNCTASK_SERVER_MESSAGES_H
#define ASYNCTASK_SERVER_MESSAGES_H

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "php.h"
#include "SAPI.h"

#define ASYNCTASK_SERVER_MAGIC   0x56535441u  /* "ATSV" */
#define ASYNCTASK_SERVER_VERSION 2
#define ASYNCTASK_SECTION_MAX    64
#define ASYNCTASK_STATUS_LISTEN_MAX 128   /* "unix:" and a sun_path fit */
#define ASYNCTASK_STATUS_TOKEN_MAX  256

/* What the master of the server pools is called in messages: the pools run
 * under php-fpm or Apache's mod_php (apache2handler), and every process of
 * theirs keeps the SAPI it was forked from. */
static inline const char *asynctask_server_master(void)
{
	return strcmp(sapi_module.name, "apache2handler") == 0 ? "Apache" : "php-fpm";
}

/* A child's request, through the door, with its own socket (SCM_RIGHTS).
 * The status settings are its section's (php.ini, or the section's
 * php_admin_value / php_value: what FPM set when it started the child, not
 * an ini_set() of a script); the manager a request starts serves the status
 * endpoint with them. They are the section's user's own choice for its own
 * manager: nothing the supervisor (root) does depends on them. */
typedef struct {
	uint32_t magic;
	uint32_t version;
	char     section[ASYNCTASK_SECTION_MAX];  /* its FPM pool section; "" when unknown */
	uint32_t status_too_long;                  /* a status setting did not fit below: none is used */
	char     status_listen[ASYNCTASK_STATUS_LISTEN_MAX];
	char     status_token[ASYNCTASK_STATUS_TOKEN_MAX];
} asynctask_server_request_t;

/* The answer on that socket: with status 0 it carries two fds, the region's
 * memfd and the runtime directory. */
typedef struct {
	uint32_t magic;
	uint32_t version;
	int32_t  status;           /* 0, or an errno value */
	int32_t  manager;          /* the pool's manager */
	uint64_t region_size;
	char     rundir[PATH_MAX]; /* the runtime directory's path, for messages */
	char     message[512];     /* status != 0: why, for the exception */
} asynctask_server_reply_t;

/* A new manager to the supervisor: ready (status 0), or why it is not. */
typedef struct {
	uint32_t magic;
	int32_t  status;
	char     rundir[64];       /* its runtime directory's name in asynctask.tmpdir */
	char     message[512];
} asynctask_server_ready_t;

#endif
