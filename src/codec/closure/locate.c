/*
 * The dispatcher's side of the closure codec, first half (common.h): where
 * a closure's code is (its file, root and index path), what is refused,
 * and whether the code reaches a bound $this.
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

/* --- dispatcher: what is refused --------------------------------------------- */

#define NO_FILE "it was not declared in a file (eval()'d or command-line code); a worker rebuilds closures " \
	"from their file"

static zend_string *reason_string(const char *reason)
{
	return zend_string_init(reason, strlen(reason), 0);
}

static zend_string *refusal_for_file(zend_string *file)
{
	const char *name = ZSTR_VAL(file);

	if (strstr(name, "eval()'d code")) {
		return reason_string(NO_FILE);
	}
	if (zend_string_equals_literal(file, "Command line code") || zend_string_equals_literal(file, "Standard input code")
			|| zend_string_equals_literal(file, "php shell code")) {
		return reason_string(NO_FILE);
	}
	if (strstr(name, "://")) {
		return zend_strpprintf(0, "its file %s is opened through a stream wrapper; a worker rebuilds closures "
			"only from plain files", name);
	}
	return NULL;
}

/* Why the code under `op_array` (nested functions included) cannot run in a worker. */
static const char *refusal_for_declarations(const zend_op_array *op_array)
{
	for (uint32_t i = 0; i < op_array->last; i++) {
		switch (op_array->opcodes[i].opcode) {
			case ZEND_DECLARE_CLASS:
			case ZEND_DECLARE_CLASS_DELAYED:
				return "it declares a class, which a worker would declare again; move the class to its own "
					"file (autoloaded, or included by asynctask.bootstrap)";
			case ZEND_DECLARE_ANON_CLASS:
				return "it declares an anonymous class (new class {...}); use a named class";
			case ZEND_DECLARE_FUNCTION:
				return "it declares a named function, which would be declared globally in the worker; use a "
					"closure, or move the function to an included file";
		}
	}
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		const char *reason = refusal_for_declarations(op_array->dynamic_func_defs[i]);
		if (reason) {
			return reason;
		}
	}
	return NULL;
}

/* Collects the `use` variables (ZEND_BIND_STATIC oplines marked explicit or
 * implicit) into uses; refuses by-reference captures and static variables. */
static zend_string *collect_uses(const zend_op_array *op_array, HashTable *uses)
{
	HashTable *statics = op_array->static_variables;

	for (uint32_t i = 0; i < op_array->last; i++) {
		const zend_op *opline = &op_array->opcodes[i];
		uint32_t flags, offset;
		Bucket *bucket;
		zval zoffset;

		if (opline->opcode != ZEND_BIND_STATIC) {
			continue;
		}
		flags = opline->extended_value & FLAG_MASK;
		offset = opline->extended_value & ~FLAG_MASK;
		if (!statics || offset >= statics->nNumUsed * sizeof(Bucket)) {
			return reason_string("its static variables table is not what the compiler left");
		}
		bucket = (Bucket *) ((char *) statics->arData + offset);
		if (!(flags & (ZEND_BIND_EXPLICIT | ZEND_BIND_IMPLICIT))) {
			return zend_strpprintf(0, "it has a static variable $%s, whose state would diverge silently "
				"between workers; pass the value as an argument instead", bucket->key ? ZSTR_VAL(bucket->key) : "?");
		}
		if (flags & ZEND_BIND_REF) {
			return zend_strpprintf(0, "it captures $%s by reference; references cannot cross processes: "
				"capture by value (use ($%s)) or return the value", ZSTR_VAL(bucket->key), ZSTR_VAL(bucket->key));
		}
		ZVAL_LONG(&zoffset, offset);
		zend_hash_update(uses, bucket->key, &zoffset);
	}
	return NULL;
}

/* --- dispatcher: where the code is ----------------------------------------- */

/* Fills the root part of `template` for a closure found under a function or
 * method of the file; false when it is not there. */
