/*
 * Sending a callable to a worker: the dispatcher of the codec.
 *
 * Closures go by code reference (closure.c); everything else by name, with
 * the object it is bound to, if any, travelling through the serializer:
 *
 *   'strtoupper'              ['kind' => 'function', 'name' => 'strtoupper']
 *   'Cls::m', ['Cls', 'm']    ['kind' => 'method', 'class' => 'Cls', 'method' => 'm']
 *   [$obj, 'm']               ['kind' => 'method', 'object' => $obj, 'method' => 'm']
 *   $invokable                ['kind' => 'invoke', 'object' => $obj]
 *   strlen(...), Closure::fromCallable('f')
 *                             ['kind' => 'fake', 'function' => 'strlen']
 *   $obj->m(...), Cls::m(...) ['kind' => 'fake', 'class' => declaring class,
 *                              'method' => 'm', 'called_scope' => 'Cls'?, 'this' => $obj?]
 *
 * In the worker, a method of a known class becomes a closure of that very
 * method (zend_create_fake_closure), so a callable that was callable in the
 * dispatcher's scope (a private method passed as [$this, 'm']) stays
 * callable there; __call/__callStatic targets stay plain array callables.
 */
#include "php.h"
#include "zend_closures.h"
#include "zend_exceptions.h"
#include "ext/standard/php_incomplete_class.h"

#include "php_asynctask.h"
#include "src/codec/callable.h"
#include "src/codec/closure.h"
#include "src/codec/serializer.h"
#include "src/base/exceptions.h"

#define KEY_KIND         "kind"
#define KEY_NAME         "name"
#define KEY_CLASS        "class"
#define KEY_OBJECT       "object"
#define KEY_METHOD       "method"
#define KEY_FUNCTION     "function"
#define KEY_THIS         "this"
#define KEY_CALLED_SCOPE "called_scope"

#define KIND_FUNCTION "function"
#define KIND_METHOD   "method"
#define KIND_INVOKE   "invoke"
#define KIND_FAKE     "fake"
#define KIND_CLOSURE  "closure"

#define NOT_IN_WORKER_HINT "declare it in a file included by asynctask.bootstrap (or autoloaded from there), " \
	"or before the pool starts (the first dispatch in the CLI)"

/* --- dispatcher --------------------------------------------------------------- */

static ZEND_COLD zend_result refuse(const char *format, ...) ZEND_ATTRIBUTE_FORMAT(printf, 1, 2);

static ZEND_COLD zend_result refuse(const char *format, ...)
{
	va_list args;
	zend_string *message;

	va_start(args, format);
	message = zend_vstrpprintf(0, format, args);
	va_end(args);
	asynctask_throw(asynctask_ce_serialization_exception, "%s", ZSTR_VAL(message));
	zend_string_release(message);
	return FAILURE;
}

/* Adds `object` under `key` once the serializer check accepted it. */
static zend_result add_object(zval *desc, const char *key, zend_object *object, const char *what)
{
	zval value;

	ZVAL_OBJ(&value, object);
	if (asynctask_value_check(&value, what) == FAILURE) {
		return FAILURE;
	}
	ZVAL_OBJ_COPY(&value, object);
	add_assoc_zval(desc, key, &value);
	return SUCCESS;
}

static zend_result encode_string(zend_string *name, zval *desc)
{
	const char *sep = zend_memnstr(ZSTR_VAL(name), "::", 2, ZSTR_VAL(name) + ZSTR_LEN(name));

	array_init_size(desc, 3);
	if (!sep) {
		add_assoc_string(desc, KEY_KIND, KIND_FUNCTION);
		add_assoc_str(desc, KEY_NAME, zend_string_copy(name));
		return SUCCESS;
	}
	add_assoc_string(desc, KEY_KIND, KIND_METHOD);
	add_assoc_stringl(desc, KEY_CLASS, ZSTR_VAL(name), sep - ZSTR_VAL(name));
	add_assoc_stringl(desc, KEY_METHOD, sep + 2, ZSTR_VAL(name) + ZSTR_LEN(name) - sep - 2);
	return SUCCESS;
}

