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

void asynctask_remote_error_encode(const asynctask_remote_error_t *error, smart_str *out)
{
	put_string(out, error->remote_class);
	put_string(out, error->message);
	put_string(out, error->file);
	put_string(out, error->trace);
	put_long(out, error->code);
	put_long(out, error->line);
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

bool asynctask_remote_error_decode(const char *data, size_t len, asynctask_remote_error_t *error)
{
	const char *p = data, *end = data + len;

	memset(error, 0, sizeof(*error));
	if (get_string(&p, end, &error->remote_class) && get_string(&p, end, &error->message)
		&& get_string(&p, end, &error->file) && get_string(&p, end, &error->trace)
		&& get_long(&p, end, &error->code) && get_long(&p, end, &error->line)) {
		return true;
	}
	asynctask_remote_error_dtor(error);
	return false;
}
