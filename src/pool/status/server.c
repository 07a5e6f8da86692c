/*
 * The status endpoint's HTTP server (status.h): evhttp on the manager's
 * event base. Requests are small GETs answered at once from the shared
 * region; a client that sends too much or too slowly is cut off by evhttp's
 * limits and ours (conns.h: 64 connections at most, 10 s for a request),
 * and nothing it does can hold up the loop's tick, which enforces time
 * limits and respawns workers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/pool/status/conns.h"
#include "src/pool/status/status.h"

#define HEADERS_MAX       8192      /* a larger request header is refused (a 10 MB one included) */

static struct {
	struct evhttp    *http;
	asynctask_pool_t *pool;
	asynctask_status_addr_t addr;
	int               listen_fd;
	int               dir_fd;      /* unix: the socket's directory */
	char              name[108];   /* unix: the socket's name in it */
	ino_t             ino;         /* unix: the socket we made, removed only while it is there */
	bool              fpm;         /* a php-fpm section's manager (asynctask_status_for_section()) */
	char              section[64];
	char              listen[128]; /* the section's settings, which the globals then point to */
	char              token[256];
} status = { .listen_fd = -1, .dir_fd = -1 };

void asynctask_status_for_section(const char *section, const char *listen, const char *token)
{
	status.fpm = true;
	snprintf(status.section, sizeof(status.section), "%s", section[0] ? section : "?");
	if (!listen) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "status_refused", "asynctask.status_listen or "
			"asynctask.status_token of FPM section [%s] is too long (at most %zu and %zu bytes): its pool serves no "
			"status endpoint", status.section, sizeof(status.listen) - 1, sizeof(status.token) - 1);
		listen = token = "";
	}
	snprintf(status.listen, sizeof(status.listen), "%s", listen);
	snprintf(status.token, sizeof(status.token), "%s", token);
	ASYNCTASK_G(status_listen) = status.listen;
	ASYNCTASK_G(status_token) = status.token;
}

/* Compares in time that does not depend on where the two differ. */
static bool token_matches(const char *given, const char *expected)
{
	size_t n = strlen(expected), m = strlen(given);
	unsigned char diff = n != m;

	for (size_t i = 0; i < n; i++) {
		diff |= (unsigned char) expected[i] ^ (unsigned char) (i < m ? given[i] : 0);
	}
	return diff == 0;
}

static bool authorized(struct evhttp_request *req)
{
	const char *token = ASYNCTASK_G(status_token);
	const char *header;

	if (!token || !token[0]) {
		return true;
	}
	header = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	if (!header || strncasecmp(header, "Bearer ", 7) != 0) {
		return false;
	}
	header += 7;
	while (*header == ' ') {
		header++;
	}
	return token_matches(header, token);
}

static void reply(struct evhttp_request *req, int code, const char *reason, const char *type, struct evbuffer *body)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);

	evhttp_add_header(headers, "Content-Type", type);
	evhttp_add_header(headers, "Cache-Control", "no-store");
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(req, code, reason, body);
}

static void handle(struct evhttp_request *req, void *arg)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct evbuffer *body = evbuffer_new();
	(void) arg;

	asynctask_status_conns_request(evhttp_request_get_connection(req));
	if (!body) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if (!path) {
		path = "/";
	}
	if (strcmp(path, "/") == 0) {
		/* no data: the page asks for the token and sends it with its requests */
		evbuffer_add(body, asynctask_status_page, strlen(asynctask_status_page));
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Security-Policy",
			"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:");
		reply(req, HTTP_OK, "OK", "text/html; charset=utf-8", body);
	} else if (!authorized(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate", "Bearer realm=\"asynctask\"");
		evbuffer_add_printf(body, "asynctask.status_token is set: send it as Authorization: Bearer <token>\n");
		reply(req, 401, "Unauthorized", "text/plain; charset=utf-8", body);
	} else if (strcmp(path, "/metrics") == 0) {
		asynctask_status_metrics(status.pool, body);
		reply(req, HTTP_OK, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
	} else if (strcmp(path, "/api/stats") == 0) {
		asynctask_status_api_stats(status.pool, body);
		reply(req, HTTP_OK, "OK", "application/json", body);
	} else if (strcmp(path, "/api/failures") == 0) {
		asynctask_status_api_failures(status.pool, body);
		reply(req, HTTP_OK, "OK", "application/json", body);
	} else {
		evbuffer_add_printf(body, "not found: / /metrics /api/stats /api/failures\n");
		reply(req, HTTP_NOTFOUND, "Not Found", "text/plain; charset=utf-8", body);
	}
	evbuffer_free(body);
}

