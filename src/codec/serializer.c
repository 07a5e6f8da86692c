/*
 * Values crossing a process boundary.
 */
#include "php.h"
#include "zend_exceptions.h"
#include "zend_closures.h"
#include "zend_generators.h"
#include "zend_interfaces.h"
#include "ext/standard/php_var.h"

#include "php_asynctask.h"
#include "src/codec/serializer.h"
#include "src/codec/compact.h"
#include "src/base/exceptions.h"

/* How deep the refusal walk follows arrays and objects before it trusts the serializer. */
#define VALUE_CHECK_MAX_DEPTH 64

bool asynctask_serializer_name_valid(const char *name)
{
	return strcmp(name, "php") == 0 || strcmp(name, "igbinary") == 0;
}

static bool use_igbinary(void)
{
	return strcmp(ASYNCTASK_G(serializer), "igbinary") == 0;
}

/* Calls a PHP function of the igbinary extension by name. */
static zend_result call_igbinary(const char *name, zval *arg, zval *retval)
{
	ZVAL_UNDEF(retval);
	zend_function *fn = zend_hash_str_find_ptr(EG(function_table), name, strlen(name));
	if (!fn) {
		asynctask_throw(asynctask_ce_serialization_exception,
			"asynctask.serializer=igbinary but the igbinary extension is not loaded");
		return FAILURE;
	}
	zend_call_known_function(fn, NULL, NULL, retval, 1, arg, NULL);
	return EG(exception) ? FAILURE : SUCCESS;
}

/* Turns whatever the serializer threw into a SerializationException naming
 * `what` and what could not be done to it ("serialized", "unserialized"). */
static void rethrow_as_serialization(const char *what, const char *done)
{
	zend_object *previous = EG(exception);
	zend_string *message = NULL;

	if (previous) {
		zval rv;
		zval *msg = zend_read_property(zend_get_exception_base(previous), previous,
			"message", sizeof("message") - 1, 1, &rv);
		if (Z_TYPE_P(msg) == IS_STRING) {
			message = zend_string_copy(Z_STR_P(msg));
		}
		if (instanceof_function(previous->ce, asynctask_ce_serialization_exception)) {
			if (message) zend_string_release(message);
			return;
		}
		zend_clear_exception();
	}
	asynctask_throw(asynctask_ce_serialization_exception, "%s cannot be %s: %s",
		what, done, message ? ZSTR_VAL(message) : "the serializer failed");
	if (message) zend_string_release(message);
}

static bool igbinary_missing(void)
{
	if (use_igbinary() && !zend_hash_str_exists(EG(function_table), "igbinary_serialize", sizeof("igbinary_serialize") - 1)) {
		asynctask_throw(asynctask_ce_serialization_exception,
			"asynctask.serializer=igbinary but the igbinary extension is not loaded");
		return true;
	}
	return false;
}

zend_result asynctask_serialize(zval *value, smart_str *out, const char *what)
{
	/* a misconfiguration is reported whatever the value, not only for the ones that need the serializer */
	if (igbinary_missing()) {
		return FAILURE;
	}
	if (asynctask_compact_encode(value, out)) {
		return SUCCESS;
	}
	if (use_igbinary()) {
		zval encoded;
		if (call_igbinary("igbinary_serialize", value, &encoded) == FAILURE || Z_TYPE(encoded) != IS_STRING) {
			zval_ptr_dtor(&encoded);
			rethrow_as_serialization(what, "serialized");
			return FAILURE;
		}
		smart_str_append(out, Z_STR(encoded));
		zval_ptr_dtor(&encoded);
		return SUCCESS;
	}

	return asynctask_serialize_php(value, out, what);
}

zend_result asynctask_serialize_php(zval *value, smart_str *out, const char *what)
{
	php_serialize_data_t var_hash;
	PHP_VAR_SERIALIZE_INIT(var_hash);
	php_var_serialize(out, value, &var_hash);
	PHP_VAR_SERIALIZE_DESTROY(var_hash);
	if (EG(exception)) {
		rethrow_as_serialization(what, "serialized");
		return FAILURE;
	}
	return SUCCESS;
}

