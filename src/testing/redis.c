/*
 * AsyncTask\Testing\… functions of the Redis backend (test builds only,
 * --enable-asynctask-fault-injection): the HMAC, the wire codec and the
 * connection, reached from phpt tests without a pool.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#ifdef ASYNCTASK_FAULT_INJECTION

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/base/exceptions.h"
#include "src/codec/redis/hmac.h"
#include "src/codec/redis/wire.h"
#include "src/api/redis/secret.h"
#ifdef HAVE_ASYNCTASK_REDIS
# include "src/transport/redis/conn.h"
#endif

ZEND_FUNCTION(AsyncTask_Testing_hmacSha256)
{
	zend_string *key, *data;
	uint8_t mac[ASYNCTASK_HMAC_SIZE];

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_STR(key)
		Z_PARAM_STR(data)
	ZEND_PARSE_PARAMETERS_END();

	asynctask_hmac_sha256((const uint8_t *) ZSTR_VAL(key), ZSTR_LEN(key), (const uint8_t *) ZSTR_VAL(data),
		ZSTR_LEN(data), mac);
	RETURN_STRINGL((const char *) mac, sizeof(mac));
}

/* signingKey(): the raw key asynctask_secret_signing_key() gives for the
 * current asynctask.secret/secret_file and prefix; BackendException when
 * there is no usable secret. */
ZEND_FUNCTION(AsyncTask_Testing_signingKey)
{
	zend_string *error = NULL;
	const zend_string *key;

	ZEND_PARSE_PARAMETERS_NONE();

	if (!(key = asynctask_secret_signing_key(&error))) {
		zend_throw_exception(asynctask_ce_backend_exception, ZSTR_VAL(error), 0);
		zend_string_release(error);
		RETURN_THROWS();
	}
	RETURN_STRINGL(ZSTR_VAL(key), ZSTR_LEN(key));
}

/* --- wire ------------------------------------------------------------------ */

static zend_long long_field(HashTable *entry, const char *name, zend_long fallback)
{
	zval *v = zend_hash_str_find(entry, name, strlen(name));
	return v ? zval_get_long(v) : fallback;
}

/* A string field; NULL and a length of 0 when absent. */
static const char *string_field(HashTable *entry, const char *name, size_t *len)
{
	zval *v = zend_hash_str_find(entry, name, strlen(name));

	if (!v || Z_TYPE_P(v) != IS_STRING) {
		*len = 0;
		return NULL;
	}
	*len = Z_STRLEN_P(v);
	return Z_STRVAL_P(v);
}

static bool hex_to_id(const char *hex, size_t len, uint8_t id[ASYNCTASK_WIRE_ID_SIZE])
{
	if (len != 2 * ASYNCTASK_WIRE_ID_SIZE) {
		return false;
	}
	for (size_t i = 0; i < ASYNCTASK_WIRE_ID_SIZE; i++) {
		unsigned byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
			return false;
		}
		id[i] = (uint8_t) byte;
	}
	return true;
}

static asynctask_wire_kind_t kind_of(zend_string *name)
{
	return zend_string_equals_literal(name, "task") ? ASYNCTASK_WIRE_TASK
		: zend_string_equals_literal(name, "result") ? ASYNCTASK_WIRE_RESULT : 0;
}

/* wireEncode(['kind' => 'task', 'queue' => 'default', ...], $secret): the signed
 * bytes. Absent: id (a fresh random one), attempt 1, numbers 0, strings "". */
ZEND_FUNCTION(AsyncTask_Testing_wireEncode)
{
	HashTable *fields;
	zend_string *secret, *error = NULL, *bytes;
	asynctask_wire_entry_t e = {0};
	const char *id_hex, *kind;
	size_t id_len, kind_len;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_ARRAY_HT(fields)
		Z_PARAM_STR(secret)
	ZEND_PARSE_PARAMETERS_END();

	kind = string_field(fields, "kind", &kind_len);
	e.kind = kind && kind_len == 6 && memcmp(kind, "result", 6) == 0 ? ASYNCTASK_WIRE_RESULT
		: kind && kind_len == 4 && memcmp(kind, "task", 4) == 0 ? ASYNCTASK_WIRE_TASK : 0;
	e.flags = (uint16_t) long_field(fields, "flags", 0);
	e.attempt = (uint32_t) long_field(fields, "attempt", 1);
	e.timeout_ms = (uint32_t) long_field(fields, "timeout_ms", 0);
	e.dispatched_at_us = (uint64_t) long_field(fields, "dispatched_at_us", 0);
	e.queue = string_field(fields, "queue", &e.queue_len);
	e.node = string_field(fields, "node", &e.node_len);
	e.reply_key = string_field(fields, "reply_key", &e.reply_key_len);
	e.payload = string_field(fields, "payload", &e.payload_len);
	id_hex = string_field(fields, "id", &id_len);
	if (id_hex ? !hex_to_id(id_hex, id_len, e.id) : asynctask_wire_new_id(e.id) == FAILURE) {
		if (!EG(exception)) {
			zend_argument_value_error(1, "must have an \"id\" of 32 hex digits when it has one");
		}
		RETURN_THROWS();
	}
	bytes = asynctask_wire_encode(&e, secret, &error);
	if (!bytes) {
		zend_throw_exception(asynctask_ce_exception, ZSTR_VAL(error), 0);
		zend_string_release(error);
		RETURN_THROWS();
	}
	RETURN_NEW_STR(bytes);
}

