/*
 * The supervisor of a php-fpm master's pools (see supervisor.h, server.h).
 *
 * A plain poll() loop, no libevent: the managers it forks run libevent
 * loops of their own, and must not inherit one of ours.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/pool/supervisor.h"
#include "src/pool/server_messages.h"
#include "src/pool/server_manager.h"
#include "src/pool/manager.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/lock.h"
#include "src/base/unixmsg.h"
#include "src/transport/shm/rundir.h"
#include "src/base/clock.h"

#define POOLS_MAX 64
#define POOLS_PER_USER 8                             /* FPM sections of one user with a pool each */
#define GROUPS_MAX 64
#define TICK_MS 200
#define READY_TIMEOUT_MS 10000                       /* a new manager says it is ready within this */
#define RETRY_NS (5ull * 1000 * 1000 * 1000)         /* a pool that could not start is not tried again sooner */
#define LINGER_NS (10ull * 1000 * 1000 * 1000)       /* after the managers' own shutdown_timeout */

typedef struct {
	pid_t    pid;                                /* its manager; 0: a free entry */
	uid_t    uid;
	gid_t    gid;
	char     section[ASYNCTASK_SECTION_MAX];
	int      link;                               /* our end of its socket; -1 once it failed */
	gid_t    groups[GROUPS_MAX];                 /* the user's groups, as its first child had them */
	int      ngroups;
	char     rundir[ASYNCTASK_SECTION_MAX];      /* its runtime directory's name */
	uint64_t failed_at;                          /* pid 0 and this set: its start failed then, with error */
	char     error[512];
} managed_t;

static struct {
	int       door;
	int       lifeline;
	pid_t     master;                            /* the php-fpm master, as its children's parent */
	bool      master_gone;
	uint64_t  leave_by;
	uint64_t  refused;                           /* malformed requests */
	managed_t pools[POOLS_MAX];
} sup;

static volatile sig_atomic_t terminated;

static void on_signal(int sig)
{
	if (sig == SIGTERM) {
		terminated = 1;
	}
	/* SIGCHLD: only to end ppoll() at once; the loop reaps */
}

/* A process's parent and real uid, from /proc (the kernel's word). */
static bool read_status(pid_t pid, pid_t *ppid, uid_t *uid, gid_t *groups, int *ngroups)
{
	char path[64], line[1024];
	bool have_ppid = false, have_uid = false;

	snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
	FILE *f = fopen(path, "re");
	if (!f) {
		return false;
	}
	*ngroups = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long value;
		if (sscanf(line, "PPid: %lu", &value) == 1) {
			*ppid = (pid_t) value;
			have_ppid = true;
		} else if (sscanf(line, "Uid: %lu", &value) == 1) {
			*uid = (uid_t) value;
			have_uid = true;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7, *end;
			while (*ngroups < GROUPS_MAX && (value = strtoul(p, &end, 10), end != p)) {
				groups[(*ngroups)++] = (gid_t) value;
				p = end;
			}
		}
	}
	fclose(f);
	return have_ppid && have_uid;
}

static void master_is_gone(void)
{
	if (sup.master_gone) {
		return;
	}
	sup.master_gone = true;
	sup.leave_by = asynctask_now_ns() + (uint64_t) (ASYNCTASK_G(shutdown_timeout) * 1e9) + LINGER_NS;
	/* each manager reads EOF, runs what is queued, and leaves */
	for (int i = 0; i < POOLS_MAX; i++) {
		if (sup.pools[i].link >= 0) {
			close(sup.pools[i].link);
			sup.pools[i].link = -1;
		}
	}
}

static void refuse(int client, int status, const char *message)
{
	asynctask_server_reply_t reply = {
		.magic = ASYNCTASK_SERVER_MAGIC,
		.version = ASYNCTASK_SERVER_VERSION,
		.status = status,
	};

	snprintf(reply.message, sizeof(reply.message), "%s", message);
	(void) asynctask_unixmsg_send(client, &reply, sizeof(reply), NULL, 0, MSG_DONTWAIT);
}

