/*
 * The worker's side of the closure codec, second half (common.h): the
 * closure rebuilt from its description (scope, $this, use variables).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"
#include "zend_closures.h"
#include "zend_compile.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include "ext/standard/md5.h"
#include "ext/standard/php_incomplete_class.h"

#include "php_asynctask.h"
#include "src/codec/closure.h"
#include "src/codec/closure/common.h"
#include "src/codec/serializer.h"
#include "src/base/exceptions.h"

/* --- worker: rebuilding ------------------------------------------------------- */

/* A class the description names (`name`: a string, or NULL/null for none). */
static zend_result find_class(zval *name, const char *key, zend_class_entry **ce, zend_string **error,
	const located_t *where)
{
	*ce = NULL;
	if (!name || Z_TYPE_P(name) == IS_NULL) {
		return SUCCESS;
	}
	if (Z_TYPE_P(name) != IS_STRING) {
		return asynctask_fail(error, "the task payload is corrupt: bad closure %s", key);
	}
	if (!(*ce = zend_lookup_class(Z_STR_P(name)))) {
		if (EG(exception)) zend_clear_exception();
		return asynctask_fail(error, "class %s, the %s of the closure declared at %s:%u, is not defined in the worker; "
			"make it autoloadable (asynctask.bootstrap) or declare it before the pool starts",
			Z_STRVAL_P(name), strcmp(key, KEY_SCOPE) == 0 ? "scope" : "called scope", ZSTR_VAL(where->file), where->line);
	}
	return SUCCESS;
}

/* The bound object (`this_zv`: an object, or NULL/null for none). */
static zend_result find_this(zval *this_zv, zval **this_ptr, zend_string **error, const located_t *where)
{
	*this_ptr = NULL;
	if (!this_zv || Z_TYPE_P(this_zv) == IS_NULL) {
		return SUCCESS;
	}
	if (Z_TYPE_P(this_zv) != IS_OBJECT) {
		return asynctask_fail(error, "the task payload is corrupt: bad closure $this");
	}
	if (Z_OBJCE_P(this_zv) == php_ce_incomplete_class) {
		zend_string *name = php_lookup_class_name(Z_OBJ_P(this_zv));
		asynctask_fail(error, "class %s of the $this bound to the closure declared at %s:%u is not defined in the worker; "
			"make it autoloadable (asynctask.bootstrap) or declare it before the pool starts",
			name ? ZSTR_VAL(name) : "?", ZSTR_VAL(where->file), where->line);
		if (name) zend_string_release(name);
		return FAILURE;
	}
	*this_ptr = this_zv;
	return SUCCESS;
}

/* Writes the sent use variables into the new closure's own table; the ones
 * not sent were undefined in the dispatcher and are left undefined here. */