static bool locate_in_functions(const zend_op_array *func, zval *template, tree_path_t *path)
{
	zend_function *fn;

	ZEND_HASH_REVERSE_FOREACH_PTR(EG(function_table), fn) {
		if (fn->type != ZEND_USER_FUNCTION || !zend_string_equals(fn->op_array.filename, func->filename)) {
			continue;
		}
		path->depth = 0;
		if (asynctask_closure_tree_find(&fn->op_array, func->opcodes, path)) {
			add_assoc_string(template, KEY_ROOT, ROOT_FUNCTION);
			add_assoc_str(template, KEY_FUNCTION, zend_string_copy(fn->common.function_name));
			add_assoc_long(template, KEY_FUNC_LINE, fn->op_array.line_start);
			return true;
		}
	} ZEND_HASH_FOREACH_END();
	return false;
}

static bool locate_in_class(zend_class_entry *ce, const zend_op_array *func, zval *template, tree_path_t *path)
{
	zend_function *fn;

	ZEND_HASH_FOREACH_PTR(&ce->function_table, fn) {
		/* inherited and trait-imported copies are found under their own class */
		if (fn->type != ZEND_USER_FUNCTION || fn->common.scope != ce
				|| (fn->common.fn_flags & ZEND_ACC_TRAIT_CLONE)
				|| !zend_string_equals(fn->op_array.filename, func->filename)) {
			continue;
		}
		path->depth = 0;
		if (asynctask_closure_tree_find(&fn->op_array, func->opcodes, path)) {
			add_assoc_string(template, KEY_ROOT, ROOT_METHOD);
			add_assoc_str(template, KEY_CLASS, zend_string_copy(ce->name));
			add_assoc_long(template, KEY_CLASS_LINE, ce->info.user.line_start);
			add_assoc_str(template, KEY_FUNCTION, zend_string_copy(fn->common.function_name));
			return true;
		}
	} ZEND_HASH_FOREACH_END();
	return false;
}

static zend_class_entry *locate_in_classes(const zend_op_array *func, zval *template, tree_path_t *path)
{
	zend_class_entry *ce;

	ZEND_HASH_REVERSE_FOREACH_PTR(EG(class_table), ce) {
		if (ce->type == ZEND_USER_CLASS && ce->info.user.filename
				&& zend_string_equals(ce->info.user.filename, func->filename)
				&& locate_in_class(ce, func, template, path)) {
			return ce;
		}
	} ZEND_HASH_FOREACH_END();
	return NULL;
}

static void add_path(zval *template, const tree_path_t *path)
{
	zval list;

	array_init_size(&list, path->depth);
	for (uint32_t i = 0; i < path->depth; i++) {
		add_next_index_long(&list, path->index[i]);
	}
	add_assoc_zval(template, KEY_PATH, &list);
}

/* Fills res->template with the closure's position, or sets res->refusal. */
static void locate(resolution_t *res, const zend_op_array *func)
{
	site_t *site = zend_hash_index_find_ptr(&asynctask_closure_sites, (zend_ulong) (uintptr_t) func->opcodes);
	zval *template = &res->template;
	tree_path_t path = {0};
	zend_class_entry *ce;

	array_init(template);
	add_assoc_string(template, KEY_KIND, "closure");
	add_assoc_str(template, KEY_FILE, zend_string_copy(func->filename));
	if (site && asynctask_closure_identity_matches(&site->id, func)) {
		path = site->path;
		add_assoc_string(template, KEY_ROOT, ROOT_MAIN);
	} else if (!locate_in_functions(func, template, &path)) {
		ce = locate_in_classes(func, template, &path);
		if (!ce) {
			res->refusal = zend_strpprintf(0, "its code cannot be found in the compiled tree of %s (compiled "
				"before asynctask could observe it, e.g. preloaded)", ZSTR_VAL(func->filename));
			return;
		}
		if (ce->ce_flags & ZEND_ACC_ANON_CLASS) {
			res->refusal = reason_string("it is declared in a method of an anonymous class, which a worker "
				"cannot rebuild; use a named class");
			return;
		}
	}
	add_path(template, &path);
	zval lines;
	array_init_size(&lines, 2);
	add_next_index_long(&lines, func->line_start);
	add_next_index_long(&lines, func->line_end);
	add_assoc_zval(template, KEY_LINES, &lines);
	add_assoc_long(template, KEY_NUM_ARGS, func->num_args);
}