static bool live(const managed_t *m)
{
	return m->pid > 0 && m->link >= 0;
}

/* Forks the manager of a new pool and waits for it to say it is ready. */
static bool start_manager(managed_t *m, const asynctask_peer_t *peer, const asynctask_server_request_t *request,
	const gid_t *groups, int ngroups)
{
	const char *section = request->section;
	int link[2];
	sigset_t block, previous;

	memset(m, 0, sizeof(*m));
	m->link = -1;
	m->uid = peer->uid;
	m->gid = peer->gid;
	snprintf(m->section, sizeof(m->section), "%s", section);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, link) != 0) {
		snprintf(m->error, sizeof(m->error), "cannot create a socket pair: %s", strerror(errno));
		m->failed_at = asynctask_now_ns();
		return false;
	}
	/* the manager's signals stay pending until its handlers are in place */
	asynctask_manager_signals(&block);
	sigprocmask(SIG_BLOCK, &block, &previous);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		close(link[0]);
		close(sup.door);
		close(sup.lifeline);
		for (int i = 0; i < POOLS_MAX; i++) {
			if (sup.pools[i].link >= 0) {
				close(sup.pools[i].link);
			}
		}
		asynctask_server_manager_main(link[1], peer->uid, peer->gid, groups, ngroups, request);
	}
	int fork_errno = errno;
	sigprocmask(SIG_SETMASK, &previous, NULL);
	close(link[1]);
	if (pid < 0) {
		close(link[0]);
		snprintf(m->error, sizeof(m->error), "cannot fork the pool's manager: %s", strerror(fork_errno));
		m->failed_at = asynctask_now_ns();
		return false;
	}

	asynctask_server_ready_t ready;
	struct pollfd pfd = { .fd = link[0], .events = POLLIN };
	int fds[ASYNCTASK_UNIXMSG_FDS_MAX], nfds = 0, polled;
	ssize_t n = -1;
	do {
		polled = poll(&pfd, 1, READY_TIMEOUT_MS);
	} while (polled < 0 && errno == EINTR);
	if (polled > 0) {
		n = asynctask_unixmsg_recv(link[0], &ready, sizeof(ready), fds, ASYNCTASK_UNIXMSG_FDS_MAX, &nfds, NULL, 0);
		asynctask_close_fds(fds, nfds);
	}
	if (n == (ssize_t) sizeof(ready) && ready.magic == ASYNCTASK_SERVER_MAGIC && ready.status == 0) {
		m->pid = pid;
		m->link = link[0];
		memcpy(m->groups, groups, sizeof(gid_t) * (size_t) ngroups);
		m->ngroups = ngroups;
		ready.rundir[sizeof(ready.rundir) - 1] = '\0';
		snprintf(m->rundir, sizeof(m->rundir), "%s", ready.rundir);
		return true;
	}
	if (n == (ssize_t) sizeof(ready) && ready.magic == ASYNCTASK_SERVER_MAGIC) {
		ready.message[sizeof(ready.message) - 1] = '\0';
		snprintf(m->error, sizeof(m->error), "the pool could not start: %s", ready.message);
	} else {
		snprintf(m->error, sizeof(m->error), "the pool's manager (pid %d) did not start (see asynctask.log)",
			(int) pid);
		kill(pid, SIGKILL);
	}
	close(link[0]);
	waitpid(pid, NULL, 0);
	m->failed_at = asynctask_now_ns();
	asynctask_log_event(ASYNCTASK_LOG_ERROR, "pool_start_failed", "%s", m->error);
	return false;
}

/* The pool of this user and section: running, or started now. NULL with
 * *why when there is none. */