static zend_result bind_uses(zval *closure, zval *vars, zend_string **error)
{
	const zend_function *fn = zend_get_closure_method_def(Z_OBJ_P(closure));
	HashTable *statics = ZEND_MAP_PTR_GET(fn->op_array.static_variables_ptr);
	zval *value;
	zend_string *name;
	Bucket *bucket;

	if (!vars || Z_TYPE_P(vars) != IS_ARRAY) {
		return asynctask_fail(error, "the task payload is corrupt: bad closure use variables");
	}
	ZEND_HASH_FOREACH_STR_KEY(Z_ARRVAL_P(vars), name) {
		if (!name || !statics || !zend_hash_find(statics, name)) {
			return asynctask_fail(error, "the closure has no use variable $%s in the worker's copy of its file",
				name ? ZSTR_VAL(name) : "?");
		}
	} ZEND_HASH_FOREACH_END();
	if (!statics) {
		return SUCCESS;
	}
	/* update in place: the opcodes address these buckets by byte offset */
	ZEND_HASH_FOREACH_BUCKET(statics, bucket) {
		zval_ptr_dtor(&bucket->val);
		value = bucket->key ? zend_hash_find(Z_ARRVAL_P(vars), bucket->key) : NULL;
		if (value) {
			ZVAL_COPY(&bucket->val, value);
		} else {
			ZVAL_UNDEF(&bucket->val);
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

/* Finds the op_array a code description points at (the file compiled, or
 * taken from the worker's cache). where->file is borrowed from desc. */
static zend_result locate_code(HashTable *desc, located_t *where, zend_string **error)
{
	zval *file = asynctask_closure_find_typed(desc, KEY_FILE, IS_STRING);
	zval *md5 = asynctask_closure_find_typed(desc, KEY_MD5, IS_STRING);
	zval *lines = asynctask_closure_find_typed(desc, KEY_LINES, IS_ARRAY);
	zval *start = lines ? zend_hash_index_find(Z_ARRVAL_P(lines), 0) : NULL;
	compiled_t *unit;

	if (!file || !md5) {
		return asynctask_fail(error, "the task payload is corrupt: bad closure description");
	}
	where->file = Z_STR_P(file);
	where->line = start && Z_TYPE_P(start) == IS_LONG ? (uint32_t) Z_LVAL_P(start) : 0;
	asynctask_closure_cache_init();
	if (!(unit = asynctask_closure_compiled_file(Z_STR_P(file), Z_STR_P(md5), error))) {
		return FAILURE;
	}
	where->op_array = asynctask_closure_follow_path(asynctask_closure_find_root(unit, desc), desc);
	if (!where->op_array || !asynctask_closure_same_shape(where->op_array, desc)) {
		return asynctask_fail(error, "the closure declared at %s:%u is not at the same place in the worker's compile of "
			"that file (same fingerprint): the two processes compile it differently", Z_STRVAL_P(file), where->line);
	}
	/* what a dispatcher refuses to send can only come from a forged payload */
	HashTable uses;
	zend_hash_init(&uses, 8, NULL, NULL, 0);
	zend_string *refusal = asynctask_closure_refusal_for_code(where->op_array, &uses);
	zend_hash_destroy(&uses);
	if (refusal) {
		asynctask_fail(error, "the closure declared at %s:%u cannot run in a worker: %s", Z_STRVAL_P(file), where->line,
			ZSTR_VAL(refusal));
		zend_string_release(refusal);
		return FAILURE;
	}
	return SUCCESS;
}

/* Makes the closure: the code found, bound as the dispatcher's was. */
static zend_result build(const located_t *where, zval *vars, zval *this_zv, zval *scope_name,
	zval *called_scope_name, zval *closure, zend_string **error)
{
	zend_class_entry *scope, *called_scope;
	zval *this_ptr;

	if (find_class(scope_name, KEY_SCOPE, &scope, error, where) == FAILURE
			|| find_class(called_scope_name, KEY_CALLED_SCOPE, &called_scope, error, where) == FAILURE
			|| find_this(this_zv, &this_ptr, error, where) == FAILURE) {
		return FAILURE;
	}
	if (scope && !called_scope) {
		called_scope = scope;  /* as Closure::bind() does: static:: must resolve */
	}
	zend_create_closure(closure, (zend_function *) where->op_array, scope, called_scope, this_ptr);
	if (bind_uses(closure, vars, error) == FAILURE) {
		zval_ptr_dtor(closure);
		ZVAL_UNDEF(closure);
		return FAILURE;
	}
	return SUCCESS;
}

zend_result asynctask_closure_decode(HashTable *desc, zval *closure, zend_string **error)
{
	located_t where;

	ZVAL_UNDEF(closure);
	if (locate_code(desc, &where, error) == FAILURE) {
		return FAILURE;
	}
	return build(&where, zend_hash_str_find(desc, KEY_VARS, sizeof(KEY_VARS) - 1),
		zend_hash_str_find(desc, KEY_THIS, sizeof(KEY_THIS) - 1),
		zend_hash_str_find(desc, KEY_SCOPE, sizeof(KEY_SCOPE) - 1),
		zend_hash_str_find(desc, KEY_CALLED_SCOPE, sizeof(KEY_CALLED_SCOPE) - 1), closure, error);
}

/* Code references a worker keeps resolved; more are not cached (the cache
 * starts over), which only a dispatcher forging payloads would reach. */
#define CODE_CACHE_MAX 4096

/* The located closure of a code reference: from the cache, or decoded,
 * located and cached. */
static const located_t *located_code(const char *code, size_t len, zend_string **error)
{
	located_t *where, found;
	zval desc;

	asynctask_closure_cache_init();
	if (asynctask_closure_last_located && ZSTR_LEN(asynctask_closure_last_located->code) == len && memcmp(ZSTR_VAL(asynctask_closure_last_located->code), code, len) == 0) {
		return asynctask_closure_last_located;
	}
	if ((where = zend_hash_str_find_ptr(&ASYNCTASK_G(code_cache), code, len))) {
		return asynctask_closure_last_located = where;
	}
	if (asynctask_unserialize_php(code, len, &desc, false) == FAILURE) {
		zend_clear_exception();
		asynctask_fail(error, "the task payload is corrupt: its closure's code reference cannot be decoded");
		return NULL;
	}
	if (Z_TYPE(desc) != IS_ARRAY) {
		zval_ptr_dtor(&desc);
		asynctask_fail(error, "the task payload is corrupt: bad closure code reference");
		return NULL;
	}
	if (locate_code(Z_ARRVAL(desc), &found, error) == FAILURE) {
		zval_ptr_dtor(&desc);
		return NULL;
	}
	if (zend_hash_num_elements(&ASYNCTASK_G(code_cache)) >= CODE_CACHE_MAX) {
		zend_hash_clean(&ASYNCTASK_G(code_cache));
	}
	where = emalloc(sizeof(*where));
	*where = found;
	zend_string_addref(where->file);
	where->code = zend_string_init(code, len, 0);
	zval_ptr_dtor(&desc);
	zend_hash_add_new_ptr(&ASYNCTASK_G(code_cache), where->code, where);
	return asynctask_closure_last_located = where;
}

zend_result asynctask_closure_decode_split(const char *code, size_t len, HashTable *values, zval *closure,
	zend_string **error)
{
	const located_t *where;

	ZVAL_UNDEF(closure);
	if (!(where = located_code(code, len, error))) {
		return FAILURE;
	}
	return build(where, zend_hash_index_find(values, ASYNCTASK_BINDING_VARS),
		zend_hash_index_find(values, ASYNCTASK_BINDING_THIS),
		zend_hash_index_find(values, ASYNCTASK_BINDING_SCOPE),
		zend_hash_index_find(values, ASYNCTASK_BINDING_CALLED_SCOPE), closure, error);
}