static zend_result encode_array(HashTable *callable, zval *desc)
{
	zval *target = zend_hash_index_find(callable, 0);
	zval *method = zend_hash_index_find(callable, 1);
	char what[160];

	if (zend_hash_num_elements(callable) != 2 || !target || !method) {
		return refuse("the callable cannot be sent to a worker: an array callable must be [class or object, method]");
	}
	ZVAL_DEREF(target);
	ZVAL_DEREF(method);
	if (Z_TYPE_P(method) != IS_STRING || (Z_TYPE_P(target) != IS_STRING && Z_TYPE_P(target) != IS_OBJECT)) {
		return refuse("the callable cannot be sent to a worker: an array callable must be [class or object, method]");
	}
	array_init_size(desc, 3);
	add_assoc_string(desc, KEY_KIND, KIND_METHOD);
	add_assoc_str(desc, KEY_METHOD, zend_string_copy(Z_STR_P(method)));
	if (Z_TYPE_P(target) == IS_STRING) {
		add_assoc_str(desc, KEY_CLASS, zend_string_copy(Z_STR_P(target)));
		return SUCCESS;
	}
	snprintf(what, sizeof(what), "the object of callable [%s, '%s']",
		ZSTR_VAL(Z_OBJCE_P(target)->name), Z_STRVAL_P(method));
	return add_object(desc, KEY_OBJECT, Z_OBJ_P(target), what);
}

static zend_result encode_invokable(zend_object *object, zval *desc)
{
	char what[160];

	snprintf(what, sizeof(what), "the invokable object of class %s", ZSTR_VAL(object->ce->name));
	array_init_size(desc, 2);
	add_assoc_string(desc, KEY_KIND, KIND_INVOKE);
	return add_object(desc, KEY_OBJECT, object, what);
}

/* A closure made from a named function or method (strlen(...), $o->m(...),
 * Closure::fromCallable()): sent by name, rebuilt on the worker's method. */
static zend_result encode_fake(zend_object *closure, zval *desc)
{
	zend_class_entry *called_scope = NULL;
	zend_function *fn = NULL;
	zend_object *this_obj = NULL;
	char what[200];

	closure->handlers->get_closure(closure, &called_scope, &fn, &this_obj, 0);
	array_init_size(desc, 5);
	add_assoc_string(desc, KEY_KIND, KIND_FAKE);
	if (!fn->common.scope) {
		add_assoc_str(desc, KEY_FUNCTION, zend_string_copy(fn->common.function_name));
		return SUCCESS;
	}
	if ((fn->common.scope->ce_flags & ZEND_ACC_ANON_CLASS)
			|| (called_scope && (called_scope->ce_flags & ZEND_ACC_ANON_CLASS))) {
		return refuse("the closure of method %s() cannot be sent to a worker: it belongs to an anonymous class, "
			"which a worker cannot rebuild", ZSTR_VAL(fn->common.function_name));
	}
	add_assoc_str(desc, KEY_CLASS, zend_string_copy(fn->common.scope->name));
	add_assoc_str(desc, KEY_METHOD, zend_string_copy(fn->common.function_name));
	if (called_scope) {
		add_assoc_str(desc, KEY_CALLED_SCOPE, zend_string_copy(called_scope->name));
	}
	if (!this_obj) {
		return SUCCESS;
	}
	snprintf(what, sizeof(what), "the object bound to the closure of %s::%s()",
		ZSTR_VAL(fn->common.scope->name), ZSTR_VAL(fn->common.function_name));
	return add_object(desc, KEY_THIS, this_obj, what);
}

zend_result asynctask_callable_encode(zval *callable, zval *desc)
{
	zend_result result;

	ZVAL_DEREF(callable);
	ZVAL_UNDEF(desc);
	switch (Z_TYPE_P(callable)) {
		case IS_STRING:
			result = encode_string(Z_STR_P(callable), desc);
			break;
		case IS_ARRAY:
			result = encode_array(Z_ARRVAL_P(callable), desc);
			break;
		case IS_OBJECT:
			if (Z_OBJCE_P(callable) != zend_ce_closure) {
				result = encode_invokable(Z_OBJ_P(callable), desc);
			} else if (zend_get_closure_method_def(Z_OBJ_P(callable))->common.fn_flags & ZEND_ACC_FAKE_CLOSURE) {
				result = encode_fake(Z_OBJ_P(callable), desc);
			} else {
				return asynctask_closure_encode(Z_OBJ_P(callable), desc);
			}
			break;
		default:
			return refuse("the task cannot be sent to a worker: a %s is not callable", zend_zval_type_name(callable));
	}
	if (result == FAILURE) {
		zval_ptr_dtor(desc);
		ZVAL_UNDEF(desc);
	}
	return result;
}

/* --- worker --------------------------------------------------------------------- */

static zend_string *find_string(HashTable *desc, const char *key)
{
	zval *value = zend_hash_str_find(desc, key, strlen(key));
	return value && Z_TYPE_P(value) == IS_STRING ? Z_STR_P(value) : NULL;
}