static managed_t *pool_for(const asynctask_peer_t *peer, const asynctask_server_request_t *request,
	const gid_t *groups, int ngroups, const char **why)
{
	const char *section = request->section;
	managed_t *free_entry = NULL;
	int of_user = 0;
	uint64_t now = asynctask_now_ns();

	for (int i = 0; i < POOLS_MAX; i++) {
		managed_t *m = &sup.pools[i];
		bool same = m->uid == peer->uid && m->gid == peer->gid && strcmp(m->section, section) == 0;
		if (live(m) && same) {
			return m;
		}
		if (m->pid == 0 && m->failed_at && same && now - m->failed_at < RETRY_NS) {
			*why = m->error;
			return NULL;
		}
		of_user += live(m) && m->uid == peer->uid;
		if (m->pid == 0 && (!free_entry || (free_entry->failed_at && !m->failed_at))) {
			free_entry = m;
		}
	}
	if (of_user >= POOLS_PER_USER) {
		*why = "this user already has as many asynctask pools as it may (one per FPM pool section, at most 8)";
		return NULL;
	}
	if (!free_entry) {
		*why = "this server runs as many asynctask pools as it may (64)";
		return NULL;
	}
	if (!start_manager(free_entry, peer, request, groups, ngroups)) {
		*why = free_entry->error;
		return NULL;
	}
	return free_entry;
}

static bool plain_section(const char *section)
{
	for (const char *p = section; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
			|| *p == '-' || *p == '_' || *p == '.';
		if (!plain) {
			return false;
		}
	}
	return true;
}

static bool is_seqpacket(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET;
}

/* One child's request: its socket goes to its own user's manager. */
static void handle(asynctask_server_request_t *request, ssize_t n, const asynctask_peer_t *peer, int client)
{
	gid_t groups[GROUPS_MAX];
	int ngroups = 0;
	pid_t ppid = 0;
	uid_t uid = (uid_t) -1;
	const char *why = NULL;

	request->section[ASYNCTASK_SECTION_MAX - 1] = '\0';
	request->status_listen[ASYNCTASK_STATUS_LISTEN_MAX - 1] = '\0';
	request->status_token[ASYNCTASK_STATUS_TOKEN_MAX - 1] = '\0';
	if (n != (ssize_t) sizeof(*request) || request->magic != ASYNCTASK_SERVER_MAGIC
			|| request->version != ASYNCTASK_SERVER_VERSION || peer->pid <= 0 || !plain_section(request->section)) {
		if (sup.refused++ % 1000 == 0) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "request_refused",
				"the pool supervisor refused a malformed request (from pid %d)", (int) peer->pid);
		}
		return;
	}
	/* the child's groups, as the kernel has them, for its pool's processes */
	if (!read_status(peer->pid, &ppid, &uid, groups, &ngroups) || uid != peer->uid) {
		refuse(client, ESRCH, "the pool's supervisor cannot read this process's status");
		return;
	}
	if (!sup.master && ppid > 1) {
		sup.master = ppid;
	}
	if (sup.master_gone) {
		refuse(client, ESHUTDOWN, "the server's master is gone, or restarted: its asynctask pools are draining");
		return;
	}
	managed_t *m = pool_for(peer, request, groups, ngroups, &why);
	if (!m) {
		refuse(client, EAGAIN, why);
		return;
	}
	uint32_t magic = ASYNCTASK_SERVER_MAGIC;
	int err = asynctask_unixmsg_send(m->link, &magic, sizeof(magic), &client, 1, MSG_DONTWAIT);
	if (err != 0 && err != EAGAIN) {
		/* its manager died: a new one serves this child (the dead one is reaped) */
		close(m->link);
		m->link = -1;
		m = pool_for(peer, request, groups, ngroups, &why);
		err = m ? asynctask_unixmsg_send(m->link, &magic, sizeof(magic), &client, 1, MSG_DONTWAIT) : ESRCH;
	}
	if (err != 0) {
		refuse(client, err, why ? why : "the pool's manager is not answering");
	}
}