/* Why the closure's code cannot run in a worker, or NULL with its use
 * variables in `uses` (name => offset). The dispatcher refuses to send such
 * a closure; the worker refuses to run one a forged payload points at. */
zend_string *asynctask_closure_refusal_for_code(const zend_op_array *func, HashTable *uses)
{
	const char *reason;

	if (func->fn_flags & ZEND_ACC_GENERATOR) {
		return reason_string("it is a generator; its values cannot come back from a worker: return "
			"an array instead");
	}
	if ((reason = refusal_for_declarations(func))) {
		return reason_string(reason);
	}
	return collect_uses(func, uses);
}

resolution_t *asynctask_closure_resolve(const zend_op_array *func)
{
	zend_ulong key = (zend_ulong) (uintptr_t) func->opcodes;
	resolution_t *res = zend_hash_index_find_ptr(&ASYNCTASK_G(closure_cache), key);

	if (res && asynctask_closure_identity_matches(&res->id, func)) {
		return res;
	}
	res = ecalloc(1, sizeof(*res));
	asynctask_closure_identity_init(&res->id, func);
	ZVAL_UNDEF(&res->template);
	zend_hash_index_update_ptr(&ASYNCTASK_G(closure_cache), key, res);

	if ((res->refusal = refusal_for_file(func->filename))) {
		return res;
	}
	ALLOC_HASHTABLE(res->uses);
	zend_hash_init(res->uses, 8, NULL, NULL, 0);
	if ((res->refusal = asynctask_closure_refusal_for_code(func, res->uses))) {
		return res;
	}
	locate(res, func);
	return res;
}

/* --- dispatcher: does the code reach $this? ---------------------------------
 *
 * A closure declared in a method is bound to the method's $this whether it
 * uses it or not, and that object can be large or unserializable (a PDO, a
 * container, closures). It travels only when the closure's code can reach
 * it; otherwise the worker binds the same scope, and the class of $this as
 * the called scope, to a closure without one: self::, static::, parent::,
 * private members and static closures behave as in the dispatcher. Decided
 * over the closure's op_array and every closure nested in it (a nested
 * closure gets its $this from the one that creates it); when in doubt, $this
 * travels. The code reaches $this through:
 *  - `$this` (also isset($this), ${'this'}): ZEND_ACC_USES_THIS, which the
 *    compiler sets on the op_array naming it, not on the closures around it;
 *  - a variable named at run time ($$name is $this when $name is "this");
 *  - include, require and eval, whose code runs in the closure's frame;
 *  - compact('this'), and debug_backtrace(), which shows the frame's object;
 *  - PHP handing the calling frame's $this on: to an instance method, or to
 *    __call, called with static syntax (parent::m(), self::m(), A::m()), and
 *    to one named by a callable that an internal function resolves in the
 *    closure's frame ('parent::m' or [self::class, 'm'] given to
 *    call_user_func(), array_map(), Closure::fromCallable()...). So: a string
 *    in the code naming such a function or an instance method of the
 *    classes, any 'A::m' string when $this has __call, a static-syntax call
 *    whose method is named at run time or may end in __call, and a default
 *    value computed at run time (not looked into).
 * Beyond this check, and documented: a callable naming the class built at
 * run time from strings the code does not contain, and a function called by
 * the closure that reads its caller's frame with debug_backtrace().
 */

