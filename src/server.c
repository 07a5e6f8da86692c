/*
 * The server pool (php-fpm, asynctask.enable=1).
 *
 * - The master maps the pool and forks its manager at the end of PHP's
 *   startup: after every extension's MINIT and after opcache has set up its
 *   shared memory (so workers have everything an FPM child has), before
 *   php-fpm reads its own configuration or daemonizes. There is no hook that
 *   late for a plain extension, so MINIT registers a Zend extension whose
 *   startup chains zend_post_startup_cb behind opcache's. The manager forks
 *   no worker yet: the master usually runs as root, and tasks must run as
 *   the application (they write the files its requests write).
 * - The first request any FPM child serves hands the child's uid/gid to the
 *   pool and creates the runtime directory (result FIFOs) as that user; the
 *   manager switches to those credentials and forks the workers. FPM pools
 *   that run as another user cannot dispatch (a clear error says so).
 * - Lifetime: the master holds the write end of a close-on-exec "lifeline"
 *   pipe whose read end the manager watches. When the master exits (SIGQUIT,
 *   SIGTERM, even SIGKILL) or re-executes itself (SIGUSR2), the pipe reads
 *   EOF and the manager runs what is queued (asynctask.shutdown_timeout at
 *   most), then exits; a re-executed master starts a new pool. FPM children
 *   close their copy at their first request, and tell the manager the
 *   master's pid, which it also watches: FPM children outlive a master
 *   killed by SIGKILL, and one that never served a request still holds the
 *   pipe. (If no child ever served a request, the pool lives as long as the
 *   last of those orphaned children.)
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "php.h"
#include "SAPI.h"
#include "zend_extensions.h"

#include "php_asynctask.h"
#include "server.h"
#include "pool.h"
#include "result.h"
#include "exceptions.h"
#include "lock.h"
#include "shm.h"

static int lifeline[2] = { -1, -1 };
static bool request_seen;

static bool is_server_sapi(void)
{
	return strcmp(sapi_module.name, "fpm-fcgi") == 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

void asynctask_server_close_lifeline(void)
{
	close_fd(&lifeline[0]);
	close_fd(&lifeline[1]);
}

static void abandon_pool(asynctask_pool_t *pool)
{
	asynctask_shm_unmap(pool, ASYNCTASK_G(pool_size));
	ASYNCTASK_G(pool) = NULL;
	ASYNCTASK_G(pool_size) = 0;
	asynctask_server_close_lifeline();
}

/* The manager is not the master's child (it is forked by a short-lived
 * intermediate): php-fpm supervises its own children and would log an
 * "unknown child" when ours exits, e.g. after a reload. */
static bool fork_detached_manager(asynctask_pool_t *pool)
{
	int status = 0;
	pid_t middle = fork();

	if (middle == 0) {
		_exit(asynctask_pool_fork_manager(pool) > 0 ? 0 : 1);
	}
	if (middle < 0) {
		return false;
	}
	while (waitpid(middle, &status, 0) < 0) {
		if (errno != EINTR) {
			return false;
		}
	}
	/* the intermediate wrote the manager's pid into the pool before it left */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && pool->manager > 0;
}

static zend_result (*previous_post_startup)(void);

static zend_result start_pool(void)
{
	char error[512];
	asynctask_pool_t *pool;

	/* opcache's own post-startup (its shared memory) first */
	if (previous_post_startup) {
		zend_result (*previous)(void) = previous_post_startup;
		previous_post_startup = NULL;
		if (previous() != SUCCESS) {
			return FAILURE;
		}
	}
	pool = asynctask_pool_create(asynctask_pool_default_workers(), error, sizeof(error));
	if (!pool) {
		zend_error(E_WARNING, "asynctask: the pool was not started: %s", error);
		return SUCCESS;
	}
	pool->server = 1;
	if (pipe2(lifeline, O_CLOEXEC) != 0) {
		zend_error(E_WARNING, "asynctask: the pool was not started: cannot create a pipe: %s", strerror(errno));
		abandon_pool(pool);
		return SUCCESS;
	}
	if (!fork_detached_manager(pool)) {
		zend_error(E_WARNING, "asynctask: the pool was not started: cannot fork its manager: %s", strerror(errno));
		abandon_pool(pool);
		return SUCCESS;
	}
	/* the master keeps only the write end: its exit or exec closes it */
	close_fd(&lifeline[0]);
	return SUCCESS;
}