/* The object under `key`, refused when its class did not exist at unserialize time. */
static zend_result find_object(HashTable *desc, const char *key, zval **object, zend_string **error)
{
	zval *value = zend_hash_str_find(desc, key, strlen(key));

	*object = NULL;
	if (!value) {
		return SUCCESS;
	}
	if (Z_TYPE_P(value) != IS_OBJECT) {
		return asynctask_fail(error, "the task payload is corrupt: the callable's %s is not an object", key);
	}
	if (Z_OBJCE_P(value) == php_ce_incomplete_class) {
		zend_string *name = php_lookup_class_name(Z_OBJ_P(value));
		asynctask_fail(error, "class %s of the callable's object is not defined in the worker; " NOT_IN_WORKER_HINT,
			name ? ZSTR_VAL(name) : "?");
		if (name) zend_string_release(name);
		return FAILURE;
	}
	*object = value;
	return SUCCESS;
}

static zend_result find_class(zend_string *name, zend_class_entry **ce, zend_string **error)
{
	*ce = zend_lookup_class(name);
	if (!*ce) {
		if (EG(exception)) zend_clear_exception();
		return asynctask_fail(error, "class %s is not defined in the worker; " NOT_IN_WORKER_HINT, ZSTR_VAL(name));
	}
	return SUCCESS;
}

static zend_result decode_function(HashTable *desc, zval *callable, zend_string **error)
{
	zend_string *name = find_string(desc, KEY_NAME);

	if (!name) {
		return asynctask_fail(error, "the task payload is corrupt: bad function name");
	}
	if (!zend_hash_find_ptr_lc(EG(function_table), name)) {
		return asynctask_fail(error, "function %s() is not defined in the worker; " NOT_IN_WORKER_HINT, ZSTR_VAL(name));
	}
	ZVAL_STR_COPY(callable, name);
	return SUCCESS;
}

/* A real method of a known class becomes a closure of it: visibility was
 * the dispatcher's to check. Others (parent::m, __call targets) stay arrays. */
static bool method_closure(zend_class_entry *ce, zend_string *method, zval *object, zval *callable)
{
	zend_function *fn = zend_hash_find_ptr_lc(&ce->function_table, method);

	if (!fn || (!object && !(fn->common.fn_flags & ZEND_ACC_STATIC))
			|| (fn->common.fn_flags & ZEND_ACC_ABSTRACT)) {
		return false;
	}
	zend_create_fake_closure(callable, fn, fn->common.scope, ce, object);
	return true;
}

static zend_result check_callable(zval *callable, zend_string **error)
{
	char *reason = NULL;
	zend_string *name = NULL;

	if (zend_is_callable_ex(callable, NULL, 0, &name, NULL, &reason)) {
		if (name) zend_string_release(name);
		if (reason) efree(reason);
		return SUCCESS;
	}
	asynctask_fail(error, "%s is not callable in the worker: %s", name ? ZSTR_VAL(name) : "the callable",
		reason ? reason : "unknown reason");
	if (name) zend_string_release(name);
	if (reason) efree(reason);
	if (EG(exception)) zend_clear_exception();
	return FAILURE;
}

/* [$object, 'method'], or ['Class', 'method'] when there is no object. */
static void array_callable(zval *callable, zval *object, zend_class_entry *ce, zend_string *method)
{
	array_init_size(callable, 2);
	if (object) {
		Z_ADDREF_P(object);
		add_next_index_zval(callable, object);
	} else {
		add_next_index_str(callable, zend_string_copy(ce->name));
	}
	add_next_index_str(callable, zend_string_copy(method));
}

static zend_result decode_method(HashTable *desc, zval *callable, zend_string **error)
{
	zend_string *class_name = find_string(desc, KEY_CLASS);
	zend_string *method = find_string(desc, KEY_METHOD);
	zend_class_entry *ce;
	zval *object;

	if (!method || find_object(desc, KEY_OBJECT, &object, error) == FAILURE) {
		return method ? FAILURE : asynctask_fail(error, "the task payload is corrupt: bad method callable");
	}
	if (object) {
		ce = Z_OBJCE_P(object);
	} else if (!class_name) {
		return asynctask_fail(error, "the task payload is corrupt: bad method callable");
	} else if (find_class(class_name, &ce, error) == FAILURE) {
		return FAILURE;
	}
	if (method_closure(ce, method, object, callable)) {
		return SUCCESS;
	}
	array_callable(callable, object, ce, method);
	if (check_callable(callable, error) == FAILURE) {
		zval_ptr_dtor(callable);
		ZVAL_UNDEF(callable);
		return FAILURE;
	}
	return SUCCESS;
}

static zend_result decode_invoke(HashTable *desc, zval *callable, zend_string **error)
{
	zval *object;

	if (find_object(desc, KEY_OBJECT, &object, error) == FAILURE) {
		return FAILURE;
	}
	if (!object) {
		return asynctask_fail(error, "the task payload is corrupt: the invokable object is missing");
	}
	ZVAL_COPY(callable, object);
	if (check_callable(callable, error) == FAILURE) {
		zval_ptr_dtor(callable);
		ZVAL_UNDEF(callable);
		return FAILURE;
	}
	return SUCCESS;
}

