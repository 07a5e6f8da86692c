/*
 * The compact encoding (see compact.h): every length, int and double
 * little-endian through byteorder.h (one plain load or store on x86-64 and
 * ARM64).
 */
#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/byteorder.h"
#include "src/codec/compact.h"

/* Deeper arrays go through the serializer. */
#define MAX_DEPTH 16
/* The shortest array entry: 's', a u32 length, an empty key, 'N'. */
#define MIN_ENTRY (1 + sizeof(uint32_t) + 1)

/* The size of the value's encoding, or 0 when it needs the serializer. */
static size_t encoded_size(zval *value, int depth)
{
	switch (Z_TYPE_P(value)) {
		case IS_NULL: case IS_FALSE: case IS_TRUE:
			return 1;
		case IS_LONG: case IS_DOUBLE:
			return 1 + 8;
		case IS_STRING:
			return ZSTR_LEN(Z_STR_P(value)) <= UINT32_MAX ? 1 + 4 + ZSTR_LEN(Z_STR_P(value)) : 0;
		case IS_ARRAY: {
			zend_string *key;
			zval *item;
			size_t size = 1 + 4, n;
			if (depth >= MAX_DEPTH || zend_hash_num_elements(Z_ARRVAL_P(value)) > UINT32_MAX) {
				return 0;
			}
			ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(value), key, item) {
				if ((n = encoded_size(item, depth + 1)) == 0 || (key && ZSTR_LEN(key) > UINT32_MAX)) {
					return 0;
				}
				size += n + (key ? 1 + 4 + ZSTR_LEN(key) : 1 + 8);
			} ZEND_HASH_FOREACH_END();
			return size;
		}
		default:  /* objects, references, resources */
			return 0;
	}
}

static char *put_u32(char *p, uint32_t n)
{
	asynctask_le32_put(p, n);
	return p + sizeof(n);
}

static char *put_string(char *p, char tag, const zend_string *s)
{
	*p++ = tag;
	p = put_u32(p, (uint32_t) ZSTR_LEN(s));
	memcpy(p, ZSTR_VAL(s), ZSTR_LEN(s));
	return p + ZSTR_LEN(s);
}

static char *put_long(char *p, char tag, zend_long n)
{
	*p++ = tag;
	asynctask_le_i64_put(p, (int64_t) n);
	return p + sizeof(int64_t);
}

/* Writes the encoding encoded_size() measured. */
static char *put(char *p, zval *value)
{
	switch (Z_TYPE_P(value)) {
		case IS_NULL:  *p++ = 'N'; return p;
		case IS_FALSE: *p++ = 'F'; return p;
		case IS_TRUE:  *p++ = 'T'; return p;
		case IS_LONG:  return put_long(p, 'I', Z_LVAL_P(value));
		case IS_DOUBLE:
			*p++ = 'D';
			asynctask_le_double_put(p, Z_DVAL_P(value));
			return p + sizeof(double);
		case IS_STRING: return put_string(p, 'S', Z_STR_P(value));
		case IS_ARRAY: {
			zend_string *key;
			zend_ulong index;
			zval *item;
			*p++ = 'A';
			p = put_u32(p, zend_hash_num_elements(Z_ARRVAL_P(value)));
			ZEND_HASH_FOREACH_KEY_VAL(Z_ARRVAL_P(value), index, key, item) {
				p = key ? put_string(p, 's', key) : put_long(p, 'i', (zend_long) index);
				p = put(p, item);
			} ZEND_HASH_FOREACH_END();
			return p;
		}
		EMPTY_SWITCH_DEFAULT_CASE();
	}
	return p;
}

bool asynctask_compact_encode(zval *value, smart_str *out)
{
	ZVAL_DEREF(value);  /* a reference at the top shares nothing */
	size_t size = encoded_size(value, 0);
	if (size == 0) {
		return false;
	}
	smart_str_alloc(out, 1 + size, 0);
	char *start = ZSTR_VAL(out->s) + ZSTR_LEN(out->s), *p = start;
	*p++ = ASYNCTASK_COMPACT_MAGIC;
	p = put(p, value);
	ZEND_ASSERT((size_t) (p - start) == 1 + size);
	ZSTR_LEN(out->s) += (size_t) (p - start);
	return true;
}