static int server_extension_startup(zend_extension *extension)
{
	(void) extension;
	previous_post_startup = zend_post_startup_cb;
	zend_post_startup_cb = start_pool;
	return SUCCESS;
}

static zend_extension server_extension = {
	.name = "asynctask",
	.version = PHP_ASYNCTASK_VERSION,
	.author = "the asynctask authors",
	.URL = "https://pecl.php.net/package/asynctask",
	.copyright = "MIT",
	.startup = server_extension_startup,
};

void asynctask_server_startup(void)
{
	if (!ASYNCTASK_G(enable)) {
		return;
	}
	if (!is_server_sapi()) {
		if (strcmp(sapi_module.name, "cli") != 0 && strcmp(sapi_module.name, "phpdbg") != 0) {
			zend_error(E_WARNING, "asynctask.enable=1 starts a shared pool under php-fpm only; "
				"none was started under the %s SAPI", sapi_module.name);
		}
		return;
	}
	/* zend extensions start after every module's MINIT, in the order they
	 * were registered: this one after opcache */
	zend_register_extension(&server_extension, NULL);
}

int asynctask_server_manager_lifeline(void)
{
	close_fd(&lifeline[1]);
	return lifeline[0];
}

/* The first request of all: who the pool runs as, and where results go. */
static void hand_over_credentials(asynctask_pool_t *pool)
{
	char error[512];

	asynctask_lock_acquire(&pool->queue.lock);
	if (!pool->credentials_set) {
		if (asynctask_pool_make_dirs(pool, error, sizeof(error))) {
			pool->run_uid = (int32_t) geteuid();
			pool->run_gid = (int32_t) getegid();
			__atomic_store_n(&pool->credentials_set, 1, __ATOMIC_RELEASE);
		} else {
			asynctask_log("%s", error);
		}
	}
	asynctask_lock_release(&pool->queue.lock);
}

void asynctask_server_request_startup(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);

	if (!pool || !pool->server || ASYNCTASK_G(in_pool_process) || request_seen) {
		return;
	}
	request_seen = true;
	asynctask_server_close_lifeline();
	/* after daemonizing, the master is not the process that started the
	 * pool: tell the manager whom to watch */
	__atomic_store_n(&pool->master_pid, (int32_t) getppid(), __ATOMIC_RELEASE);
	if (!__atomic_load_n(&pool->credentials_set, __ATOMIC_ACQUIRE)) {
		hand_over_credentials(pool);
	}
}

asynctask_pool_t *asynctask_server_pool_get(asynctask_pool_t *pool)
{
	if (!__atomic_load_n(&pool->credentials_set, __ATOMIC_ACQUIRE)) {
		asynctask_throw(asynctask_ce_exception, "the php-fpm pool has no runtime directory (see asynctask.log): "
			"it could not be created under asynctask.tmpdir");
		return NULL;
	}
	if ((int32_t) geteuid() != pool->run_uid) {
		asynctask_throw(asynctask_ce_exception, "the asynctask pool runs as uid %d (the user of the first php-fpm "
			"pool that served a request); this php-fpm pool runs as uid %d and cannot dispatch to it",
			(int) pool->run_uid, (int) geteuid());
		return NULL;
	}
	if (!asynctask_pool_alive_lately()) {
		asynctask_throw(asynctask_ce_exception, "the asynctask pool of this php-fpm (manager pid %d) is gone "
			"(see asynctask.log); restart or reload php-fpm to start a new one", (int) pool->manager);
		return NULL;
	}
	if (asynctask_results_open(pool) == FAILURE) {
		return NULL;
	}
	return pool;
}

bool asynctask_server_drop_privileges(asynctask_pool_t *pool)
{
	uid_t uid = (uid_t) pool->run_uid;
	gid_t gid = (gid_t) pool->run_gid;

	if (geteuid() != 0 || uid == 0) {
		return true;  /* already the children's user, or the FPM pool itself runs as root */
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		asynctask_log("the pool manager cannot switch to uid %d gid %d: %s", (int) uid, (int) gid, strerror(errno));
		return false;
	}
	return true;
}
