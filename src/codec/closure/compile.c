/*
 * The worker's side of the closure codec, first half (common.h): a file
 * compiled without executing or declaring anything, and the op_array at a
 * description's position in it.
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

/* --- worker: compiling without executing ------------------------------------ */

#define DETACHED_COMPILE_OPTIONS (ZEND_COMPILE_DEFAULT | ZEND_COMPILE_WITHOUT_EXECUTION \
	| ZEND_COMPILE_DELAYED_BINDING | ZEND_COMPILE_IGNORE_INTERNAL_CLASSES | ZEND_COMPILE_IGNORE_OTHER_FILES \
	| ZEND_COMPILE_NO_CONSTANT_SUBSTITUTION | ZEND_COMPILE_IGNORE_USER_FUNCTIONS \
	| ZEND_COMPILE_IGNORE_INTERNAL_FUNCTIONS | ZEND_COMPILE_IGNORE_OBSERVER)

/* Compiles `buf` (owned, freed here) as `path` into unit: functions and
 * classes land in the unit's own tables, nothing is declared or run. */
static zend_result compile_detached(zend_string *path, char *buf, size_t len, compiled_t *unit, zend_string **error)
{
	HashTable *functions = CG(function_table), *classes = CG(class_table);
	uint32_t options = CG(compiler_options);
	zend_file_handle handle;
	zval error_handler;
	volatile bool bailed = false;

	zend_hash_init(&unit->functions, 8, NULL, ZEND_FUNCTION_DTOR, 0);
	zend_hash_init(&unit->classes, 8, NULL, ZEND_CLASS_DTOR, 0);
	zend_stream_init_filename_ex(&handle, path);
	handle.buf = buf;  /* the scanner reads these bytes, not the file again */
	handle.len = len;

	ZVAL_COPY_VALUE(&error_handler, &EG(user_error_handler));
	ZVAL_UNDEF(&EG(user_error_handler));  /* no PHP code may run with the tables swapped */
	CG(function_table) = &unit->functions;
	CG(class_table) = &unit->classes;
	CG(compiler_options) = DETACHED_COMPILE_OPTIONS;
	zend_try {
		unit->main = compile_file(&handle, ZEND_INCLUDE);
	} zend_catch {
		bailed = true;
	} zend_end_try();
	CG(function_table) = functions;
	CG(class_table) = classes;
	CG(compiler_options) = options;
	ZVAL_COPY_VALUE(&EG(user_error_handler), &error_handler);
	zend_destroy_file_handle(&handle);
	if (bailed) {
		/* a fatal compile error: the engine's state is not to be trusted */
		zend_bailout();
	}
	if (!unit->main) {
		zend_string *message = NULL;
		if (EG(exception)) {
			zval rv, *msg = zend_read_property(zend_get_exception_base(EG(exception)), EG(exception),
				"message", sizeof("message") - 1, 1, &rv);
			message = Z_TYPE_P(msg) == IS_STRING ? zend_string_copy(Z_STR_P(msg)) : NULL;
			zend_clear_exception();
		}
		asynctask_fail(error, "%s does not compile in the worker: %s", ZSTR_VAL(path), message ? ZSTR_VAL(message) : "unknown error");
		if (message) zend_string_release(message);
		zend_hash_destroy(&unit->functions);
		zend_hash_destroy(&unit->classes);
		return FAILURE;
	}
	return SUCCESS;
}

/* Is actual (released when it is not) the fingerprint the dispatcher sent?
 * The refusal names neither fingerprint: the file's would give whoever
 * forged the payload a hash of a file they may not be allowed to read, and
 * the payload's is whatever string they sent. */
static bool same_fingerprint(zend_string *path, zend_string *md5, zend_string *actual, zend_string **error)
{
	if (zend_string_equals(actual, md5)) {
		return true;
	}
	asynctask_fail(error, "the closure's file %s changed since the task was dispatched (its fingerprint is not the "
		"one the dispatcher sent); the worker runs only the code the dispatcher ran: dispatch it again from a "
		"process that has loaded the new version", ZSTR_VAL(path));
	zend_string_release(actual);
	return false;
}

/* The worker's compiled copy of `path` as the dispatcher fingerprinted it. */
compiled_t *asynctask_closure_compiled_file(zend_string *path, zend_string *md5, zend_string **error)
{
	compiled_t *unit = zend_hash_find_ptr(&ASYNCTASK_G(file_cache), path);
	const char *reason;
	zend_string *actual;
	char *buf;
	size_t len;

	if (unit && zend_string_equals(unit->md5, md5)) {
		return unit;
	}
	/* fingerprinted in chunks first: a file the payload names is read into
	 * memory only when it is the one the dispatcher compiled */
	if ((actual = asynctask_closure_md5_file(ZSTR_VAL(path), &reason)) == NULL) {
		asynctask_fail(error, "the closure's file %s cannot be read in the worker: %s", ZSTR_VAL(path), reason);
		return NULL;
	}
	if (!same_fingerprint(path, md5, actual, error)) {
		return NULL;
	}
	zend_string_release(actual);
	if (asynctask_closure_read_source(ZSTR_VAL(path), &buf, &len, &reason) == FAILURE) {
		asynctask_fail(error, "the closure's file %s cannot be read in the worker: %s", ZSTR_VAL(path), reason);
		return NULL;
	}
	/* again on what was read: the file may have been rewritten in between */
	actual = asynctask_closure_md5_hex(buf, len);
	if (!same_fingerprint(path, md5, actual, error)) {
		efree(buf);
		return NULL;
	}
	unit = emalloc(sizeof(*unit));
	unit->md5 = actual;
	if (compile_detached(path, buf, len, unit, error) == FAILURE) {
		zend_string_release(actual);
		efree(unit);
		return NULL;
	}
	if (zend_hash_exists(&ASYNCTASK_G(file_cache), path)) {
		zend_hash_clean(&ASYNCTASK_G(code_cache));  /* it points into the unit replaced */
	}
	zend_hash_update_ptr(&ASYNCTASK_G(file_cache), path, unit);
	return unit;
}

