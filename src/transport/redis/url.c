/*
 * asynctask.backend parsed: see url.h for the accepted forms.
 *
 * Strict on purpose: a value that is not exactly one of the documented forms
 * is refused with the reason, rather than guessed at, because a guess that
 * falls back to the local pool would run tasks on the wrong machine.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/transport/redis/url.h"

#define SCHEME_TCP      "redis://"
#define SCHEME_UNIX     "unix://"
#define SCHEME_SENTINEL "redis-sentinel://"
#define SCHEME_TLS      "rediss://"
#define DB_MAX          9999   /* Redis' `databases` is 16 by default; anything larger is surely a typo */

static bool refuse(char *error, size_t error_size, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(error, error_size, format, args);
	va_end(args);
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Percent-decodes [from, from + len) into out; false when malformed, too long
 * or decoding to a NUL (which could not travel in a C string). */
static bool decode_component(const char *from, size_t len, char *out, size_t out_size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = from[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len) {   /* '%' needs two hex digits after it */
				return false;
			}
			hi = hex_digit(from[i + 1]);
			lo = hex_digit(from[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				return false;
			}
			c = (char) (hi << 4 | lo);
			i += 2;
		}
		if (n + 1 >= out_size) {
			return false;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

/* "user:password", ":password" (Redis' default user) */
static bool parse_userinfo(const char *from, size_t len, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	const char *colon = memchr(from, ':', len);

	if (!colon) {
		return refuse(error, error_size, "a user needs a password: write user:password@ (or :password@ for "
			"Redis' default user)");
	}
	if (!decode_component(from, (size_t) (colon - from), url->user, sizeof(url->user))) {
		return refuse(error, error_size, "the user name is malformed or longer than %zu bytes "
			"(percent-encode '@', ':' and '/')", sizeof(url->user) - 1);
	}
	if (!decode_component(colon + 1, len - (size_t) (colon - from) - 1, url->password, sizeof(url->password))) {
		return refuse(error, error_size, "the password is malformed or longer than %zu bytes "
			"(percent-encode '%%', '@', ':' and '/')", sizeof(url->password) - 1);
	}
	if (url->password[0] == '\0') {
		return refuse(error, error_size, "the password is empty");
	}
	return true;
}

/* Digits only, within [min, max]. */
static bool parse_number(const char *from, size_t len, long min, long max, int *out)
{
	long n = 0;

	if (len == 0 || len > 9) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char) from[i])) {
			return false;
		}
		n = n * 10 + (from[i] - '0');
	}
	if (n < min || n > max) {
		return false;
	}
	*out = (int) n;
	return true;
}

static bool host_char(char c)
{
	return isalnum((unsigned char) c) || c == '.' || c == '-' || c == '_';
}

/* host[:port] or [v6][:port] in [s, end) into *addr. Returns NULL with
 * `error` set, or where it stopped: `end`, or the first character after the
 * host that is not ':' (the caller names what it expected there). */
static const char *parse_addr(const char *s, const char *end, asynctask_redis_addr_t *addr, int default_port,
	char *error, size_t error_size)
{
	const char *host = s, *host_end, *p;

	addr->port = default_port;
	if (s < end && *s == '[') {
		host = s + 1;
		host_end = memchr(host, ']', (size_t) (end - host));
		if (!host_end) {
			refuse(error, error_size, "an IPv6 address needs its closing ']'");
			return NULL;
		}
		for (p = host; p < host_end; p++) {
			if (!isxdigit((unsigned char) *p) && *p != ':' && *p != '.') {
				refuse(error, error_size, "the IPv6 address has a character that is not a hex digit, ':' or '.'");
				return NULL;
			}
		}
		p = host_end + 1;
	} else {
		for (p = host; p < end && host_char(*p); p++) {
		}
		host_end = p;
	}
	if (host_end == host) {
		refuse(error, error_size, "the host is missing");
		return NULL;
	}
	if ((size_t) (host_end - host) >= sizeof(addr->host)) {
		refuse(error, error_size, "the host is longer than %zu bytes", sizeof(addr->host) - 1);
		return NULL;
	}
	memcpy(addr->host, host, (size_t) (host_end - host));
	addr->host[host_end - host] = '\0';

	if (p < end && *p == ':') {
		const char *port = ++p;
		p = end;
		if (!parse_number(port, (size_t) (p - port), 1, 65535, &addr->port)) {
			refuse(error, error_size, "the port must be a number from 1 to 65535");
			return NULL;
		}
	}
	return p;
}