/* Does the function name (namespaced or not) name one that reads its
 * caller's $this? */
static bool function_reads_this(const zend_string *name)
{
	static const char *const functions[] = { "compact", "debug_backtrace", "debug_print_backtrace" };
	const char *backslash = zend_memrchr(ZSTR_VAL(name), '\\', ZSTR_LEN(name));
	const char *start = backslash ? backslash + 1 : ZSTR_VAL(name);
	size_t len = ZSTR_VAL(name) + ZSTR_LEN(name) - start;

	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		if (len == strlen(functions[i]) && zend_binary_strcasecmp(start, len, functions[i], len) == 0) {
			return true;
		}
	}
	return false;
}

static bool is_instance_method(const zend_class_entry *ce, const char *name, size_t len)
{
	const zend_function *fn = ce ? zend_hash_str_find_ptr_lc(&ce->function_table, name, len) : NULL;

	return fn && !(fn->common.fn_flags & ZEND_ACC_STATIC);
}

/* A constant of the code, as a value (a callable can be made of it): a
 * string naming compact or debug_backtrace, or an instance method of the
 * classes alone or after '::' ('m', 'parent::m', 'A::m'; any 'A::m' when
 * $this has __call); a constant array of such ([A::class, 'm']); a default
 * value computed at run time (not looked into). */
static bool value_reaches_this(const zval *value, const zend_class_entry *scope, const zend_class_entry *this_class,
	uint32_t depth)
{
	const char *name, *end, *separator;
	const zval *item;

	switch (Z_TYPE_P(value)) {
		case IS_STRING:
			if (function_reads_this(Z_STR_P(value))) {
				return true;
			}
			name = Z_STRVAL_P(value);
			end = name + Z_STRLEN_P(value);
			if ((separator = zend_memnrstr(name, "::", 2, end))) {
				if (this_class->__call) {
					return true;
				}
				name = separator + 2;
			}
			return is_instance_method(this_class, name, end - name) || is_instance_method(scope, name, end - name);
		case IS_ARRAY:
			if (depth == TREE_MAX_DEPTH) {
				return true;
			}
			ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(value), item) {
				if (value_reaches_this(item, scope, this_class, depth + 1)) {
					return true;
				}
			} ZEND_HASH_FOREACH_END();
			return false;
		case IS_CONSTANT_AST:
			return true;
		default:
			return false;
	}
}

/* Can this static-syntax call (A::m(), self::m(), parent::m(), static::m())
 * hand $this on? PHP does when $this is an instance of the class and m is
 * an instance method of it, or is missing and the class has __call. */
static bool static_call_reaches_this(const zend_op *opline, const zend_class_entry *scope,
	const zend_class_entry *this_class)
{
	const zend_class_entry *ce;
	const zend_function *fn;

	if (opline->op2_type != IS_CONST) {
		return true;  /* self::$name() */
	}
	if (opline->op1_type == IS_CONST) {
		/* the lowercased name follows the name */
		ce = zend_hash_find_ptr(EG(class_table), Z_STR_P(RT_CONSTANT(opline, opline->op1) + 1));
		if (ce && !instanceof_function(this_class, ce)) {
			ce = NULL;
		}
	} else if (opline->op1_type == IS_UNUSED) {
		switch (opline->op1.num & ZEND_FETCH_CLASS_MASK) {
			case ZEND_FETCH_CLASS_SELF:
				ce = scope;
				break;
			case ZEND_FETCH_CLASS_PARENT:
				ce = scope ? scope->parent : NULL;
				break;
			default:
				ce = this_class;
				break;
		}
	} else {
		return true;  /* $class::m() */
	}
	if (!ce) {
		return false;  /* not a class of $this: every one of those is loaded */
	}
	fn = zend_hash_find_ptr(&ce->function_table, Z_STR_P(RT_CONSTANT(opline, opline->op2) + 1));
	return fn ? !(fn->common.fn_flags & ZEND_ACC_STATIC) : ce->__call != NULL;
}