/* --- decoding ------------------------------------------------------------ */

typedef struct {
	const char *p;
	const char *end;
} reader_t;

static bool get_tag(reader_t *r, char *tag)
{
	if (r->p == r->end) {
		return false;
	}
	*tag = *r->p++;
	return true;
}

static bool get_u32(reader_t *r, uint32_t *v)
{
	if ((size_t) (r->end - r->p) < sizeof(*v)) {
		return false;
	}
	*v = asynctask_le32_get(r->p);
	r->p += sizeof(*v);
	return true;
}

static bool get_i64(reader_t *r, int64_t *v)
{
	if ((size_t) (r->end - r->p) < sizeof(*v)) {
		return false;
	}
	*v = asynctask_le_i64_get(r->p);
	r->p += sizeof(*v);
	return true;
}

static bool get_double(reader_t *r, double *d)
{
	if ((size_t) (r->end - r->p) < sizeof(*d)) {
		return false;
	}
	*d = asynctask_le_double_get(r->p);
	r->p += sizeof(*d);
	return true;
}

/* A string; a key (interned) becomes the interned string when there is one
 * (use variables and property names mostly are): no allocation, no hashing. */
static bool get_string(reader_t *r, zend_string **s, bool interned)
{
	uint32_t len;
	if (!get_u32(r, &len) || (size_t) (r->end - r->p) < len) {
		return false;
	}
	*s = interned ? zend_string_init_existing_interned(r->p, len, 0) : zend_string_init(r->p, len, 0);
	r->p += len;
	return true;
}

static bool get(reader_t *r, zval *out, int depth);

static bool get_array(reader_t *r, zval *out, int depth)
{
	uint32_t count;
	/* an entry takes at least MIN_ENTRY bytes: a forged count cannot make us allocate much */
	if (depth >= MAX_DEPTH || !get_u32(r, &count) || count > (size_t) (r->end - r->p) / MIN_ENTRY) {
		return false;
	}
	if (count == 0) {
		ZVAL_EMPTY_ARRAY(out);
		return true;
	}
	array_init_size(out, count);
	for (uint32_t i = 0; i < count; i++) {
		char tag;
		int64_t index;
		zend_string *key;
		zval item;
		if (!get_tag(r, &tag)) {
			return false;
		}
		if (tag == 'i') {
			if (!get_i64(r, &index)) {
				return false;
			}
			if (!get(r, &item, depth + 1)) {
				zval_ptr_dtor(&item);
				return false;
			}
			zend_hash_index_update(Z_ARRVAL_P(out), (zend_ulong) index, &item);
		} else if (tag == 's') {
			if (!get_string(r, &key, true)) {
				return false;
			}
			if (!get(r, &item, depth + 1)) {
				zval_ptr_dtor(&item);
				zend_string_release(key);
				return false;
			}
			/* a numeric string key becomes an int key, as PHP makes it (a forged
			 * payload could otherwise build an array PHP never does) */
			zend_symtable_update(Z_ARRVAL_P(out), key, &item);
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
	if (!get_tag(r, &tag)) {
		return false;
	}
	switch (tag) {
		case 'N': ZVAL_NULL(out); return true;
		case 'F': ZVAL_FALSE(out); return true;
		case 'T': ZVAL_TRUE(out); return true;
		case 'I': {
			int64_t v;
			if (!get_i64(r, &v)) return false;
			ZVAL_LONG(out, (zend_long) v);
			return true;
		}
		case 'D': {
			double d;
			if (!get_double(r, &d)) return false;
			ZVAL_DOUBLE(out, d);
			return true;
		}
		case 'S': {
			zend_string *s;
			if (!get_string(r, &s, false)) return false;
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
