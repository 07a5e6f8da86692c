/*
 * A server pool's manager (server_manager.h): the user's pool made in a
 * process the supervisor forked, and the FPM children it answers.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/base/process.h"
#include "src/base/unixmsg.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/rundir.h"
#include "src/pool/manager.h"
#ifdef HAVE_ASYNCTASK_REDIS
# include "src/pool/bridge.h"
#endif
#include "src/pool/queues.h"
#include "src/pool/server_messages.h"
#include "src/pool/server_manager.h"
#include "src/pool/status/status.h"

static struct {
	int link;                  /* from the supervisor */
	int memfd;                 /* the region */
} manager = { .link = -1, .memfd = -1 };

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Never root by accident: the child's own groups, gid and uid, checked. */
bool asynctask_server_become(uid_t uid, gid_t gid, const gid_t *groups, int ngroups, char *error, size_t error_size)
{
	if (geteuid() == 0 && uid != 0) {
		if (setgroups((size_t) ngroups, groups) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
			snprintf(error, error_size, "the pool's manager cannot switch to uid %d gid %d: %s",
				(int) uid, (int) gid, strerror(errno));
			return false;
		}
	} else if (geteuid() != uid) {
		snprintf(error, error_size, "the %s master runs as uid %d and cannot start a pool for uid %d",
			asynctask_server_master(), (int) geteuid(), (int) uid);
		return false;
	}
	if (getuid() != uid || geteuid() != uid || (uid != 0 && (getgid() != gid || getegid() != gid))) {
		snprintf(error, error_size, "the pool's manager could not become uid %d gid %d", (int) uid, (int) gid);
		return false;
	}
	return true;
}

static ZEND_NORETURN void not_ready(int link, const char *why)
{
	asynctask_server_ready_t ready = { .magic = ASYNCTASK_SERVER_MAGIC, .status = EPERM };

	snprintf(ready.message, sizeof(ready.message), "%s", why);
	asynctask_log_event(ASYNCTASK_LOG_ERROR, "pool_start_failed", "%s", why);
	(void) asynctask_unixmsg_send(link, &ready, sizeof(ready), NULL, 0, 0);
	_exit(70);
}

static void answer(int client, asynctask_pool_t *pool)
{
	asynctask_server_reply_t reply = {
		.magic = ASYNCTASK_SERVER_MAGIC,
		.version = ASYNCTASK_SERVER_VERSION,
		.manager = pool->manager,
		.region_size = ASYNCTASK_G(pool_size),
	};
	int fds[2] = { manager.memfd, asynctask_rundir_fd() };

	snprintf(reply.rundir, sizeof(reply.rundir), "%s", asynctask_rundir_path());
	/* never blocks: a child that does not read loses its answer, not ours */
	(void) asynctask_unixmsg_send(client, &reply, sizeof(reply), fds, 2, MSG_DONTWAIT);
}

static bool answer_clients(asynctask_pool_t *pool)
{
	for (;;) {
		uint32_t magic;
		int fds[ASYNCTASK_UNIXMSG_FDS_MAX], nfds;
		ssize_t n = asynctask_unixmsg_recv(manager.link, &magic, sizeof(magic), fds, ASYNCTASK_UNIXMSG_FDS_MAX,
			&nfds, NULL, MSG_DONTWAIT);

		if (n == 0) {
			return false;
		}
		if (n < 0) {
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EMSGSIZE;
		}
		for (int i = 0; i < nfds; i++) {
			if (magic == ASYNCTASK_SERVER_MAGIC) {
				answer(fds[i], pool);
			}
		}
		asynctask_close_fds(fds, nfds);
	}
}

/* A worker: closes what it inherited of its manager's plumbing. */
static void close_inherited(void)
{
	close_fd(&manager.link);
	close_fd(&manager.memfd);
}

/* What the manager is handed: it knows nothing of php-fpm but these. */
static asynctask_manager_hooks_t hooks = {
	.link = -1,
	.answer_clients = answer_clients,
	.close_inherited = close_inherited,
};

ZEND_NORETURN void asynctask_server_manager_main(int link, uid_t uid, gid_t gid, const gid_t *groups,
	int ngroups, const asynctask_server_request_t *request)
{
	const char *section = request->section;
	char error[512];
	asynctask_server_ready_t ready = { .magic = ASYNCTASK_SERVER_MAGIC, .status = 0 };

	ASYNCTASK_G(in_pool_process) = true;
	/* before anything a child could influence */
	if (!asynctask_server_become(uid, gid, groups, ngroups, error, sizeof(error))) {
		not_ready(link, error);
	}
	asynctask_queues_t layout;
	if (!asynctask_pool_queue_layout(0, &layout, error, sizeof(error))) {
		not_ready(link, error);
	}
	asynctask_pool_t *pool = asynctask_region_create(&layout, &manager.memfd, error, sizeof(error));
	if (!pool) {
		not_ready(link, error);
	}
	if (!asynctask_rundir_create(error, sizeof(error))) {
		not_ready(link, error);
	}
	pool->server = 1;
	pool->owner = (int32_t) asynctask_self();
	pool->manager = (int32_t) asynctask_self();
	manager.link = link;
	hooks.link = link;
	snprintf(ready.rundir, sizeof(ready.rundir), "%s", asynctask_rundir_name());
	if (asynctask_unixmsg_send(link, &ready, sizeof(ready), NULL, 0, 0) != 0) {
		asynctask_rundir_remove();
		_exit(70);
	}
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "pool_started",
		"pool for %s section [%s] (uid %d) started; runtime directory %s", asynctask_server_master(),
		section[0] ? section : "?",
		(int) uid, asynctask_rundir_path());
#ifdef HAVE_ASYNCTASK_REDIS
	if (asynctask_bridge_configured()) {
		/* a node of the remote backend (api/serve.c configured it at the master's startup): the
		 * manager reads its tasks' results as a dispatcher does, outside any request here */
		zend_hash_init(&ASYNCTASK_G(results), 8, NULL, ZVAL_PTR_DTOR, 0);
		zend_hash_init(&ASYNCTASK_G(outstanding), 8, NULL, NULL, 0);
		zend_hash_init(&ASYNCTASK_G(abandoned), 8, NULL, NULL, 0);
		asynctask_bridge_section(section);
	}
#endif
	asynctask_status_for_section(section, request->status_too_long ? NULL : request->status_listen,
		request->status_token);
	asynctask_manager_run(pool, &hooks);
}
