/*
 * Sending a callable to a worker: closures by code reference (closure.c),
 * everything else by name.
 */
#include "php.h"
#include "zend_closures.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "callable.h"
#include "closure.h"
#include "serializer.h"
#include "exceptions.h"

/* Description keys. */
#define KEY_KIND   "k"
#define KEY_VALUE  "v"   /* kind "value": the callable itself (a name, [class, method], an object) */
#define KEY_NAME   "n"   /* kind "fake": function or method name */
#define KEY_CLASS  "c"   /* kind "fake": the method's class */
#define KEY_CALLED "cs"  /* kind "fake": called scope */
#define KEY_THIS   "t"   /* kind "fake": bound object */

#define KIND_VALUE   "value"
#define KIND_FAKE    "fake"
#define KIND_CLOSURE "closure"

static zend_string *class_name_or_null(zend_class_entry *ce)
{
	return ce ? zend_string_copy(ce->name) : NULL;
}

/* A function or method, sent by name with what it is bound to. */
static zend_result encode_function(const zend_function *func, zend_class_entry *called_scope, zval *this_ptr, zval *desc)
{
	array_init_size(desc, 5);
	add_assoc_string(desc, KEY_KIND, KIND_FAKE);
	add_assoc_str(desc, KEY_NAME, zend_string_copy(func->common.function_name));
	if (func->common.scope) {
		add_assoc_str(desc, KEY_CLASS, class_name_or_null(func->common.scope));
		if (called_scope) {
			add_assoc_str(desc, KEY_CALLED, class_name_or_null(called_scope));
		}
		if (this_ptr && Z_TYPE_P(this_ptr) == IS_OBJECT) {
			Z_ADDREF_P(this_ptr);
			add_assoc_zval(desc, KEY_THIS, this_ptr);
		}
	}
	return SUCCESS;
}

/* A first-class callable (strlen(...), $obj->m(...), Closure::fromCallable)
 * wraps a named function or method: send the name. */
static zend_result encode_fake_closure(zval *callable, zval *desc)
{
	zend_object *obj = Z_OBJ_P(callable);
	const zend_function *func = zend_get_closure_method_def(obj);
	zval *this_ptr = zend_get_closure_this_ptr(callable);
	zend_class_entry *called_scope = NULL;
	zend_function *fptr;
	zend_object *this_obj;

	obj->handlers->get_closure(obj, &called_scope, &fptr, &this_obj, true);
	if (!func->common.function_name) {
		asynctask_throw(asynctask_ce_serialization_exception, "the callable has no name and cannot be sent to a worker");
		return FAILURE;
	}
	if (this_ptr && Z_TYPE_P(this_ptr) == IS_OBJECT
		&& asynctask_value_check(this_ptr, "the object the callable is bound to") == FAILURE) {
		return FAILURE;
	}
	return encode_function(func, called_scope, this_ptr, desc);
}

zend_result asynctask_callable_encode(zval *callable, zval *desc)
{
	ZVAL_UNDEF(desc);
	if (Z_TYPE_P(callable) == IS_OBJECT && Z_OBJCE_P(callable) == zend_ce_closure) {
		const zend_function *func = zend_get_closure_method_def(Z_OBJ_P(callable));
		zend_result result;
		if (func->common.fn_flags & ZEND_ACC_FAKE_CLOSURE || func->type != ZEND_USER_FUNCTION) {
			result = encode_fake_closure(callable, desc);
		} else {
			array_init_size(desc, 12);
			add_assoc_string(desc, KEY_KIND, KIND_CLOSURE);
			result = asynctask_closure_encode(Z_OBJ_P(callable), desc);
		}
		if (result == FAILURE) {
			zval_ptr_dtor(desc);
			ZVAL_UNDEF(desc);
		}
		return result;
	}
	/* 'fn', 'Cls::m', [Cls::class, 'm'], [$obj, 'm'], an invokable object:
	 * resolved here, in the caller's scope, and sent as the function or
	 * method it names, so a private method callable here runs there too */
	zend_fcall_info_cache fcc;
	if (zend_is_callable_ex(callable, NULL, 0, NULL, &fcc, NULL)
		&& !(fcc.function_handler->common.fn_flags & ZEND_ACC_CALL_VIA_TRAMPOLINE)
		&& fcc.function_handler->common.function_name) {
		zval object;
		if (fcc.object) {
			ZVAL_OBJ(&object, fcc.object);
			if (asynctask_value_check(&object, "the callable's object") == FAILURE) {
				return FAILURE;
			}
		}
		return encode_function(fcc.function_handler, fcc.called_scope, fcc.object ? &object : NULL, desc);
	}
	if (asynctask_value_check(callable, "the callable") == FAILURE) {
		return FAILURE;
	}
	array_init_size(desc, 2);
	add_assoc_string(desc, KEY_KIND, KIND_VALUE);
	Z_TRY_ADDREF_P(callable);
	add_assoc_zval(desc, KEY_VALUE, callable);
	return SUCCESS;
}