/* The socket's directory must be one nobody else can swap the socket in:
 * ours or root's, and not writable by others unless sticky (as /tmp). */
static bool open_socket_dir(const char *path, char *why, size_t why_size)
{
	char dir[sizeof(status.addr.path)];
	const char *slash = strrchr(path, '/');
	size_t len = slash == path ? 1 : (size_t) (slash - path);
	struct stat st;

	memcpy(dir, path, len);
	dir[len] = '\0';
	strcpy(status.name, slash + 1);
	status.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (status.dir_fd < 0 || fstat(status.dir_fd, &st) != 0) {
		snprintf(why, why_size, "cannot open its directory %s: %s", dir, strerror(errno));
		return false;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
		snprintf(why, why_size, "its directory %s is another user's, or others may write there (not sticky)", dir);
		return false;
	}
	return true;
}

/* A socket already there is removed only when it is ours and nobody
 * answers on it (a pool that was killed left it); anything else stays. */
static bool clear_stale_socket(const char *bind_path, char *why, size_t why_size)
{
	struct stat st;

	if (fstatat(status.dir_fd, status.name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return errno == ENOENT || (snprintf(why, why_size, "%s", strerror(errno)), false);
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		snprintf(why, why_size, "something that is not a socket of this user is there");
		return false;
	}
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, bind_path);
	bool live = probe >= 0 && connect(probe, (struct sockaddr *) &sa, sizeof(sa)) == 0;
	if (probe >= 0) {
		close(probe);
	}
	if (live) {
		snprintf(why, why_size, "another process serves on it");
		return false;
	}
	unlinkat(status.dir_fd, status.name, 0);
	return true;
}

/* Binds the unix socket in the directory we checked, by its fd (through
 * /proc/self/fd), so a directory swapped meanwhile is not where it lands;
 * mode 0600: only this user connects. */