/* host[:port][/db] or [v6]:port[/db] */
static bool parse_tcp(const char *s, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	asynctask_redis_addr_t addr;
	const char *slash = strchr(s, '/');
	const char *p = parse_addr(s, slash ? slash : s + strlen(s), &addr, ASYNCTASK_REDIS_DEFAULT_PORT, error, error_size);

	url->kind = ASYNCTASK_BACKEND_REDIS_TCP;
	if (!p) {
		return false;
	}
	memcpy(url->host, addr.host, sizeof(url->host));
	url->port = addr.port;
	if (*p == '/') {
		const char *db = ++p;
		p += strlen(p);
		if (p > db && !parse_number(db, (size_t) (p - db), 0, DB_MAX, &url->db)) {
			return refuse(error, error_size, "the database after '/' must be a number from 0 to %d "
				"(query options are not supported)", DB_MAX);
		}
	}
	if (*p != '\0') {
		return refuse(error, error_size, "unexpected \"%s\" after the host (expected :port or /db)", p);
	}
	return true;
}

/* The master's name as Sentinel knows it (its `sentinel monitor` line):
 * letters, digits and - _ . (no space, no percent-encoding to undo). */
static bool master_name_char(char c)
{
	return isalnum((unsigned char) c) || c == '-' || c == '_' || c == '.';
}

/* db=N and sentinel_password=P, '&'-separated, each at most once. */
static bool parse_sentinel_query(const char *q, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	bool seen_db = false, seen_password = false;

	while (*q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t) (amp - q) : strlen(q);

		if (len > 3 && starts_with(q, "db=") && !seen_db) {
			if (!parse_number(q + 3, len - 3, 0, DB_MAX, &url->db)) {
				return refuse(error, error_size, "db= must be a number from 0 to %d", DB_MAX);
			}
			seen_db = true;
		} else if (len > 18 && starts_with(q, "sentinel_password=") && !seen_password) {
			if (!decode_component(q + 18, len - 18, url->sentinel_password, sizeof(url->sentinel_password))) {
				return refuse(error, error_size, "sentinel_password is malformed or longer than %zu bytes "
					"(percent-encode '%%' and '&')", sizeof(url->sentinel_password) - 1);
			}
			seen_password = true;
		} else {
			return refuse(error, error_size, "the options after the master's name are db=N and "
				"sentinel_password=P, each once and not empty");
		}
		q += len + (amp ? 1 : 0);
		if (amp && *q == '\0') {
			return refuse(error, error_size, "an option after the master's name is empty");
		}
	}
	return true;
}

/* host[:port][,host[:port]...]/master-name[?db=N][&sentinel_password=P] */
static bool parse_sentinel(const char *s, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	const char *slash = strchr(s, '/'), *p = s, *name, *name_end;

	url->kind = ASYNCTASK_BACKEND_REDIS_SENTINEL;
	if (!slash) {
		return refuse(error, error_size, "the master's name is missing: redis-sentinel://host:port[,host:port]/master-name");
	}
	while (p < slash) {
		const char *comma = memchr(p, ',', (size_t) (slash - p));
		const char *item_end = comma ? comma : slash, *stop;

		if (url->sentinel_count == ASYNCTASK_REDIS_SENTINELS_MAX) {
			return refuse(error, error_size, "more than %d Sentinels", ASYNCTASK_REDIS_SENTINELS_MAX);
		}
		stop = parse_addr(p, item_end, &url->sentinels[url->sentinel_count], ASYNCTASK_REDIS_SENTINEL_DEFAULT_PORT,
			error, error_size);
		if (!stop) {
			return false;
		}
		if (stop != item_end) {
			return refuse(error, error_size, "unexpected \"%.*s\" after a Sentinel's host (expected :port, ',' or "
				"/master-name)", (int) (item_end - stop), stop);
		}
		url->sentinel_count++;
		p = item_end + (comma ? 1 : 0);
		if (comma && p == slash) {
			return refuse(error, error_size, "the host is missing");
		}
	}
	if (url->sentinel_count == 0) {
		return refuse(error, error_size, "the host is missing");
	}
	name = slash + 1;
	for (name_end = name; master_name_char(*name_end); name_end++) {
	}
	if (name_end == name) {
		return refuse(error, error_size, "the master's name is missing: redis-sentinel://host:port[,host:port]/master-name");
	}
	if ((size_t) (name_end - name) >= sizeof(url->master_name)) {
		return refuse(error, error_size, "the master's name is longer than %zu bytes", sizeof(url->master_name) - 1);
	}
	memcpy(url->master_name, name, (size_t) (name_end - name));
	url->master_name[name_end - name] = '\0';
	if (*name_end == '?') {
		return parse_sentinel_query(name_end + 1, url, error, error_size);
	}
	if (*name_end != '\0') {
		return refuse(error, error_size, "unexpected \"%s\" after the master's name (letters, digits, - _ . then "
			"?db=N or ?sentinel_password=P)", name_end);
	}
	return true;
}

