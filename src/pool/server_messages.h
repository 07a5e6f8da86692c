/*
 * What the processes of php-fpm's pools say to each other (server.h has
 * the picture): an FPM child's request through the door, the answer it
 * gets, and a new manager's word to the supervisor. Types only.
 */
#ifndef ASYNCTASK_SERVER_MESSAGES_H
#define ASYNCTASK_SERVER_MESSAGES_H

#include <limits.h>
#include <stdint.h>

#define ASYNCTASK_SERVER_MAGIC   0x56535441u  /* "ATSV" */
#define ASYNCTASK_SERVER_VERSION 1
#define ASYNCTASK_SECTION_MAX    64

/* A child's request, through the door, with its own socket (SCM_RIGHTS). */
typedef struct {
	uint32_t magic;
	uint32_t version;
	char     section[ASYNCTASK_SECTION_MAX];  /* its FPM pool section; "" when unknown */
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