zend_result asynctask_unserialize(const char *buf, size_t len, zval *out)
{
	ZVAL_UNDEF(out);

	if (len > 0 && buf[0] == ASYNCTASK_COMPACT_MAGIC) {
		if (asynctask_compact_decode(buf, len, out)) {
			return SUCCESS;
		}
		asynctask_throw(asynctask_ce_serialization_exception, "a received value is corrupt: "
			"its compact encoding (%zu bytes) does not decode", len);
		return FAILURE;
	}

	if (use_igbinary()) {
		zval encoded;
		ZVAL_STRINGL(&encoded, buf, len);
		zend_result ok = call_igbinary("igbinary_unserialize", &encoded, out);
		zval_ptr_dtor(&encoded);
		if (ok == FAILURE) {
			zval_ptr_dtor(out);
			ZVAL_UNDEF(out);
			rethrow_as_serialization("a received value", "unserialized");
			return FAILURE;
		}
		return SUCCESS;
	}
	return asynctask_unserialize_php(buf, len, out, true);
}

zend_result asynctask_unserialize_php(const char *buf, size_t len, zval *out, bool objects)
{
	ZVAL_UNDEF(out);

	const unsigned char *p = (const unsigned char *) buf;
	const unsigned char *end = p + len;
	php_unserialize_data_t var_hash;
	PHP_VAR_UNSERIALIZE_INIT(var_hash);
	HashTable no_classes;
	if (!objects) {
		/* objects decode as __PHP_Incomplete_Class: no class's code runs */
		zend_hash_init(&no_classes, 0, NULL, NULL, 0);
		php_var_unserialize_set_allowed_classes(var_hash, &no_classes);
	}
	zval *tmp = var_tmp_var(&var_hash);
	bool ok = php_var_unserialize(tmp, &p, end, &var_hash) && p == end;
	if (ok) {
		ZVAL_COPY(out, tmp);
	}
	PHP_VAR_UNSERIALIZE_DESTROY(var_hash);
	if (!objects) {
		zend_hash_destroy(&no_classes);
	}
	if (!ok || EG(exception)) {
		if (!Z_ISUNDEF_P(out)) {
			zval_ptr_dtor(out);
			ZVAL_UNDEF(out);
		}
		if (EG(exception)) {
			rethrow_as_serialization("a received value", "unserialized");
		} else {
			asynctask_throw(asynctask_ce_serialization_exception,
				"a received value is corrupt: it failed to unserialize at byte %zu of %zu",
				(size_t) (p - (const unsigned char *) buf), len);
		}
		return FAILURE;
	}
	return SUCCESS;
}

/* Which way the value would travel, for the message. */
static const char *direction = "to a worker";

/* With path NULL (the quick first pass, see check_value()) nothing is thrown. */
static zend_result refuse(const char *what, smart_str *path, const char *reason)
{
	if (!path) {
		return FAILURE;
	}
	const char *where = path->s ? ZSTR_VAL(path->s) : "";
	asynctask_throw(asynctask_ce_serialization_exception, "%s%s%s cannot be sent %s: %s",
		what, where[0] ? " at " : "", where, direction, reason);
	return FAILURE;
}

/* A class decides its own encoding when it has __serialize, __sleep or Serializable. */
static bool encodes_itself(zend_class_entry *ce)
{
	return ce->__serialize != NULL || ce->serialize != NULL
		|| zend_hash_str_exists(&ce->function_table, "__sleep", sizeof("__sleep") - 1);
}

static zend_result check(zval *value, const char *what, smart_str *path, int depth);