/* wireDecode($bytes, 'task'|'result', $secret, ?$maxPayload): the fields, or
 * AsyncTask\Exception with the refusal. $maxPayload defaults to asynctask.max_payload. */
ZEND_FUNCTION(AsyncTask_Testing_wireDecode)
{
	zend_string *bytes, *kind, *secret, *error = NULL;
	zend_long max_payload = ASYNCTASK_G(max_payload);
	bool max_is_null = true;
	asynctask_wire_entry_t e;
	char id[2 * ASYNCTASK_WIRE_ID_SIZE + 1];

	ZEND_PARSE_PARAMETERS_START(3, 4)
		Z_PARAM_STR(bytes)
		Z_PARAM_STR(kind)
		Z_PARAM_STR(secret)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG_OR_NULL(max_payload, max_is_null)
	ZEND_PARSE_PARAMETERS_END();

	if (!kind_of(kind)) {
		zend_argument_value_error(2, "must be \"task\" or \"result\"");
		RETURN_THROWS();
	}
	if (max_is_null) {
		max_payload = ASYNCTASK_G(max_payload);
	}
	if (max_payload < 0) {
		zend_argument_value_error(4, "must be >= 0");
		RETURN_THROWS();
	}
	if (asynctask_wire_decode(ZSTR_VAL(bytes), ZSTR_LEN(bytes), kind_of(kind), (size_t) max_payload, secret, &e, &error)
			== FAILURE) {
		zend_throw_exception(asynctask_ce_exception, ZSTR_VAL(error), 0);
		zend_string_release(error);
		RETURN_THROWS();
	}
	asynctask_wire_id_hex(e.id, id);
	array_init(return_value);
	add_assoc_string(return_value, "kind", e.kind == ASYNCTASK_WIRE_TASK ? "task" : "result");
	add_assoc_long(return_value, "flags", e.flags);
	add_assoc_string(return_value, "id", id);
	add_assoc_long(return_value, "attempt", e.attempt);
	add_assoc_long(return_value, "timeout_ms", e.timeout_ms);
	add_assoc_long(return_value, "dispatched_at_us", (zend_long) e.dispatched_at_us);
	add_assoc_stringl(return_value, "queue", e.queue, e.queue_len);
	add_assoc_stringl(return_value, "node", e.node, e.node_len);
	add_assoc_stringl(return_value, "reply_key", e.reply_key, e.reply_key_len);
	add_assoc_stringl(return_value, "payload", e.payload, e.payload_len);
}

/* --- connection -------------------------------------------------------------- */

#ifdef HAVE_ASYNCTASK_REDIS
static void reply_to_zval(const redisReply *reply, zval *out)
{
	switch (reply->type) {
		case REDIS_REPLY_STRING:
		case REDIS_REPLY_STATUS:
			ZVAL_STRINGL(out, reply->str, reply->len);
			break;
		case REDIS_REPLY_INTEGER:
			ZVAL_LONG(out, (zend_long) reply->integer);
			break;
		case REDIS_REPLY_ARRAY:
			array_init_size(out, (uint32_t) reply->elements);
			for (size_t i = 0; i < reply->elements; i++) {
				zval element;
				reply_to_zval(reply->element[i], &element);
				add_next_index_zval(out, &element);
			}
			break;
		default:
			ZVAL_NULL(out);
	}
}

/* redisCommand('XADD', 'stream', '*', 'f', $bytes): the reply through this
 * process's connection to asynctask.backend, with its retries and errors. */
ZEND_FUNCTION(AsyncTask_Testing_redisCommand)
{
	zval *args;
	uint32_t argc;
	const char **argv;
	size_t *argv_len;
	redisReply *reply;

	ZEND_PARSE_PARAMETERS_START(1, -1)
		Z_PARAM_VARIADIC('+', args, argc)
	ZEND_PARSE_PARAMETERS_END();

	argv = emalloc(argc * sizeof(*argv));
	argv_len = emalloc(argc * sizeof(*argv_len));
	for (uint32_t i = 0; i < argc; i++) {
		if (Z_TYPE(args[i]) != IS_STRING) {
			efree(argv);
			efree(argv_len);
			zend_argument_type_error(i + 1, "must be of type string, %s given", zend_zval_type_name(&args[i]));
			RETURN_THROWS();
		}
		argv[i] = Z_STRVAL(args[i]);
		argv_len[i] = Z_STRLEN(args[i]);
	}
	reply = asynctask_redis_command((int) argc, argv, argv_len);
	efree(argv);
	efree(argv_len);
	if (!reply) {
		RETURN_THROWS();
	}
	reply_to_zval(reply, return_value);
	freeReplyObject(reply);
}
#endif

#endif
