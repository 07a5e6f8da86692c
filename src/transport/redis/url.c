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

/* host[:port][/db] or [v6]:port[/db] */
static bool parse_tcp(const char *s, asynctask_redis_url_t *url, char *error, size_t error_size)
{
	const char *host = s, *host_end, *p;

	url->kind = ASYNCTASK_BACKEND_REDIS_TCP;
	url->port = ASYNCTASK_REDIS_DEFAULT_PORT;
	if (*s == '[') {
		host = s + 1;
		host_end = strchr(host, ']');
		if (!host_end) {
			return refuse(error, error_size, "an IPv6 address needs its closing ']'");
		}
		for (p = host; p < host_end; p++) {
			if (!isxdigit((unsigned char) *p) && *p != ':' && *p != '.') {
				return refuse(error, error_size, "the IPv6 address has a character that is not a hex digit, ':' or '.'");
			}
		}
		p = host_end + 1;
	} else {
		for (p = host; host_char(*p); p++) {
		}
		host_end = p;
	}
	if (host_end == host) {
		return refuse(error, error_size, "the host is missing");
	}
	if ((size_t) (host_end - host) >= sizeof(url->host)) {
		return refuse(error, error_size, "the host is longer than %zu bytes", sizeof(url->host) - 1);
	}
	memcpy(url->host, host, (size_t) (host_end - host));
	url->host[host_end - host] = '\0';

	if (*p == ':') {
		const char *port = ++p;
		while (*p && *p != '/') {
			p++;
		}
		if (!parse_number(port, (size_t) (p - port), 1, 65535, &url->port)) {
			return refuse(error, error_size, "the port must be a number from 1 to 65535");
		}
	}
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
		return refuse(error, error_size, "redis-sentinel:// is not supported yet: name the master with redis:// or unix://");
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
	return refuse(error, error_size, "unknown scheme: expected \"\" (this machine), redis://[user:password@]host[:port][/db] "
		"or unix:///path/to/redis.sock");
}

bool asynctask_redis_url_is_remote(const char *value)
{
	return value && value[0] != '\0';
}

void asynctask_redis_url_redact(const char *value, char *out, size_t out_size)
{
	const char *scheme_end = strstr(value, "://");
	const char *authority = scheme_end ? scheme_end + 3 : value;
	const char *at = starts_with(value, SCHEME_UNIX) ? strstr(authority, "@/") : strrchr(authority, '@');
	const char *colon = at ? memchr(authority, ':', (size_t) (at - authority)) : NULL;

	if (!colon) {
		snprintf(out, out_size, "%s", value);
		return;
	}
	snprintf(out, out_size, "%.*s:***%s", (int) (colon - value), value, at);
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
		default:
			snprintf(out, out_size, "this machine");
	}
}