static void on_door(void)
{
	/* a bounded batch: the loop also has the lifeline and the reaping to see to */
	for (int i = 0; i < 64; i++) {
		asynctask_server_request_t request;
		asynctask_peer_t peer;
		int fds[ASYNCTASK_UNIXMSG_FDS_MAX], nfds;
		ssize_t n = asynctask_unixmsg_recv(sup.door, &request, sizeof(request), fds, ASYNCTASK_UNIXMSG_FDS_MAX,
			&nfds, &peer, MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EMSGSIZE) {
				asynctask_log_event(ASYNCTASK_LOG_ERROR, "supervisor_read_failed",
					"the pool supervisor cannot read requests: %s", strerror(errno));
			}
			if (errno != EMSGSIZE) {
				return;
			}
			continue;
		}
		if (nfds == 1 && is_seqpacket(fds[0])) {
			handle(&request, n, &peer, fds[0]);
		}
		asynctask_close_fds(fds, nfds);
	}
}

/* A manager that died (killed) left its runtime directory: a process of
 * its user, never root, removes it. */
static void remove_left(const managed_t *m)
{
	char error[512];

	if (!m->rundir[0]) {
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		if (asynctask_server_become(m->uid, m->gid, m->groups, m->ngroups, error, sizeof(error))) {
			asynctask_rundir_remove_left(m->rundir);
		}
		_exit(0);
	}
}

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < POOLS_MAX; i++) {
			managed_t *m = &sup.pools[i];
			if (m->pid != pid) {
				continue;
			}
			if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
				if (!sup.master_gone) {
					asynctask_log_event(ASYNCTASK_LOG_WARNING, "manager_exited",
						"the manager (pid %d) of the pool of %s section [%s] (uid %d) ended (status "
						"%d); the next request starts a new one", (int) pid, asynctask_server_master(), m->section,
						(int) m->uid, status);
				}
				remove_left(m);
			}
			if (m->link >= 0) {
				close(m->link);
			}
			memset(m, 0, sizeof(*m));
			m->link = -1;
		}
	}
}

static bool managers_left(void)
{
	for (int i = 0; i < POOLS_MAX; i++) {
		if (sup.pools[i].pid > 0) {
			return true;
		}
	}
	return false;
}

ZEND_NORETURN void asynctask_supervisor_run(int door, int lifeline)
{
	struct sigaction action = { .sa_handler = on_signal };
	sigset_t handled, waiting;
	struct timespec tick = { 0, TICK_MS * 1000000L };

	ASYNCTASK_G(in_pool_process) = true;
	asynctask_log_existing_only();
	asynctask_log_set_role("supervisor");
	prctl(PR_SET_NAME, "asynctask-sup");
	/* a terminal's ^C is the master's business */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	/* SIGTERM and SIGCHLD arrive only inside ppoll(), which they end */
	sigemptyset(&handled);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGCHLD);
	sigprocmask(SIG_BLOCK, &handled, &waiting);
	sigdelset(&waiting, SIGTERM);
	sigdelset(&waiting, SIGCHLD);
	sigemptyset(&action.sa_mask);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGCHLD, &action, NULL);

	sup.door = door;
	sup.lifeline = lifeline;
	for (int i = 0; i < POOLS_MAX; i++) {
		sup.pools[i].link = -1;
	}
	for (;;) {
		struct pollfd pfds[2] = { { .fd = sup.door, .events = POLLIN }, { .fd = sup.lifeline, .events = POLLIN } };
		int ready = ppoll(pfds, sup.master_gone ? 0 : 2, &tick, &waiting);

		if (terminated) {
			master_is_gone();
		}
		if (ready > 0 && !sup.master_gone) {
			if (pfds[1].revents) {
				char buf[64];
				ssize_t n = read(sup.lifeline, buf, sizeof(buf));
				if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
					master_is_gone();
				}
			}
			if (!sup.master_gone && (pfds[0].revents & POLLIN)) {
				on_door();
			}
		}
		reap();
		if (!sup.master_gone && sup.master && asynctask_process_gone(sup.master)) {
			master_is_gone();
		}
		if (sup.master_gone && (!managers_left() || asynctask_now_ns() >= sup.leave_by)) {
			_exit(0);
		}
	}
}