static int listen_unix(char *why, size_t why_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd = -1;

	if (!open_socket_dir(status.addr.path, why, why_size)) {
		return -1;
	}
	if ((size_t) snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", status.dir_fd, status.name)
			>= sizeof(sa.sun_path)) {
		/* a long name: bind by its path (the directory was checked just now) */
		strcpy(sa.sun_path, status.addr.path);
	}
	if (!clear_stale_socket(sa.sun_path, why, why_size)) {
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	mode_t old = umask(0177);
	int bound = fd >= 0 ? bind(fd, (struct sockaddr *) &sa, sizeof(sa)) : -1;
	umask(old);
	if (bound != 0 || listen(fd, 64) != 0 || fstatat(status.dir_fd, status.name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	status.ino = st.st_ino;
	return fd;
}

void asynctask_status_start(struct event_base *base, asynctask_pool_t *pool)
{
	char why[256] = "";
	struct evhttp_bound_socket *bound = NULL;

	if (!asynctask_status_listen_parse(ASYNCTASK_G(status_listen), &status.addr, why, sizeof(why))) {
		if (why[0]) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "status_refused",
				"asynctask.status_listen=%s refused: %s", ASYNCTASK_G(status_listen), why);
		}
		return;
	}
	status.pool = pool;
	status.http = evhttp_new(base);
	if (!status.http) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "status_failed",
			"the status endpoint cannot start (evhttp_new failed)");
		return;
	}
	if (!asynctask_status_conns_start(base, status.http)) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "status_failed", "the status endpoint cannot start (out of memory)");
		asynctask_status_stop();
		return;
	}
	evhttp_set_timeout(status.http, ASYNCTASK_STATUS_REQUEST_S);
	evhttp_set_max_headers_size(status.http, HEADERS_MAX);
	evhttp_set_max_body_size(status.http, 0);
	evhttp_set_allowed_methods(status.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(status.http, handle, NULL);
	if (status.addr.unix_socket) {
		int fd = listen_unix(why, sizeof(why));
		if (fd >= 0 && !(bound = evhttp_accept_socket_with_handle(status.http, fd))) {
			close(fd);
			snprintf(why, sizeof(why), "evhttp refused the socket");
		}
	} else {
		bound = evhttp_bind_socket_with_handle(status.http, status.addr.host, status.addr.port);
		if (!bound) {
			snprintf(why, sizeof(why), "%s", strerror(errno));
		}
	}
	if (!bound && status.fpm) {
		/* php.ini's one address, which every section's pool tries: the first takes it */
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "status_not_listening",
			"the pool of FPM section [%s] serves no status endpoint: it cannot listen on %s: %s. Each FPM "
			"section's pool serves its own endpoint: give each section its own address "
			"(php_admin_value[asynctask.status_listen] in its pool's configuration), or \"\" for none",
			status.section, ASYNCTASK_G(status_listen), why);
		asynctask_status_stop();
		return;
	}
	if (!bound) {
		asynctask_log_event(ASYNCTASK_LOG_WARNING, "status_not_listening",
			"the status endpoint cannot listen on %s: %s", ASYNCTASK_G(status_listen), why);
		asynctask_status_stop();
		return;
	}
	if (status.fpm) {
		asynctask_log_event(ASYNCTASK_LOG_NOTICE, "status_listening",
			"the pool of FPM section [%s] serves its status endpoint on %s", status.section, ASYNCTASK_G(status_listen));
	}
	status.listen_fd = evhttp_bound_socket_get_fd(bound);
	asynctask_status_conns_listen(bound);
}

/* Whether fd is a socket of the endpoint: its listening socket, or a
 * connection it accepted (whose local address is the listening one's). */
static bool endpoint_socket(int fd, const struct sockaddr_storage *ours, socklen_t ours_len)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	if (fd == status.listen_fd) {
		return true;
	}
	if (getsockname(fd, (struct sockaddr *) &sa, &len) != 0 || len != ours_len) {
		return false;
	}
	return memcmp(&sa, ours, len) == 0;
}

void asynctask_status_close_in_child(void)
{
	struct sockaddr_storage ours;
	socklen_t ours_len = sizeof(ours);
	DIR *fds;
	struct dirent *entry;
	int close_these[256], n = 0;

	if (status.listen_fd < 0) {
		return;
	}
	if (getsockname(status.listen_fd, (struct sockaddr *) &ours, &ours_len) != 0) {
		ours_len = 0;
	}
	fds = opendir("/proc/self/fd");
	while (fds && (entry = readdir(fds)) != NULL && n < (int) (sizeof(close_these) / sizeof(close_these[0]))) {
		int fd = atoi(entry->d_name);
		if (entry->d_name[0] != '.' && fd > 2 && fd != dirfd(fds) && endpoint_socket(fd, &ours, ours_len)) {
			close_these[n++] = fd;
		}
	}
	if (fds) {
		closedir(fds);
	}
	for (int i = 0; i < n; i++) {
		close(close_these[i]);
	}
	if (status.dir_fd >= 0) {
		close(status.dir_fd);
	}
	/* the manager's structures stay allocated (the worker exits with _exit()) */
	status.listen_fd = status.dir_fd = -1;
	status.http = NULL;
}

void asynctask_status_stop(void)
{
	struct stat st;

	if (status.http) {
		asynctask_status_conns_unlisten();
		evhttp_free(status.http);
		status.http = NULL;
	}
	asynctask_status_conns_stop();
	status.listen_fd = -1;
	if (status.dir_fd >= 0) {
		if (status.ino && fstatat(status.dir_fd, status.name, &st, AT_SYMLINK_NOFOLLOW) == 0
				&& S_ISSOCK(st.st_mode) && st.st_ino == status.ino) {
			unlinkat(status.dir_fd, status.name, 0);
		}
		close(status.dir_fd);
		status.dir_fd = -1;
	}
}
