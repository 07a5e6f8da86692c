/*
 * Server pools (php-fpm or Apache's mod_php, asynctask.enable=1): the
 * master's part and a child's part. See server.h for the picture,
 * supervisor.c for the process in the middle, server_manager.c for a server
 * pool's manager.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "php.h"
#include "SAPI.h"
#include "zend_extensions.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/pool/server.h"
#include "src/pool/supervisor.h"
#ifdef HAVE_ASYNCTASK_REDIS
# include "src/pool/bridge.h"
#endif
#include "src/transport/shm/region.h"
#include "src/transport/shm/result.h"
#include "src/transport/shm/rundir.h"
#include "src/base/exceptions.h"
#include "src/transport/shm/lock.h"
#include "src/base/unixmsg.h"
#include "src/transport/shm/shm.h"

/* How long a child waits for its pool: a new one is made for its first
 * request (a manager forked, a region mapped; the workers come later). */
#define ASK_TIMEOUT_MS 10000
/* How long a child waits to get its request through the door. */
#define DOOR_SEND_TIMEOUT_S 5

/* The section name of the one pool per user under Apache (its children
 * have no FPM title to name one). */
#define APACHE_SECTION "apache"

static struct {
	bool enabled;              /* asynctask.enable=1 under php-fpm or Apache */
	bool apache;               /* under Apache's mod_php (apache2handler) */
	pid_t starter;             /* the process that started the supervisor */
	int  door;                 /* master and its children: the door's sending end */
	int  lifeline;             /* master (and children until their first request): its write end */
	char error[512];           /* why there is no supervisor, when there is none */
} server = { .door = -1, .lifeline = -1 };

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* --- the master: start the supervisor ----------------------------------- */

/* The master's listening sockets: Apache opened its own before PHP's
 * startup, and a php-fpm master re-executed by a reload inherited its
 * own. The supervisor (and so every pool process) keeps none of them, or
 * a stopped server's port would stay taken until its pools drained. Every
 * other descriptor stays: opcache's lock file, the logs, stderr. */