static zend_result check_table(HashTable *ht, const char *what, smart_str *path, int depth)
{
	zend_string *key;
	zend_ulong index;
	zval *item;
	zend_result result = SUCCESS;
	size_t mark = path && path->s ? ZSTR_LEN(path->s) : 0;

	ZEND_HASH_FOREACH_KEY_VAL_IND(ht, index, key, item) {
		if (!path) {
			if (Z_TYPE_P(item) >= IS_ARRAY && check(item, what, NULL, depth + 1) == FAILURE) {
				return FAILURE;
			}
			continue;
		}
		if (key) {
			smart_str_appendc(path, '[');
			smart_str_append_escaped_truncated(path, key, 40);
			smart_str_appendc(path, ']');
		} else {
			smart_str_append_printf(path, "[" ZEND_ULONG_FMT "]", index);
		}
		smart_str_0(path);
		result = check(item, what, path, depth + 1);
		if (path->s) {
			ZSTR_LEN(path->s) = mark;
		}
		if (result == FAILURE) {
			break;
		}
	} ZEND_HASH_FOREACH_END();
	return result;
}

static zend_result check(zval *value, const char *what, smart_str *path, int depth)
{
	ZVAL_DEREF(value);
	if (depth > VALUE_CHECK_MAX_DEPTH) {
		return SUCCESS;
	}
	switch (Z_TYPE_P(value)) {
		case IS_RESOURCE: {
			const char *type = zend_rsrc_list_get_rsrc_type(Z_RES_P(value));
			char reason[160];
			snprintf(reason, sizeof(reason),
				"it is a resource (%s); resources such as files, sockets and database handles "
				"belong to one process: open them inside the task", type ? type : "closed");
			return refuse(what, path, reason);
		}
		case IS_ARRAY: {
			HashTable *ht = Z_ARRVAL_P(value);
			zend_result result;
			if (GC_IS_RECURSIVE(ht)) {
				return SUCCESS;
			}
			if (!(GC_FLAGS(ht) & GC_IMMUTABLE)) GC_PROTECT_RECURSION(ht);
			result = check_table(ht, what, path, depth);
			if (!(GC_FLAGS(ht) & GC_IMMUTABLE)) GC_UNPROTECT_RECURSION(ht);
			return result;
		}
		case IS_OBJECT: {
			zend_object *obj = Z_OBJ_P(value);
			zend_class_entry *ce = obj->ce;
			zend_result result;
			if (ce == zend_ce_closure) {
				return refuse(what, path,
					"it is a closure; closures can only be sent as the task itself, not inside its "
					"arguments, use variables or results");
			}
			if (ce == zend_ce_generator) {
				return refuse(what, path, "it is a Generator, which cannot be serialized");
			}
			if (ce->ce_flags & ZEND_ACC_ANON_CLASS) {
				return refuse(what, path, "it is an object of an anonymous class, which cannot be serialized");
			}
			if (ce->ce_flags & ZEND_ACC_NOT_SERIALIZABLE) {
				char reason[200];
				snprintf(reason, sizeof(reason), "objects of class %s cannot be serialized", ZSTR_VAL(ce->name));
				return refuse(what, path, reason);
			}
			if (encodes_itself(ce) || GC_IS_RECURSIVE(obj)) {
				return SUCCESS;
			}
			HashTable *props = obj->handlers->get_properties(obj);
			if (!props) {
				return SUCCESS;
			}
			GC_PROTECT_RECURSION(obj);
			result = check_table(props, what, path, depth);
			GC_UNPROTECT_RECURSION(obj);
			return result;
		}
		default:
			return SUCCESS;
	}
}

/* A quick pass first, without paths; only a refused value is walked again
 * to say where in it the refused part is. */
static zend_result check_value(zval *value, const char *what, const char *way)
{
	smart_str path = {0};
	direction = way;
	if (check(value, what, NULL, 0) == SUCCESS) {
		return SUCCESS;
	}
	zend_result result = check(value, what, &path, 0);
	smart_str_free(&path);
	return result;
}

zend_result asynctask_value_check(zval *value, const char *what)
{
	return check_value(value, what, "to a worker");
}

