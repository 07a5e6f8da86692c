/*
 * Remote errors in their wire form (remote_error.h): little-endian lengths
 * and numbers (byteorder.h).
 */
#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/byteorder.h"
#include "src/codec/remote_error.h"

static void put_string(smart_str *out, zend_string *s)
{
	char len[sizeof(uint32_t)];
	asynctask_le32_put(len, s ? (uint32_t) ZSTR_LEN(s) : UINT32_MAX);
	smart_str_appendl(out, len, sizeof(len));
	if (s) {
		smart_str_append(out, s);
	}
}

static void put_long(smart_str *out, zend_long value)
{
	char v[sizeof(int64_t)];
	asynctask_le_i64_put(v, (int64_t) value);
	smart_str_appendl(out, v, sizeof(v));
}

static void put_fields(smart_str *out, const asynctask_remote_error_t *error)
{
	put_string(out, error->remote_class);
	put_string(out, error->message);
	put_string(out, error->file);
	put_string(out, error->trace);
	put_long(out, error->code);
	put_long(out, error->line);
}

static void put_u32(smart_str *out, uint32_t value)
{
	char v[sizeof(uint32_t)];
	asynctask_le32_put(v, value);
	smart_str_appendl(out, v, sizeof(v));
}

void asynctask_remote_error_encode(const asynctask_remote_error_t *error, smart_str *out)
{
	uint32_t n = error->nprevious < ASYNCTASK_REMOTE_PREVIOUS_MAX ? error->nprevious : ASYNCTASK_REMOTE_PREVIOUS_MAX;

	put_fields(out, error);
	if (error->attempts > 1 || n > 0) {
		put_u32(out, error->attempts);
		put_u32(out, n);
		for (uint32_t i = 0; i < n; i++) {
			put_fields(out, &error->previous[i]);
		}
	}
	smart_str_0(out);
}

void asynctask_remote_error_encode_message(const char *message, smart_str *out)
{
	asynctask_remote_error_t error = {0};

	error.message = zend_string_init(message, strlen(message), 0);
	asynctask_remote_error_encode(&error, out);
	asynctask_remote_error_dtor(&error);
}

static bool get_string(const char **p, const char *end, zend_string **s)
{
	uint32_t len;
	if ((size_t) (end - *p) < sizeof(len)) {
		return false;
	}
	len = asynctask_le32_get(*p);
	*p += sizeof(len);
	if (len == UINT32_MAX) {
		*s = NULL;
		return true;
	}
	if ((size_t) (end - *p) < len) {
		return false;
	}
	*s = zend_string_init(*p, len, 0);
	*p += len;
	return true;
}

static bool get_long(const char **p, const char *end, zend_long *value)
{
	if ((size_t) (end - *p) < sizeof(int64_t)) {
		return false;
	}
	*value = (zend_long) asynctask_le_i64_get(*p);
	*p += sizeof(int64_t);
	return true;
}

static bool get_fields(const char **p, const char *end, asynctask_remote_error_t *error)
{
	return get_string(p, end, &error->remote_class) && get_string(p, end, &error->message)
		&& get_string(p, end, &error->file) && get_string(p, end, &error->trace)
		&& get_long(p, end, &error->code) && get_long(p, end, &error->line);
}

/* The optional attempts and `previous` chain after the fields. */
static bool get_trailer(const char **p, const char *end, asynctask_remote_error_t *error)
{
	if ((size_t) (end - *p) < 2 * sizeof(uint32_t)) {
		return true;  /* none: one attempt, no chain */
	}
	error->attempts = asynctask_le32_get(*p);
	uint32_t n = asynctask_le32_get(*p + 4);
	*p += 2 * sizeof(uint32_t);
	if (n > ASYNCTASK_REMOTE_PREVIOUS_MAX) {
		return false;
	}
	if (n) {
		error->previous = ecalloc(n, sizeof(*error->previous));
	}
	for (uint32_t i = 0; i < n; i++) {
		error->nprevious = i + 1;
		if (!get_fields(p, end, &error->previous[i])) {
			return false;
		}
	}
	return true;
}

bool asynctask_remote_error_decode(const char *data, size_t len, asynctask_remote_error_t *error)
{
	const char *p = data, *end = data + len;

	memset(error, 0, sizeof(*error));
	if (get_fields(&p, end, error) && get_trailer(&p, end, error)) {
		return true;
	}
	asynctask_remote_error_dtor(error);
	return false;
}
