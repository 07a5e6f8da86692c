/*
 * The compact encoding (see compact.h).
 */
#include "php.h"
#include "zend_smart_str.h"

#include "compact.h"

/* Deeper arrays go through the serializer. */
#define MAX_DEPTH 16
/* The shortest array entry: 's', a u32 length, an empty key, 'N'. */
#define MIN_ENTRY (1 + sizeof(uint32_t) + 1)

static bool encodable(zval *value, int depth)
{
	switch (Z_TYPE_P(value)) {
		case IS_NULL: case IS_FALSE: case IS_TRUE: case IS_LONG: case IS_DOUBLE:
			return true;
		case IS_STRING:
			return ZSTR_LEN(Z_STR_P(value)) <= UINT32_MAX;
		case IS_ARRAY: {
			zval *item;
			if (depth >= MAX_DEPTH || zend_hash_num_elements(Z_ARRVAL_P(value)) > UINT32_MAX) {
				return false;
			}
			ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(value), item) {
				if (!encodable(item, depth + 1)) {
					return false;
				}
			} ZEND_HASH_FOREACH_END();
			return true;
		}
		default:  /* objects, references, resources */
			return false;
	}
}

static void put_u32(smart_str *out, uint32_t n)
{
	smart_str_appendl(out, (const char *) &n, sizeof(n));
}

static void put_string(smart_str *out, char tag, const zend_string *s)
{
	smart_str_appendc(out, tag);
	put_u32(out, (uint32_t) ZSTR_LEN(s));
	smart_str_appendl(out, ZSTR_VAL(s), ZSTR_LEN(s));
}

static void put_long(smart_str *out, char tag, zend_long n)
{
	int64_t v = (int64_t) n;
	smart_str_appendc(out, tag);
	smart_str_appendl(out, (const char *) &v, sizeof(v));
}

static void put(smart_str *out, zval *value)
{
	switch (Z_TYPE_P(value)) {
		case IS_NULL:  smart_str_appendc(out, 'N'); break;
		case IS_FALSE: smart_str_appendc(out, 'F'); break;
		case IS_TRUE:  smart_str_appendc(out, 'T'); break;
		case IS_LONG:  put_long(out, 'I', Z_LVAL_P(value)); break;
		case IS_DOUBLE: {
			double d = Z_DVAL_P(value);
			smart_str_appendc(out, 'D');
			smart_str_appendl(out, (const char *) &d, sizeof(d));
			break;
		}
		case IS_STRING: put_string(out, 'S', Z_STR_P(value)); break;
		case IS_ARRAY: {
			zend_string *key;
			zend_ulong index;
			zval *item;
			smart_str_appendc(out, 'A');
			put_u32(out, zend_hash_num_elements(Z_ARRVAL_P(value)));
			ZEND_HASH_FOREACH_KEY_VAL(Z_ARRVAL_P(value), index, key, item) {
				if (key) {
					put_string(out, 's', key);
				} else {
					put_long(out, 'i', (zend_long) index);
				}
				put(out, item);
			} ZEND_HASH_FOREACH_END();
			break;
		}
		EMPTY_SWITCH_DEFAULT_CASE();
	}
}

bool asynctask_compact_encode(zval *value, smart_str *out)
{
	ZVAL_DEREF(value);  /* a reference at the top shares nothing */
	if (!encodable(value, 0)) {
		return false;
	}
	smart_str_appendc(out, ASYNCTASK_COMPACT_MAGIC);
	put(out, value);
	return true;
}

/* --- decoding ------------------------------------------------------------ */

typedef struct {
	const char *p;
	const char *end;
} reader_t;

static bool get_bytes(reader_t *r, void *dst, size_t n)
{
	if ((size_t) (r->end - r->p) < n) {
		return false;
	}
	memcpy(dst, r->p, n);
	r->p += n;
	return true;
}

static bool get_string(reader_t *r, zend_string **s)
{
	uint32_t len;
	if (!get_bytes(r, &len, sizeof(len)) || (size_t) (r->end - r->p) < len) {
		return false;
	}
	*s = zend_string_init(r->p, len, 0);
	r->p += len;
	return true;
}

static bool get(reader_t *r, zval *out, int depth);

static bool get_array(reader_t *r, zval *out, int depth)
{
	uint32_t count;
	/* an entry takes at least MIN_ENTRY bytes: a forged count cannot make us allocate much */
	if (depth >= MAX_DEPTH || !get_bytes(r, &count, sizeof(count)) || count > (size_t) (r->end - r->p) / MIN_ENTRY) {
		return false;
	}
	array_init_size(out, count);
	for (uint32_t i = 0; i < count; i++) {
		char tag;
		int64_t index;
		zend_string *key;
		zval item;
		if (!get_bytes(r, &tag, 1)) {
			return false;
		}
		if (tag == 'i') {
			if (!get_bytes(r, &index, sizeof(index))) {
				return false;
			}
			if (!get(r, &item, depth + 1)) {
				zval_ptr_dtor(&item);
				return false;
			}
			zend_hash_index_update(Z_ARRVAL_P(out), (zend_ulong) index, &item);
		} else if (tag == 's') {
			if (!get_string(r, &key)) {
				return false;
			}
			if (!get(r, &item, depth + 1)) {
				zval_ptr_dtor(&item);
				zend_string_release(key);
				return false;
			}
			zend_hash_update(Z_ARRVAL_P(out), key, &item);
			zend_string_release(key);
		} else {
			return false;
		}
	}
	return true;
}

/* On false, out holds what was decoded so far (or UNDEF): the caller frees it. */
static bool get(reader_t *r, zval *out, int depth)
{
	char tag;

	ZVAL_UNDEF(out);
	if (!get_bytes(r, &tag, 1)) {
		return false;
	}
	switch (tag) {
		case 'N': ZVAL_NULL(out); return true;
		case 'F': ZVAL_FALSE(out); return true;
		case 'T': ZVAL_TRUE(out); return true;
		case 'I': {
			int64_t v;
			if (!get_bytes(r, &v, sizeof(v))) return false;
			ZVAL_LONG(out, (zend_long) v);
			return true;
		}
		case 'D': {
			double d;
			if (!get_bytes(r, &d, sizeof(d))) return false;
			ZVAL_DOUBLE(out, d);
			return true;
		}
		case 'S': {
			zend_string *s;
			if (!get_string(r, &s)) return false;
			ZVAL_STR(out, s);
			return true;
		}
		case 'A':
			return get_array(r, out, depth);
		default:
			return false;
	}
}

bool asynctask_compact_decode(const char *buf, size_t len, zval *out)
{
	reader_t r = { buf + 1, buf + len };

	if (len < 2 || buf[0] != ASYNCTASK_COMPACT_MAGIC || !get(&r, out, 0) || r.p != r.end) {
		zval_ptr_dtor(out);
		ZVAL_UNDEF(out);
		return false;
	}
	return true;
}
