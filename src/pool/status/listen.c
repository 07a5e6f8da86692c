/*
 * asynctask.status_listen's values (status.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/pool/status/status.h"

/* Only loopback: the endpoint speaks plain HTTP, so its token would cross
 * the network in the clear; put a TLS proxy in front to reach it from away. */
static bool loopback(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, host, &v4) == 1) {
		return (ntohl(v4.s_addr) >> 24) == 127;
	}
	if (inet_pton(AF_INET6, host, &v6) == 1) {
		return IN6_IS_ADDR_LOOPBACK(&v6);
	}
	return false;
}

bool asynctask_status_listen_parse(const char *value, asynctask_status_addr_t *addr, char *why, size_t why_size)
{
	memset(addr, 0, sizeof(*addr));
	why[0] = '\0';
	if (!value || !value[0]) {
		return false;
	}
	if (strncmp(value, "unix:", 5) == 0) {
		const char *path = value + 5;
		const char *slash = strrchr(path, '/');
		if (path[0] != '/' || strlen(path) >= sizeof(addr->path) || !slash[1]
				|| strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0) {
			snprintf(why, why_size, "unix: needs an absolute path of a socket, shorter than %zu bytes",
				sizeof(addr->path));
			return false;
		}
		addr->unix_socket = true;
		strcpy(addr->path, path);
		return true;
	}
	const char *colon = strrchr(value, ':');
	char host[sizeof(addr->host)];
	size_t host_len = colon ? (size_t) (colon - value) : 0;
	char *end;

	if (!colon || host_len == 0 || host_len >= sizeof(host)) {
		snprintf(why, why_size, "expected 127.0.0.1:PORT, [::1]:PORT or unix:/path");
		return false;
	}
	memcpy(host, value, host_len);
	host[host_len] = '\0';
	if (host[0] == '[' && host[host_len - 1] == ']') {
		memmove(host, host + 1, host_len - 2);
		host[host_len - 2] = '\0';
	} else if (strcmp(host, "localhost") == 0) {
		strcpy(host, "127.0.0.1");
	}
	long port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535) {
		snprintf(why, why_size, "the port must be from 1 to 65535");
		return false;
	}
	if (!loopback(host)) {
		snprintf(why, why_size, "only a loopback address (127.0.0.0/8, ::1) or a unix socket: the endpoint "
			"speaks plain HTTP, put a TLS proxy in front to reach it from another machine");
		return false;
	}
	strcpy(addr->host, host);
	addr->port = (uint16_t) port;
	return true;
}