/* /path/to/redis.sock[?db=N] */
static bool parse_unix(const char *s, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	const char *query = strchr(s, '?');
	size_t len = query ? (size_t) (query - s) : strlen(s);

	url->kind = ASYNCTASK_BACKEND_REDIS_UNIX;
	if (*s != '/') {
		return refuse(error, error_size, "a unix socket needs an absolute path: unix:///path/to/redis.sock");
	}
	if (len >= sizeof(url->path)) {
		return refuse(error, error_size, "the socket path is longer than %zu bytes (the limit of a unix socket's "
			"address)", sizeof(url->path) - 1);
	}
	memcpy(url->path, s, len);
	url->path[len] = '\0';
	if (query) {
		if (!starts_with(query, "?db=") || !parse_number(query + 4, strlen(query + 4), 0, DB_MAX, &url->db)) {
			return refuse(error, error_size, "the only option after the socket path is ?db=N (N from 0 to %d)", DB_MAX);
		}
	}
	return true;
}

bool asynctask_redis_url_parse(const char *value, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	const char *rest, *at;

	memset(url, 0, sizeof(*url));
	error[0] = '\0';
	if (value[0] == '\0') {
		url->kind = ASYNCTASK_BACKEND_LOCAL;
		return true;
	}
	if (starts_with(value, SCHEME_SENTINEL)) {
		rest = value + strlen(SCHEME_SENTINEL);
		/* credentials end at the last '@' before the first '/' (the master's
		 * name's): a raw '@' may sit in a password, a '/' must be encoded */
		{
			const char *slash = strchr(rest, '/');
			size_t len = slash ? (size_t) (slash - rest) : strlen(rest);
			at = NULL;
			for (size_t i = 0; i < len; i++) {
				if (rest[i] == '@') {
					at = rest + i;
				}
			}
		}
		if (at && !parse_userinfo(rest, (size_t) (at - rest), url, error, error_size)) {
			return false;
		}
		return parse_sentinel(at ? at + 1 : rest, url, error, error_size);
	}
	if (starts_with(value, SCHEME_TLS)) {
		return refuse(error, error_size, "rediss:// (TLS) is not supported: use a unix socket or a private network");
	}
	if (starts_with(value, SCHEME_TCP)) {
		rest = value + strlen(SCHEME_TCP);
		/* the last '@': a host, port or db never holds one, a password may */
		at = strrchr(rest, '@');
		if (at && !parse_userinfo(rest, (size_t) (at - rest), url, error, error_size)) {
			return false;
		}
		return parse_tcp(at ? at + 1 : rest, url, error, error_size);
	}
	if (starts_with(value, SCHEME_UNIX)) {
		rest = value + strlen(SCHEME_UNIX);
		/* credentials end where the absolute path begins: "user:password@/path" */
		at = rest[0] == '/' ? NULL : strstr(rest, "@/");
		if (rest[0] != '/' && !at) {
			return refuse(error, error_size, "a unix socket needs an absolute path: unix:///path/to/redis.sock");
		}
		if (at && !parse_userinfo(rest, (size_t) (at - rest), url, error, error_size)) {
			return false;
		}
		return parse_unix(at ? at + 1 : rest, url, error, error_size);
	}
	return refuse(error, error_size, "unknown scheme: expected \"\" (this machine), redis://[user:password@]host[:port][/db], "
		"unix:///path/to/redis.sock or redis-sentinel://host:port[,host:port]/master-name");
}

