/*
 * The dispatcher's side of the closure codec, second half (common.h): a
 * closure's description, its code reference and its values.
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

/* --- dispatcher: the description ------------------------------------------- */

static ZEND_COLD zend_result refuse(const zend_op_array *func, const char *reason)
{
	asynctask_throw(asynctask_ce_serialization_exception,
		"the closure defined at %s:%u cannot be sent to a worker: %s",
		ZSTR_VAL(func->filename), func->line_start, reason);
	return FAILURE;
}

/* The current values of the use variables, name => value, into `vars`.
 * Variables an arrow function captured while undefined stay undefined: they
 * are not sent. */
static zend_result use_values(const resolution_t *res, const zend_op_array *func, zval *vars)
{
	HashTable *statics = ZEND_MAP_PTR_GET(func->static_variables_ptr);
	zend_string *name;
	zval *offset;
	char what[128];

	array_init_size(vars, zend_hash_num_elements(res->uses));
	ZEND_HASH_FOREACH_STR_KEY_VAL(res->uses, name, offset) {
		zval *value = (zval *) ((char *) statics->arData + Z_LVAL_P(offset));
		if (Z_ISUNDEF_P(value)) {
			continue;
		}
		ZVAL_DEREF(value);
		if (asynctask_value_needs_check(value)) {
			snprintf(what, sizeof(what), "use variable $%s", ZSTR_VAL(name));
			if (asynctask_value_check(value, what) == FAILURE) {
				return FAILURE;
			}
		}
		Z_TRY_ADDREF_P(value);
		zend_hash_add_new(Z_ARRVAL_P(vars), name, value);
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

/* What a closure is bound to. */
typedef struct {
	zend_class_entry *scope;
	zend_class_entry *called_scope;
	zend_object *this_obj;
} binding_t;

static zend_result check_class(zend_class_entry *ce, const zend_op_array *func)
{
	if (ce && (ce->ce_flags & ZEND_ACC_ANON_CLASS)) {
		return refuse(func, "it is bound to an anonymous class, which a worker cannot rebuild; use a named class");
	}
	return SUCCESS;
}

static zend_result binding_of(zend_object *closure, resolution_t *res, const zend_op_array *func, binding_t *binding)
{
	zend_function *fn = NULL;
	zval this_zv;
	char what[128];

	binding->scope = func->scope;
	binding->called_scope = NULL;
	binding->this_obj = NULL;
	closure->handlers->get_closure(closure, &binding->called_scope, &fn, &binding->this_obj, 0);
	if (binding->this_obj && !asynctask_closure_reaches_this(res, func, binding->scope, binding->this_obj->ce)) {
		/* $this stays here; the worker's closure gets the class static::
		 * named, the class of $this, as its called scope */
		binding->called_scope = binding->this_obj->ce;
		binding->this_obj = NULL;
	}
	if (check_class(binding->scope, func) == FAILURE || check_class(binding->called_scope, func) == FAILURE) {
		return FAILURE;
	}
	if (!binding->this_obj) {
		return SUCCESS;
	}
	ZVAL_OBJ(&this_zv, binding->this_obj);
	snprintf(what, sizeof(what), "the $this bound to the closure defined at %s:%u",
		ZSTR_VAL(func->filename), func->line_start);
	return asynctask_value_check(&this_zv, what);
}

/* What a closure that can be sent is made of: its resolution (returned),
 * its file's fingerprint, its use variables' values and its binding. NULL,
 * after throwing, when it cannot be sent (vars is then not set). */
static resolution_t *encodable(zend_object *closure, zend_string **md5, zval *vars, binding_t *binding)
{
	const zend_function *fn = zend_get_closure_method_def(closure);
	const zend_op_array *func = &fn->op_array;
	resolution_t *res;
	const char *reason = NULL;

	if (fn->type != ZEND_USER_FUNCTION) {
		asynctask_throw(asynctask_ce_serialization_exception,
			"the closure of internal function %s() cannot be sent to a worker: send the function by name",
			ZSTR_VAL(fn->common.function_name));
		return NULL;
	}
	asynctask_closure_cache_init();
	res = asynctask_closure_resolve(func);
	if (res->refusal) {
		refuse(func, ZSTR_VAL(res->refusal));
		return NULL;
	}
	if (!(*md5 = asynctask_closure_fingerprint(func->filename, &reason))) {
		char message[256];
		snprintf(message, sizeof(message), "its file cannot be read: %s", reason);
		refuse(func, message);
		return NULL;
	}
	if (use_values(res, func, vars) == FAILURE || binding_of(closure, res, func, binding) == FAILURE) {
		zval_ptr_dtor(vars);
		return NULL;
	}
	return res;
}

/* The template with the fingerprint: where the code is, in full. */
static void code_description(const resolution_t *res, zend_string *md5, zval *desc)
{
	ZVAL_ARR(desc, zend_array_dup(Z_ARRVAL(res->template)));
	add_assoc_str(desc, KEY_MD5, zend_string_copy(md5));
}

static zval *class_name_or_null(zend_class_entry *ce, zval *slot)
{
	if (ce) {
		ZVAL_STR_COPY(slot, ce->name);
	} else {
		ZVAL_NULL(slot);
	}
	return slot;
}

zend_result asynctask_closure_encode(zend_object *closure, zval *desc)
{
	resolution_t *res;
	binding_t binding;
	zend_string *md5;
	zval vars, value;

	ZVAL_UNDEF(desc);
	if (!(res = encodable(closure, &md5, &vars, &binding))) {
		return FAILURE;
	}
	code_description(res, md5, desc);
	add_assoc_zval(desc, KEY_VARS, &vars);
	if (binding.scope) {
		add_assoc_zval(desc, KEY_SCOPE, class_name_or_null(binding.scope, &value));
	}
	if (binding.called_scope) {
		add_assoc_zval(desc, KEY_CALLED_SCOPE, class_name_or_null(binding.called_scope, &value));
	}
	if (binding.this_obj) {
		ZVAL_OBJ_COPY(&value, binding.this_obj);
		add_assoc_zval(desc, KEY_THIS, &value);
	}
	return SUCCESS;
}

/* The code reference, serialized once per closure and fingerprint. */
static zend_string *code_reference(resolution_t *res, zend_string *md5)
{
	smart_str code = {0};
	zval desc;

	if (res->code && zend_string_equals(res->code_md5, md5)) {
		return res->code;
	}
	code_description(res, md5, &desc);
	zend_result ok = asynctask_serialize_php(&desc, &code, "the closure's code reference");
	zval_ptr_dtor(&desc);
	if (ok == FAILURE) {
		smart_str_free(&code);
		return NULL;
	}
	if (res->code) {
		zend_string_release(res->code);
		zend_string_release(res->code_md5);
	}
	res->code = smart_str_extract(&code);
	res->code_md5 = zend_string_copy(md5);
	return res->code;
}

zend_result asynctask_closure_encode_split(zend_object *closure, zend_string **code, zval *values)
{
	resolution_t *res;
	binding_t binding;
	zend_string *md5;
	zval vars, value;

	if (!(res = encodable(closure, &md5, &vars, &binding))) {
		return FAILURE;
	}
	if (!(*code = code_reference(res, md5))) {
		zval_ptr_dtor(&vars);
		return FAILURE;
	}
	add_index_zval(values, ASYNCTASK_BINDING_VARS, &vars);
	if (binding.this_obj) {
		ZVAL_OBJ_COPY(&value, binding.this_obj);
	} else {
		ZVAL_NULL(&value);
	}
	add_index_zval(values, ASYNCTASK_BINDING_THIS, &value);
	add_index_zval(values, ASYNCTASK_BINDING_SCOPE, class_name_or_null(binding.scope, &value));
	add_index_zval(values, ASYNCTASK_BINDING_CALLED_SCOPE, class_name_or_null(binding.called_scope, &value));
	return SUCCESS;
}