/* --- worker: finding the same op_array ----------------------------------------- */

/* A named function declared inside other code (if (...) { function f() {} }). */
static zend_op_array *tree_find_function(zend_op_array *op_array, zend_string *name, zend_long line)
{
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		zend_op_array *def = op_array->dynamic_func_defs[i], *found;
		if (!(def->fn_flags & ZEND_ACC_CLOSURE) && def->line_start == (uint32_t) line
				&& zend_string_equals_ci(def->function_name, name)) {
			return def;
		}
		if ((found = tree_find_function(def, name, line))) {
			return found;
		}
	}
	return NULL;
}

static zend_op_array *find_function(compiled_t *unit, zend_string *name, zend_long line)
{
	zend_function *fn = zend_hash_find_ptr_lc(&unit->functions, name);

	if (fn && fn->type == ZEND_USER_FUNCTION && fn->op_array.line_start == (uint32_t) line) {
		return &fn->op_array;
	}
	return tree_find_function(unit->main, name, line);
}

static zend_op_array *find_method(compiled_t *unit, zend_string *class_name, zend_long line, zend_string *method)
{
	zend_class_entry *ce;

	ZEND_HASH_FOREACH_PTR(&unit->classes, ce) {
		if (ce->type == ZEND_USER_CLASS && ce->info.user.line_start == (uint32_t) line
				&& zend_string_equals_ci(ce->name, class_name)) {
			zend_function *fn = zend_hash_find_ptr_lc(&ce->function_table, method);
			return fn && fn->type == ZEND_USER_FUNCTION ? &fn->op_array : NULL;
		}
	} ZEND_HASH_FOREACH_END();
	return NULL;
}

zval *asynctask_closure_find_typed(HashTable *desc, const char *key, zend_uchar type)
{
	zval *value = zend_hash_str_find(desc, key, strlen(key));
	return value && Z_TYPE_P(value) == type ? value : NULL;
}

zend_op_array *asynctask_closure_find_root(compiled_t *unit, HashTable *desc)
{
	zval *root = asynctask_closure_find_typed(desc, KEY_ROOT, IS_STRING);
	zval *class_name = asynctask_closure_find_typed(desc, KEY_CLASS, IS_STRING);
	zval *class_line = asynctask_closure_find_typed(desc, KEY_CLASS_LINE, IS_LONG);
	zval *function = asynctask_closure_find_typed(desc, KEY_FUNCTION, IS_STRING);
	zval *function_line = asynctask_closure_find_typed(desc, KEY_FUNC_LINE, IS_LONG);

	if (!root) {
		return NULL;
	}
	if (zend_string_equals_literal(Z_STR_P(root), ROOT_MAIN)) {
		return unit->main;
	}
	if (zend_string_equals_literal(Z_STR_P(root), ROOT_FUNCTION) && function && function_line) {
		return find_function(unit, Z_STR_P(function), Z_LVAL_P(function_line));
	}
	if (zend_string_equals_literal(Z_STR_P(root), ROOT_METHOD) && class_name && class_line && function) {
		return find_method(unit, Z_STR_P(class_name), Z_LVAL_P(class_line), Z_STR_P(function));
	}
	return NULL;
}

/* Follows desc[path] down from the root; NULL if the tree has no such place. */
zend_op_array *asynctask_closure_follow_path(zend_op_array *op_array, HashTable *desc)
{
	zval *path = asynctask_closure_find_typed(desc, KEY_PATH, IS_ARRAY), *index;

	if (!op_array || !path || zend_hash_num_elements(Z_ARRVAL_P(path)) == 0) {
		return NULL;
	}
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(path), index) {
		if (Z_TYPE_P(index) != IS_LONG || Z_LVAL_P(index) < 0
				|| (zend_ulong) Z_LVAL_P(index) >= op_array->num_dynamic_func_defs) {
			return NULL;
		}
		op_array = op_array->dynamic_func_defs[Z_LVAL_P(index)];
	} ZEND_HASH_FOREACH_END();
	return op_array;
}

bool asynctask_closure_same_shape(const zend_op_array *op_array, HashTable *desc)
{
	zval *lines = asynctask_closure_find_typed(desc, KEY_LINES, IS_ARRAY);
	zval *num_args = asynctask_closure_find_typed(desc, KEY_NUM_ARGS, IS_LONG);
	zval *start, *end;

	if (!lines || !num_args || !(op_array->fn_flags & ZEND_ACC_CLOSURE)) {
		return false;
	}
	start = zend_hash_index_find(Z_ARRVAL_P(lines), 0);
	end = zend_hash_index_find(Z_ARRVAL_P(lines), 1);
	return start && end && Z_TYPE_P(start) == IS_LONG && Z_TYPE_P(end) == IS_LONG
		&& Z_LVAL_P(start) == op_array->line_start && Z_LVAL_P(end) == op_array->line_end
		&& Z_LVAL_P(num_args) == op_array->num_args;
}