bool asynctask_redis_url_is_remote(const char *value)
{
	return value && value[0] != '\0';
}

/* redis-sentinel://: the userinfo ends at the last '@' before the first '/';
 * sentinel_password's value ends at '&' or the end. */
static void redact_sentinel(const char *value, char *out, size_t out_size)
{
	const char *authority = value + strlen(SCHEME_SENTINEL), *slash = strchr(authority, '/');
	const char *at = NULL, *colon = NULL, *rest, *option = NULL;
	size_t n;

	for (const char *p = authority; *p && (!slash || p < slash); p++) {
		if (*p == '@') {
			at = p;
		}
	}
	if (at) {
		colon = memchr(authority, ':', (size_t) (at - authority));
	}
	rest = at ? at : authority;
	for (const char *p = strstr(rest, "sentinel_password="); p; p = strstr(p + 1, "sentinel_password=")) {
		if (p[-1] == '?' || p[-1] == '&') {
			option = p + strlen("sentinel_password=");
			break;
		}
	}
	if (colon) {
		n = (size_t) snprintf(out, out_size, "%.*s:***", (int) (colon - value), value);
	} else {
		n = (size_t) snprintf(out, out_size, "%.*s", (int) (rest - value), value);
	}
	if (n >= out_size) {
		return;
	}
	if (option) {
		const char *amp = strchr(option, '&');
		n += (size_t) snprintf(out + n, out_size - n, "%.*s***", (int) (option - rest), rest);
		if (n < out_size && amp) {
			snprintf(out + n, out_size - n, "%s", amp);
		}
	} else {
		snprintf(out + n, out_size - n, "%s", rest);
	}
}

void asynctask_redis_url_redact(const char *value, char *out, size_t out_size)
{
	const char *scheme_end = strstr(value, "://");
	const char *authority = scheme_end ? scheme_end + 3 : value;
	const char *at, *colon;

	if (starts_with(value, SCHEME_SENTINEL)) {
		redact_sentinel(value, out, out_size);
		return;
	}
	at = starts_with(value, SCHEME_UNIX) ? strstr(authority, "@/") : strrchr(authority, '@');
	colon = at ? memchr(authority, ':', (size_t) (at - authority)) : NULL;
	if (!colon) {
		snprintf(out, out_size, "%s", value);
		return;
	}
	snprintf(out, out_size, "%.*s:***%s", (int) (colon - value), value, at);
}

void asynctask_redis_addr_describe(const asynctask_redis_addr_t *addr, char *out, size_t out_size)
{
	snprintf(out, out_size, strchr(addr->host, ':') ? "[%s]:%d" : "%s:%d", addr->host, addr->port);
}

void asynctask_redis_url_describe(const asynctask_redis_url_t *url, char *out, size_t out_size)
{
	switch (url->kind) {
		case ASYNCTASK_BACKEND_REDIS_TCP:
			snprintf(out, out_size, strchr(url->host, ':') ? "[%s]:%d" : "%s:%d", url->host, url->port);
			break;
		case ASYNCTASK_BACKEND_REDIS_UNIX:
			snprintf(out, out_size, "%s", url->path);
			break;
		case ASYNCTASK_BACKEND_REDIS_SENTINEL: {
			size_t n = (size_t) snprintf(out, out_size, "master '%s' of the Sentinels at ", url->master_name);
			for (int i = 0; i < url->sentinel_count && n < out_size; i++) {
				char addr[300];
				asynctask_redis_addr_describe(&url->sentinels[i], addr, sizeof(addr));
				n += (size_t) snprintf(out + n, out_size - n, "%s%s", i ? "," : "", addr);
			}
			break;
		}
		default:
			snprintf(out, out_size, "this machine");
	}
}