static zend_string *find_string(HashTable *desc, const char *key)
{
	zval *zv = zend_hash_str_find(desc, key, strlen(key));
	return zv && Z_TYPE_P(zv) == IS_STRING ? Z_STR_P(zv) : NULL;
}

static zend_result decode_value(HashTable *desc, zval *callable, zend_string **error)
{
	zval *value = zend_hash_str_find(desc, KEY_VALUE, sizeof(KEY_VALUE) - 1);
	char *why = NULL;

	if (!value) {
		*error = zend_string_init("the task payload is corrupt: no callable", sizeof("the task payload is corrupt: no callable") - 1, 0);
		return FAILURE;
	}
	if (!zend_is_callable_ex(value, NULL, 0, NULL, NULL, &why)) {
		zend_string *name = zend_get_callable_name(value);
		*error = zend_strpprintf(0, "%s is not callable in the worker: %s; functions and classes must be "
			"declared before the pool starts or be autoloadable (asynctask.bootstrap)",
			ZSTR_VAL(name), why ? why : "unknown reason");
		zend_string_release(name);
		if (why) efree(why);
		return FAILURE;
	}
	if (why) efree(why);
	ZVAL_COPY(callable, value);
	return SUCCESS;
}

static zend_result decode_fake(HashTable *desc, zval *callable, zend_string **error)
{
	zend_string *name = find_string(desc, KEY_NAME);
	zend_string *class_name = find_string(desc, KEY_CLASS);
	zend_string *called_name = find_string(desc, KEY_CALLED);
	zval *this_ptr = zend_hash_str_find(desc, KEY_THIS, sizeof(KEY_THIS) - 1);
	zend_class_entry *ce = NULL, *called_scope = NULL;
	zend_function *func;

	if (!name) {
		*error = zend_string_init("the task payload is corrupt: no function name", sizeof("the task payload is corrupt: no function name") - 1, 0);
		return FAILURE;
	}
	if (class_name) {
		ce = zend_lookup_class(class_name);
		if (!ce) {
			*error = zend_strpprintf(0, "class %s is not known in the worker; declare it before the pool starts "
				"or make it autoloadable (asynctask.bootstrap)", ZSTR_VAL(class_name));
			return FAILURE;
		}
		func = zend_hash_find_ptr_lc(&ce->function_table, name);
		called_scope = called_name ? zend_lookup_class(called_name) : NULL;
	} else {
		func = zend_hash_find_ptr_lc(EG(function_table), name);
	}
	if (EG(exception)) {
		zend_clear_exception();
	}
	if (!func) {
		*error = zend_strpprintf(0, "%s%s%s() is not defined in the worker; declare it before the pool starts "
			"or make it autoloadable (asynctask.bootstrap)", class_name ? ZSTR_VAL(class_name) : "",
			class_name ? "::" : "", ZSTR_VAL(name));
		return FAILURE;
	}
	zend_create_fake_closure(callable, func, func->common.scope, called_scope ? called_scope : ce,
		this_ptr && Z_TYPE_P(this_ptr) == IS_OBJECT ? this_ptr : NULL);
	return SUCCESS;
}

zend_result asynctask_callable_decode(HashTable *desc, zval *callable, zend_string **error)
{
	zend_string *kind = find_string(desc, KEY_KIND);

	ZVAL_UNDEF(callable);
	if (kind && zend_string_equals_literal(kind, KIND_CLOSURE)) {
		return asynctask_closure_decode(desc, callable, error);
	}
	if (kind && zend_string_equals_literal(kind, KIND_FAKE)) {
		return decode_fake(desc, callable, error);
	}
	if (kind && zend_string_equals_literal(kind, KIND_VALUE)) {
		return decode_value(desc, callable, error);
	}
	*error = zend_string_init("the task payload is corrupt: unknown callable kind",
		sizeof("the task payload is corrupt: unknown callable kind") - 1, 0);
	return FAILURE;
}