zend_result asynctask_result_check(zval *value)
{
	return check_value(value, "the task's return value", "back to the caller");
}

/* --- footprint ---------------------------------------------------------- */

/* What the allocator takes for size bytes: a small size rounded up to its
 * size class (a quarter more at most), a larger one to whole pages. */
static size_t allocation(size_t size)
{
	return size <= ZEND_MM_MAX_SMALL_SIZE ? ZEND_MM_ALIGNED_SIZE(size + size / 4)
		: ZEND_MM_ALIGNED_SIZE_EX(size, ZEND_MM_PAGE_SIZE);
}

static size_t string_footprint(size_t len)
{
	return allocation(_ZSTR_STRUCT_SIZE(len));
}

/* true the first time ptr is seen: objects and references decode once */
static bool first_sight(HashTable *seen, void *ptr)
{
	return zend_hash_index_add_empty_element(seen, (zend_ulong) (uintptr_t) ptr) != NULL;
}

typedef struct {
	HashTable seen;
	bool      packed;   /* the decoder keeps a list a list (compact.c); PHP's makes hashes */
} footprint_t;

static size_t footprint(zval *value, footprint_t *f);

static size_t table_footprint(HashTable *table, footprint_t *f)
{
	uint32_t n = zend_hash_num_elements(table), slots = HT_MIN_SIZE;
	size_t size = allocation(sizeof(HashTable));
	zend_string *key;
	zval *item;

	if (n == 0) {
		return 0;  /* both decoders give the shared empty array */
	}
	if (f->packed && HT_IS_PACKED(table)) {
		/* it grows no larger there than here: the same keys, inserted in order */
		size += allocation(HT_PACKED_SIZE_EX(table->nTableSize, HT_MIN_MASK));
	} else {
		while (slots < n) {
			slots <<= 1;
		}
		/* as a hash: buckets and twice as many hash slots (packed is less);
		 * and, while it decodes, the decoder's note of each value (PHP's
		 * unserialize() keeps one for back-references) */
		size += allocation((size_t) slots * (sizeof(Bucket) + 2 * sizeof(uint32_t))) + n * sizeof(zval);
	}
	ZEND_HASH_FOREACH_STR_KEY_VAL(table, key, item) {
		if (key) {
			size += string_footprint(ZSTR_LEN(key));
		}
		size += footprint(item, f);
	} ZEND_HASH_FOREACH_END();
	return size;
}

static size_t footprint(zval *value, footprint_t *f)
{
	switch (Z_TYPE_P(value)) {
		case IS_INDIRECT:
			return footprint(Z_INDIRECT_P(value), f);
		case IS_STRING:
			return string_footprint(Z_STRLEN_P(value));
		case IS_ARRAY:
			return table_footprint(Z_ARRVAL_P(value), f);
		case IS_REFERENCE:
			return first_sight(&f->seen, Z_REF_P(value))
				? allocation(sizeof(zend_reference)) + footprint(Z_REFVAL_P(value), f) : 0;
		case IS_OBJECT: {
			zend_object *obj = Z_OBJ_P(value);
			if (!first_sight(&f->seen, obj)) {
				return 0;
			}
			/* its declared properties' slots, plus its property table and values */
			HashTable *properties = obj->handlers->get_properties(obj);
			return allocation(sizeof(zend_object) + zend_object_properties_size(obj->ce))
				+ (properties ? table_footprint(properties, f) : 0);
		}
		default:
			return 0;  /* in its parent's slot */
	}
}

size_t asynctask_value_footprint(zval *value, const zend_string *encoded)
{
	footprint_t f = { .packed = ZSTR_LEN(encoded) > 0 && ZSTR_VAL(encoded)[0] == ASYNCTASK_COMPACT_MAGIC };

	zend_hash_init(&f.seen, 8, NULL, NULL, 0);
	size_t size = footprint(value, &f);
	zend_hash_destroy(&f.seen);
	return size + ZEND_MM_PAGE_SIZE;  /* and the decoder's own small needs */
}
