/*
 * A server pool's manager, the php-fpm part (server.h has the picture): the
 * supervisor forks it for one (uid, gid, FPM section); it becomes that
 * user, makes the region and the runtime directory, and runs the manager
 * (manager.h) with hooks that answer the FPM children the supervisor
 * forwards. The manager itself knows nothing of php-fpm.
 */
#ifndef ASYNCTASK_SERVER_MANAGER_H
#define ASYNCTASK_SERVER_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "php.h"

#include "src/pool/server_messages.h"

/* Becomes uid, gid and groups (from root), or checks that this process
 * already is uid; false with error filled in. Never leaves a process root
 * that was asked to become another user. */
bool asynctask_server_become(uid_t uid, gid_t gid, const gid_t *groups, int ngroups, char *error, size_t error_size);

/* The supervisor, in a freshly forked manager process: becomes the user
 * (uid, gid, groups), makes the pool of the request's FPM section, with
 * the status settings the request carries, and runs its manager; never
 * returns. It tells the supervisor over link whether it is ready, or why not. */
ZEND_NORETURN void asynctask_server_manager_main(int link, uid_t uid, gid_t gid, const gid_t *groups,
	int ngroups, const asynctask_server_request_t *request);

#endif