/* Can the code of op_array, or of a closure nested in it, reach $this? */
static bool code_reaches_this(const zend_op_array *op_array, const zend_class_entry *scope,
	const zend_class_entry *this_class)
{
	if (op_array->fn_flags & ZEND_ACC_USES_THIS) {
		return true;
	}
	for (uint32_t i = 0; i < op_array->last; i++) {
		const zend_op *opline = &op_array->opcodes[i];
		const zval *name;

		switch (opline->opcode) {
			case ZEND_FETCH_R:
			case ZEND_FETCH_W:
			case ZEND_FETCH_RW:
			case ZEND_FETCH_IS:
			case ZEND_FETCH_FUNC_ARG:
			case ZEND_FETCH_UNSET:
			case ZEND_ISSET_ISEMPTY_VAR:
			case ZEND_UNSET_VAR:
				/* $$name; a constant name (as the optimizer may make of it) only when it is "this" */
				name = opline->op1_type == IS_CONST ? RT_CONSTANT(opline, opline->op1) : NULL;
				if (!name || Z_TYPE_P(name) != IS_STRING || zend_string_equals_literal(Z_STR_P(name), "this")) {
					return true;
				}
				continue;
			case ZEND_INCLUDE_OR_EVAL:
				return true;
			case ZEND_INIT_STATIC_METHOD_CALL:
				if (static_call_reaches_this(opline, scope, this_class)) {
					return true;
				}
				continue;
			case ZEND_INIT_FCALL:
			case ZEND_INIT_FCALL_BY_NAME:
			case ZEND_INIT_NS_FCALL_BY_NAME:
				if (function_reads_this(Z_STR_P(RT_CONSTANT(opline, opline->op2)))) {
					return true;
				}
				continue;
			/* names of members of another object ($this->m sets USES_THIS):
			 * not values a callable could be made of */
			case ZEND_INIT_METHOD_CALL:
			case ZEND_FETCH_OBJ_R:
			case ZEND_FETCH_OBJ_W:
			case ZEND_FETCH_OBJ_RW:
			case ZEND_FETCH_OBJ_IS:
			case ZEND_FETCH_OBJ_FUNC_ARG:
			case ZEND_FETCH_OBJ_UNSET:
			case ZEND_ASSIGN_OBJ:
			case ZEND_ASSIGN_OBJ_OP:
			case ZEND_ASSIGN_OBJ_REF:
			case ZEND_PRE_INC_OBJ:
			case ZEND_PRE_DEC_OBJ:
			case ZEND_POST_INC_OBJ:
			case ZEND_POST_DEC_OBJ:
			case ZEND_ISSET_ISEMPTY_PROP_OBJ:
			case ZEND_UNSET_OBJ:
				continue;
		}
		/* any other constant operand is looked at as a value */
		if ((opline->op1_type == IS_CONST && value_reaches_this(RT_CONSTANT(opline, opline->op1), scope, this_class, 0))
				|| (opline->op2_type == IS_CONST
					&& value_reaches_this(RT_CONSTANT(opline, opline->op2), scope, this_class, 0))) {
			return true;
		}
	}
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		if (code_reaches_this(op_array->dynamic_func_defs[i], scope, this_class)) {
			return true;
		}
	}
	return false;
}

/* Does the closure's code reach its $this? Cached on its resolution, for
 * the classes it was last asked about: the answer depends on them, and a
 * closure is mostly dispatched from objects of one class. */
bool asynctask_closure_reaches_this(resolution_t *res, const zend_op_array *func, const zend_class_entry *scope,
	const zend_class_entry *this_class)
{
	if (res->this_class != this_class || res->this_scope != scope) {
		res->this_scope = scope;
		res->this_class = this_class;
		res->reaches_this = code_reaches_this(func, scope, this_class);
	}
	return res->reaches_this;
}