static void close_listening_sockets(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;

	if (!dir) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "supervisor_fds",
			"the pool supervisor cannot list its descriptors (%s): it keeps the server's listening "
			"sockets open", strerror(errno));
		return;
	}
	while ((entry = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(entry->d_name, &end, 10);
		int listening = 0;
		socklen_t len = sizeof(listening);

		if (*end != '\0' || end == entry->d_name || fd <= 2 || fd == dirfd(dir)) {
			continue;
		}
		if (getsockopt((int) fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening) {
			close((int) fd);
		}
	}
	closedir(dir);
}

/* The supervisor is not the master's child (a short-lived intermediate
 * forks it): php-fpm supervises its own children and would log an "unknown
 * child" when ours exits, e.g. after a reload. */
static bool fork_supervisor(int door, int lifeline)
{
	int status = 0;
	pid_t middle = fork();

	if (middle == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			close_fd(&server.door);
			close_fd(&server.lifeline);
			close_listening_sockets();
			asynctask_supervisor_run(door, lifeline);
		}
		_exit(pid > 0 ? 0 : 1);
	}
	if (middle < 0) {
		return false;
	}
	while (waitpid(middle, &status, 0) < 0) {
		if (errno != EINTR) {
			return false;
		}
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static zend_result (*previous_post_startup)(void);

static zend_result start_supervisor(void)
{
	int lifeline[2], door[2];
	int on = 1;
	struct timeval send_timeout = { DOOR_SEND_TIMEOUT_S, 0 };

	/* a supervisor of this process's previous startup (Apache's graceful
	 * restart, when its shutdown did not say so) is let go first */
	asynctask_server_shutdown();
	/* opcache's own post-startup (its shared memory) first: pools forked
	 * from here on have everything an FPM child has */
	if (previous_post_startup) {
		zend_result (*previous)(void) = previous_post_startup;
		previous_post_startup = NULL;
		if (previous() != SUCCESS) {
			return FAILURE;
		}
	}
	if (pipe2(lifeline, O_CLOEXEC) != 0) {
		snprintf(server.error, sizeof(server.error), "cannot create a pipe: %s", strerror(errno));
		goto failed;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, door) != 0) {
		snprintf(server.error, sizeof(server.error), "cannot create a socket pair: %s", strerror(errno));
		close(lifeline[0]);
		close(lifeline[1]);
		goto failed;
	}
	/* the kernel attaches every sender's pid, uid and gid to what it sends */
	if (setsockopt(door[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0
			|| setsockopt(door[1], SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout)) != 0) {
		snprintf(server.error, sizeof(server.error), "cannot set up its socket: %s", strerror(errno));
		close(door[0]);
		close(door[1]);
		close(lifeline[0]);
		close(lifeline[1]);
		goto failed;
	}
	server.door = door[1];
	server.lifeline = lifeline[1];
	server.starter = getpid();
	if (!fork_supervisor(door[0], lifeline[0])) {
		snprintf(server.error, sizeof(server.error), "cannot fork its supervisor: %s", strerror(errno));
		close_fd(&server.door);
		close_fd(&server.lifeline);
		close(door[0]);
		close(lifeline[0]);
		goto failed;
	}
	/* the master keeps only the sending end and the lifeline's write end:
	 * its exit or exec closes them */
	close(door[0]);
	close(lifeline[0]);
	return SUCCESS;

failed:
	zend_error(E_WARNING, "asynctask: no pool will run under this %s: %s", asynctask_server_master(), server.error);
	return SUCCESS;
}

static int server_extension_startup(zend_extension *extension)
{
	(void) extension;
	previous_post_startup = zend_post_startup_cb;
	zend_post_startup_cb = start_supervisor;
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
	server.apache = strcmp(sapi_module.name, "apache2handler") == 0;
	if (strcmp(sapi_module.name, "fpm-fcgi") != 0 && !server.apache) {
		if (strcmp(sapi_module.name, "cli") != 0 && strcmp(sapi_module.name, "phpdbg") != 0) {
			zend_error(E_WARNING, "asynctask.enable=1 starts pools under php-fpm and Apache's mod_php only; "
				"none was started under the %s SAPI", sapi_module.name);
		}
		return;
	}
	server.enabled = true;
	snprintf(server.error, sizeof(server.error), "its supervisor did not start (see the %s log)", asynctask_server_master());
	/* zend extensions start after every module's MINIT, in the order they
	 * were registered: this one after opcache */
	zend_register_extension(&server_extension, NULL);
}

bool asynctask_server_enabled(void)
{
	return server.enabled && !ASYNCTASK_G(in_pool_process);
}

void asynctask_server_shutdown(void)
{
	/* the master's PHP shuts down: Apache's parent does so at every
	 * graceful restart, then starts PHP (and a new supervisor) again in
	 * the same process; the old supervisor must see its lifeline close
	 * now, or it would wait for a parent that never leaves */
	if (server.starter == getpid()) {
		close_fd(&server.door);
		close_fd(&server.lifeline);
		server.starter = 0;
	}
}

/* --- an FPM child: ask for the pool -------------------------------------- */

/* After an ask that found no pool, a child asks again this much later at the earliest. */
#define NODE_ASK_AGAIN_NS (5ull * 1000 * 1000 * 1000)

void asynctask_server_request_startup(void)
{
	if (asynctask_server_enabled()) {
		/* under php-fpm only the master may hold the lifeline open. Under
		 * Apache its children keep it too: a graceful restart shuts PHP
		 * down in the parent while the old children finish their requests,
		 * and those may still ask for (and dispatch to) their pool; the
		 * old supervisor lets its pools go once the parent and every old
		 * child closed it. (A killed parent: the supervisor watches its pid.) */
		if (!server.apache) {
			close_fd(&server.lifeline);
		}
#ifdef HAVE_ASYNCTASK_REDIS
		/* a node of the remote backend: its section's pool serves whether or
		 * not this request dispatches (dispatch() goes to Redis, never to it),
		 * so every request makes sure it runs (a mapped pool's check costs a
		 * clock read; a failed ask is not repeated for a while) */
		static uint64_t failed_at;
		if (asynctask_bridge_configured()
				&& (!failed_at || asynctask_now_ns() - failed_at >= NODE_ASK_AGAIN_NS)) {
			failed_at = asynctask_server_pool_get(true) ? 0 : asynctask_now_ns();
		}
#endif
	}
}

/* The FPM pool section this child serves ("" when it cannot tell): FPM
 * titles its children "php-fpm: pool <section>", which is what /proc
 * shows as their command line. (fpm_get_status() would say it too, but it
 * takes FPM's scoreboard lock, which a busy pool holds.) */
static void fpm_section(char section[ASYNCTASK_SECTION_MAX])
{
	static const char title[] = "php-fpm: pool ";
	char cmdline[ASYNCTASK_SECTION_MAX + sizeof(title)];
	size_t n = 0, i;

	section[0] = '\0';
	if (server.apache) {
		snprintf(section, ASYNCTASK_SECTION_MAX, "%s", APACHE_SECTION);
		return;
	}
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return;
	}
	ssize_t got = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (got <= (ssize_t) (sizeof(title) - 1) || memcmp(cmdline, title, sizeof(title) - 1) != 0) {
		return;
	}
	cmdline[got] = '\0';
	for (i = sizeof(title) - 1; i < (size_t) got && cmdline[i] && cmdline[i] != ' ' && n < ASYNCTASK_SECTION_MAX - 1; i++) {
		char c = cmdline[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
			|| c == '-' || c == '_' || c == '.';
		section[n++] = plain ? c : '_';
	}
	section[n] = '\0';
}

/* Waits for the reply on sock; -1 with error filled in. */
static int receive_reply(int sock, asynctask_server_reply_t *reply, int fds[2], char *error, size_t error_size)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int nfds, ready;

	do {
		ready = poll(&pfd, 1, ASK_TIMEOUT_MS);
	} while (ready < 0 && errno == EINTR);
	if (ready <= 0) {
		snprintf(error, error_size, "no answer from the pool's supervisor within %d s", ASK_TIMEOUT_MS / 1000);
		return -1;
	}
	ssize_t n = asynctask_unixmsg_recv(sock, reply, sizeof(*reply), fds, 2, &nfds, NULL, 0);
	if (n != (ssize_t) sizeof(*reply) || reply->magic != ASYNCTASK_SERVER_MAGIC
			|| reply->version != ASYNCTASK_SERVER_VERSION) {
		asynctask_close_fds(fds, nfds);
		snprintf(error, error_size, "the pool's supervisor %s",
			n == 0 ? "closed the connection without an answer (see asynctask.log)" : "sent a malformed answer");
		return -1;
	}
	reply->message[sizeof(reply->message) - 1] = '\0';
	reply->rundir[sizeof(reply->rundir) - 1] = '\0';
	if (reply->status != 0) {
		asynctask_close_fds(fds, nfds);
		snprintf(error, error_size, "%s", reply->message);
		return -1;
	}
	if (nfds != 2) {
		asynctask_close_fds(fds, nfds);
		snprintf(error, error_size, "the pool's manager sent %d descriptors instead of 2", nfds);
		return -1;
	}
	return 0;
}

/* A setting as this child was configured with it (php.ini, and its FPM
 * section's php_admin_value / php_value, which FPM sets as the child's own
 * defaults): not as a script may have ini_set() it since. False when it
 * does not fit in size. */
static bool configured(const char *name, char *out, size_t size)
{
	zend_ini_entry *entry = zend_hash_str_find_ptr(EG(ini_directives), name, strlen(name));
	zend_string *value = entry ? (entry->modified && entry->orig_value ? entry->orig_value : entry->value) : NULL;

	out[0] = '\0';
	if (value && ZSTR_LEN(value) >= size) {
		return false;
	}
	if (value) {
		memcpy(out, ZSTR_VAL(value), ZSTR_LEN(value) + 1);
	}
	return true;
}

/* Asks the supervisor for this child's pool and maps it. */
static asynctask_pool_t *ask_for_pool(char *error, size_t error_size)
{
	asynctask_server_request_t request = { .magic = ASYNCTASK_SERVER_MAGIC, .version = ASYNCTASK_SERVER_VERSION };
	asynctask_server_reply_t reply;
	int sock[2], fds[2] = { -1, -1 };

	if (server.door < 0) {
		snprintf(error, error_size, "no pool runs under this %s: %s", asynctask_server_master(), server.error);
		return NULL;
	}
	fpm_section(request.section);
	if (!configured("asynctask.status_listen", request.status_listen, sizeof(request.status_listen))
			|| !configured("asynctask.status_token", request.status_token, sizeof(request.status_token))) {
		memset(request.status_listen, 0, sizeof(request.status_listen));
		memset(request.status_token, 0, sizeof(request.status_token));
		request.status_too_long = 1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) != 0) {
		snprintf(error, error_size, "cannot create a socket pair: %s", strerror(errno));
		return NULL;
	}
	int err = asynctask_unixmsg_send(server.door, &request, sizeof(request), &sock[1], 1, 0);
	close(sock[1]);
	if (err != 0) {
		close(sock[0]);
		snprintf(error, error_size, "cannot reach the pool's supervisor (the %s master's asynctask "
			"process): %s", asynctask_server_master(), strerror(err));
		return NULL;
	}
	err = receive_reply(sock[0], &reply, fds, error, error_size);
	close(sock[0]);
	if (err != 0) {
		return NULL;
	}
	asynctask_pool_t *pool = asynctask_region_attach(fds[0], (size_t) reply.region_size, error, error_size);
	close(fds[0]);
	if (!pool) {
		close(fds[1]);
		return NULL;
	}
	asynctask_rundir_adopt(fds[1], reply.rundir);
	return pool;
}

asynctask_pool_t *asynctask_server_pool_get(bool quiet)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	char error[600];

	if (pool && asynctask_shm_alive_lately()) {
		return pool;
	}
	if (pool) {
		/* its manager died (killed, say): the supervisor starts a new one */
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "manager_lost",
			"the pool's manager (pid %d) is gone; asking for a new pool", (int) pool->manager);
		asynctask_shm_forget();
	}
	pool = ask_for_pool(error, sizeof(error));
	if (!pool && !quiet) {
		asynctask_throw(asynctask_ce_exception, "%s", error);
	}
	return pool;
}