static zend_result decode_fake_method(HashTable *desc, zend_string *class_name, zval *callable, zend_string **error)
{
	zend_string *method = find_string(desc, KEY_METHOD);
	zend_string *called_name = find_string(desc, KEY_CALLED_SCOPE);
	zend_class_entry *ce, *called_scope;
	zend_function *fn;
	zval *this_ptr;

	if (!method) {
		return asynctask_fail(error, "the task payload is corrupt: bad method closure");
	}
	if (find_class(class_name, &ce, error) == FAILURE
			|| (called_name && find_class(called_name, &called_scope, error) == FAILURE)
			|| find_object(desc, KEY_THIS, &this_ptr, error) == FAILURE) {
		return FAILURE;
	}
	if (!called_name) {
		called_scope = ce;
	}
	fn = zend_hash_find_ptr_lc(&ce->function_table, method);
	if (fn) {
		if (fn->common.fn_flags & ZEND_ACC_ABSTRACT) {
			return asynctask_fail(error, "the task payload is corrupt: method %s::%s() is abstract",
				ZSTR_VAL(fn->common.scope->name), ZSTR_VAL(fn->common.function_name));
		}
		if (!instanceof_function(called_scope, fn->common.scope)) {
			return asynctask_fail(error, "the task payload is corrupt: class %s has no method %s::%s()",
				ZSTR_VAL(called_scope->name), ZSTR_VAL(fn->common.scope->name), ZSTR_VAL(fn->common.function_name));
		}
		if (fn->common.fn_flags & ZEND_ACC_STATIC) {
			this_ptr = NULL;
		} else if (!this_ptr || !instanceof_function(Z_OBJCE_P(this_ptr), fn->common.scope)) {
			return asynctask_fail(error, "the task payload is corrupt: the closure of method %s::%s() is not bound "
				"to an object of its class", ZSTR_VAL(fn->common.scope->name), ZSTR_VAL(fn->common.function_name));
		}
		zend_create_fake_closure(callable, fn, fn->common.scope, called_scope, this_ptr);
		return SUCCESS;
	}
	/* a closure of a __call/__callStatic target */
	if ((this_ptr && ce->__call) || (!this_ptr && ce->__callstatic)) {
		array_callable(callable, this_ptr, called_scope, method);
		return SUCCESS;
	}
	return asynctask_fail(error, "method %s::%s() is not defined in the worker (its class there has no such method)",
		ZSTR_VAL(ce->name), ZSTR_VAL(method));
}

static zend_result decode_fake(HashTable *desc, zval *callable, zend_string **error)
{
	zend_string *function = find_string(desc, KEY_FUNCTION);
	zend_string *class_name = find_string(desc, KEY_CLASS);
	zend_function *fn;

	if (class_name) {
		return decode_fake_method(desc, class_name, callable, error);
	}
	if (!function) {
		return asynctask_fail(error, "the task payload is corrupt: bad function closure");
	}
	if (!(fn = zend_hash_find_ptr_lc(EG(function_table), function))) {
		return asynctask_fail(error, "function %s() is not defined in the worker; " NOT_IN_WORKER_HINT, ZSTR_VAL(function));
	}
	zend_create_fake_closure(callable, fn, NULL, NULL, NULL);
	return SUCCESS;
}

zend_result asynctask_callable_decode(HashTable *desc, zval *callable, zend_string **error)
{
	zend_string *kind = find_string(desc, KEY_KIND);

	ZVAL_UNDEF(callable);
	*error = NULL;
	if (!kind) {
		return asynctask_fail(error, "the task payload is corrupt: the callable has no kind");
	}
	if (zend_string_equals_literal(kind, KIND_CLOSURE)) {
		return asynctask_closure_decode(desc, callable, error);
	}
	if (zend_string_equals_literal(kind, KIND_FUNCTION)) {
		return decode_function(desc, callable, error);
	}
	if (zend_string_equals_literal(kind, KIND_METHOD)) {
		return decode_method(desc, callable, error);
	}
	if (zend_string_equals_literal(kind, KIND_INVOKE)) {
		return decode_invoke(desc, callable, error);
	}
	if (zend_string_equals_literal(kind, KIND_FAKE)) {
		return decode_fake(desc, callable, error);
	}
	return asynctask_fail(error, "the task payload is corrupt: unknown callable kind \"%s\"", ZSTR_VAL(kind));
}

void asynctask_callable_cache_init(void)
{
	asynctask_closure_cache_init();
}

void asynctask_callable_cache_destroy(void)
{
	asynctask_closure_cache_destroy();
}

void asynctask_callable_shutdown(void)
{
	asynctask_closure_shutdown();
}
