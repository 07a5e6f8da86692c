/*
 * Closures by code reference.
 *
 * Where a closure's code sits: since PHP 8.1 every closure declared in an
 * op_array is listed, in source order, in that op_array's dynamic_func_defs.
 * A closure is therefore named by a root (the file's main script, a function,
 * or a class method) and the path of indexes from the root down to it.
 *
 * Dispatcher: a live closure shares its prototype's `opcodes`, so the path is
 * found exactly by looking for that pointer - in the functions and methods
 * declared by the closure's file, and in the main scripts this process has
 * compiled (recorded by a zend_compile_file wrapper installed at the first
 * request, after opcache's own). Nothing is guessed: two closures on one
 * line have distinct prototypes.
 *
 * Worker: the file is compiled into private tables without executing it and
 * without declaring anything, then the same path leads to the same op_array.
 */
#include <sys/stat.h>

#include "php.h"
#include "zend_closures.h"
#include "zend_compile.h"
#include "zend_exceptions.h"
#include "ext/standard/md5.h"

#include "php_asynctask.h"
#include "closure.h"
#include "callable.h"
#include "serializer.h"
#include "exceptions.h"

/* Description keys (kind "closure"). */
#define KEY_FILE   "f"   /* declaring file */
#define KEY_HASH   "h"   /* md5 of the file's contents */
#define KEY_ROOT   "r"   /* "" main script, "function", or "Class::method" */
#define KEY_PATH   "p"   /* indexes into dynamic_func_defs */
#define KEY_LINES  "l"   /* [line_start, line_end], a check */
#define KEY_ARGS   "a"   /* num_args, a check */
#define KEY_USES   "u"   /* use variables: name => value */
#define KEY_THIS   "t"   /* bound $this */
#define KEY_SCOPE  "s"   /* scope class */
#define KEY_CALLED "cs"  /* called scope class */

#define MAX_DEPTH 32

/* Where a closure prototype sits: recorded per `opcodes` pointer. */
typedef struct {
	zend_string *file;
	zend_string *root;
	uint32_t     depth;
	uint32_t     path[MAX_DEPTH];
	uint32_t     line_start;
	uint32_t     line_end;
} location_t;

/* A file compiled for its closures (worker side), kept for the worker's life. */
typedef struct {
	zend_op_array *main;
	HashTable      functions;
	HashTable      classes;
} compiled_file_t;

static zend_op_array *(*original_compile_file)(zend_file_handle *file_handle, int type);
static bool hook_installed;
/* the caches exist between RINIT and RSHUTDOWN only */
static bool caches_ready;

/* --- locations ---------------------------------------------------------- */

static void location_free(zval *zv)
{
	location_t *loc = Z_PTR_P(zv);
	zend_string_release(loc->file);
	zend_string_release(loc->root);
	efree(loc);
}

static void remember(zend_op_array *def, zend_string *root, const uint32_t *path, uint32_t depth)
{
	location_t *loc = emalloc(sizeof(*loc));

	loc->file = zend_string_copy(def->filename);
	loc->root = zend_string_copy(root);
	loc->depth = depth;
	memcpy(loc->path, path, depth * sizeof(uint32_t));
	loc->line_start = def->line_start;
	loc->line_end = def->line_end;
	zend_hash_index_update_ptr(&ASYNCTASK_G(closure_cache), (zend_ulong) (uintptr_t) def->opcodes, loc);
}

/* Records every closure under op_array, depth first. */
static void remember_tree(zend_op_array *op_array, zend_string *root, uint32_t *path, uint32_t depth)
{
	if (depth >= MAX_DEPTH) {
		return;
	}
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		zend_op_array *def = op_array->dynamic_func_defs[i];
		path[depth] = i;
		if (def->fn_flags & ZEND_ACC_CLOSURE) {
			remember(def, root, path, depth + 1);
		}
		remember_tree(def, root, path, depth + 1);
	}
}

static zend_op_array *recording_compile_file(zend_file_handle *file_handle, int type)
{
	zend_op_array *op_array = original_compile_file(file_handle, type);
	uint32_t path[MAX_DEPTH];

	if (op_array && op_array->num_dynamic_func_defs && caches_ready) {
		remember_tree(op_array, ZSTR_EMPTY_ALLOC(), path, 0);
	}
	return op_array;
}

/* Searches the tree under op_array for the prototype with these opcodes. */
static bool find_in_tree(zend_op_array *op_array, const zend_op *opcodes, uint32_t *path, uint32_t depth, uint32_t *found_depth)
{
	if (depth >= MAX_DEPTH) {
		return false;
	}
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		zend_op_array *def = op_array->dynamic_func_defs[i];
		path[depth] = i;
		if (def->opcodes == opcodes) {
			*found_depth = depth + 1;
			return true;
		}
		if (find_in_tree(def, opcodes, path, depth + 1, found_depth)) {
			return true;
		}
	}
	return false;
}

/* Looks for the closure under the functions and methods its file declares. */
static bool find_in_declarations(const zend_op_array *closure, location_t *loc)
{
	zend_function *fn;
	zend_class_entry *ce;

	ZEND_HASH_MAP_FOREACH_PTR(EG(function_table), fn) {
		if (fn->type == ZEND_USER_FUNCTION && fn->op_array.filename == closure->filename
			&& find_in_tree(&fn->op_array, closure->opcodes, loc->path, 0, &loc->depth)) {
			loc->root = zend_string_tolower(fn->common.function_name);
			return true;
		}
	} ZEND_HASH_FOREACH_END();

	ZEND_HASH_MAP_FOREACH_PTR(EG(class_table), ce) {
		if (ce->type != ZEND_USER_CLASS || !ce->info.user.filename
			|| !zend_string_equals(ce->info.user.filename, closure->filename)) {
			continue;
		}
		ZEND_HASH_MAP_FOREACH_PTR(&ce->function_table, fn) {
			/* a method belongs to the class that declares it: not inherited, not copied from a trait */
			if (fn->type != ZEND_USER_FUNCTION || fn->common.scope != ce
				|| (fn->common.fn_flags & ZEND_ACC_TRAIT_CLONE)) {
				continue;
			}
			if (find_in_tree(&fn->op_array, closure->opcodes, loc->path, 0, &loc->depth)) {
				loc->root = zend_strpprintf(0, "%s::%s", ZSTR_VAL(ce->name), ZSTR_VAL(fn->common.function_name));
				return true;
			}
		} ZEND_HASH_FOREACH_END();
	} ZEND_HASH_FOREACH_END();
	return false;
}

/* --- fingerprints ------------------------------------------------------- */

/* md5 of the file's contents, or NULL when it cannot be read. */
static zend_string *fingerprint(const char *path)
{
	php_stream *stream = php_stream_open_wrapper((char *) path, "rb", 0, NULL);
	PHP_MD5_CTX ctx;
	unsigned char digest[16];
	char buf[8192], hex[33];
	ssize_t n;

	if (!stream) {
		return NULL;
	}
	PHP_MD5Init(&ctx);
	while ((n = php_stream_read(stream, buf, sizeof(buf))) > 0) {
		PHP_MD5Update(&ctx, buf, (size_t) n);
	}
	php_stream_close(stream);
	PHP_MD5Final(digest, &ctx);
	make_digest_ex(hex, digest, 16);
	return zend_string_init(hex, 32, 0);
}

/* Cached per path while size, mtime and inode stay the same. */
static zend_string *file_fingerprint(zend_string *path)
{
	struct stat st;
	zend_string *key;
	zval *cached, entry;

	if (stat(ZSTR_VAL(path), &st) != 0) {
		return NULL;
	}
	key = zend_strpprintf(0, "%s\n%lld\n%lld.%ld\n%llu", ZSTR_VAL(path), (long long) st.st_size,
		(long long) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec, (unsigned long long) st.st_ino);
	cached = zend_hash_find(&ASYNCTASK_G(file_cache), key);
	if (cached) {
		zend_string_release(key);
		return zend_string_copy(Z_STR_P(cached));
	}
	zend_string *hash = fingerprint(ZSTR_VAL(path));
	if (hash) {
		ZVAL_STR_COPY(&entry, hash);
		zend_hash_update(&ASYNCTASK_G(file_cache), key, &entry);
	}
	zend_string_release(key);
	return hash;
}

/* --- dispatcher: checks ------------------------------------------------- */

static bool has_real_file(zend_string *filename)
{
	const char *name = ZSTR_VAL(filename);
	return ZSTR_LEN(filename) > 0 && name[0] == '/' && !strstr(name, "eval()'d code")
		&& strcmp(name, "Command line code") != 0 && strcmp(name, "Standard input code") != 0;
}

static zend_result refuse(const zend_op_array *op_array, const char *reason)
{
	asynctask_throw(asynctask_ce_serialization_exception, "the closure defined at %s:%u cannot be sent to a worker: %s",
		ZSTR_VAL(op_array->filename), op_array->line_start, reason);
	return FAILURE;
}

/* Declarations would run in the worker and change it for every later task. */
static const char *forbidden_opcode(const zend_op_array *op_array, uint32_t depth)
{
	for (uint32_t i = 0; i < op_array->last; i++) {
		switch (op_array->opcodes[i].opcode) {
			case ZEND_DECLARE_CLASS:
			case ZEND_DECLARE_CLASS_DELAYED:
				return "it declares a class; declare classes outside the closure";
			case ZEND_DECLARE_ANON_CLASS:
				return "it declares an anonymous class (new class {...}); use a named class";
			case ZEND_DECLARE_FUNCTION:
				return "it declares a function; declare functions outside the closure";
		}
	}
	if (depth < MAX_DEPTH) {
		for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
			const char *why = forbidden_opcode(op_array->dynamic_func_defs[i], depth + 1);
			if (why) {
				return why;
			}
		}
	}
	return NULL;
}

/* Collects the use variables (by value) into `uses`; refuses by-reference
 * captures and static variables. */
static zend_result collect_uses(const zend_op_array *op_array, HashTable *statics, zval *uses)
{
	char what[128];

	for (uint32_t i = 0; i < op_array->last; i++) {
		const zend_op *opline = &op_array->opcodes[i];
		if (opline->opcode != ZEND_BIND_STATIC) {
			continue;
		}
		zend_string *name = op_array->vars[EX_VAR_TO_NUM(opline->op1.var)];
		uint32_t flags = opline->extended_value & (ZEND_BIND_REF | ZEND_BIND_IMPLICIT | ZEND_BIND_EXPLICIT);
		if (!(flags & (ZEND_BIND_IMPLICIT | ZEND_BIND_EXPLICIT))) {
			snprintf(what, sizeof(what), "it has a static variable $%s, whose state would diverge silently "
				"between workers; pass the value as an argument instead", ZSTR_VAL(name));
			return refuse(op_array, what);
		}
		if (flags & ZEND_BIND_REF) {
			snprintf(what, sizeof(what), "it captures $%s by reference; references cannot cross processes: "
				"capture by value (use ($%s)) or return the value", ZSTR_VAL(name), ZSTR_VAL(name));
			return refuse(op_array, what);
		}
		zval *value = statics ? zend_hash_find(statics, name) : NULL;
		if (!value) {
			continue;
		}
		ZVAL_DEREF(value);
		if (Z_ISUNDEF_P(value)) {
			continue; /* an arrow function saw the variable undefined: so will the worker */
		}
		snprintf(what, sizeof(what), "use variable $%s", ZSTR_VAL(name));
		if (asynctask_value_check(value, what) == FAILURE) {
			return FAILURE;
		}
		Z_TRY_ADDREF_P(value);
		zend_hash_update(Z_ARRVAL_P(uses), name, value);
	}
	return SUCCESS;
}

/* --- dispatcher: encode ------------------------------------------------- */

static zend_result locate(const zend_op_array *op_array, location_t *loc)
{
	zval *zv = zend_hash_index_find(&ASYNCTASK_G(closure_cache), (zend_ulong) (uintptr_t) op_array->opcodes);

	if (zv) {
		location_t *known = Z_PTR_P(zv);
		/* an entry for freed code whose memory was reused would not match */
		if (zend_string_equals(known->file, op_array->filename) && known->line_start == op_array->line_start
			&& known->line_end == op_array->line_end) {
			*loc = *known;
			zend_string_addref(loc->root);
			return SUCCESS;
		}
	}
	if (find_in_declarations(op_array, loc)) {
		loc->file = op_array->filename;
		loc->line_start = op_array->line_start;
		loc->line_end = op_array->line_end;
		remember((zend_op_array *) op_array, loc->root, loc->path, loc->depth);
		return SUCCESS;
	}
	return FAILURE;
}

zend_result asynctask_closure_encode(zend_object *closure, zval *desc)
{
	const zend_function *func = zend_get_closure_method_def(closure);
	const zend_op_array *op_array = &func->op_array;
	zval this_zv, uses, path;
	location_t loc;
	const char *why;

	if (!has_real_file(op_array->filename)) {
		return refuse(op_array, "it was not declared in a file (eval()'d or command-line code); "
			"a worker rebuilds closures from their file");
	}
	if (op_array->fn_flags & ZEND_ACC_GENERATOR) {
		return refuse(op_array, "it is a generator; its values cannot come back from a worker: "
			"return an array instead");
	}
	if ((why = forbidden_opcode(op_array, 0)) != NULL) {
		return refuse(op_array, why);
	}

	array_init(&uses);
	if (collect_uses(op_array, ZEND_MAP_PTR_GET(op_array->static_variables_ptr), &uses) == FAILURE) {
		zval_ptr_dtor(&uses);
		return FAILURE;
	}
	ZVAL_OBJ(&this_zv, closure);
	zval *this_ptr = zend_get_closure_this_ptr(&this_zv);
	if (Z_TYPE_P(this_ptr) == IS_OBJECT && asynctask_value_check(this_ptr, "the closure's $this") == FAILURE) {
		zval_ptr_dtor(&uses);
		return FAILURE;
	}

	if (locate(op_array, &loc) == FAILURE) {
		zval_ptr_dtor(&uses);
		return refuse(op_array, "its code could not be located in its file's compiled code "
			"(a closure in a conditionally declared function, or a file compiled before asynctask was loaded)");
	}
	zend_string *hash = file_fingerprint(op_array->filename);
	if (!hash) {
		zval_ptr_dtor(&uses);
		zend_string_release(loc.root);
		return refuse(op_array, "its file cannot be read");
	}

	zend_class_entry *called_scope = NULL;
	zend_function *fptr;
	zend_object *obj_ptr;
	closure->handlers->get_closure(closure, &called_scope, &fptr, &obj_ptr, true);

	add_assoc_str(desc, KEY_FILE, zend_string_copy(op_array->filename));
	add_assoc_str(desc, KEY_HASH, hash);
	add_assoc_str(desc, KEY_ROOT, loc.root);
	array_init_size(&path, loc.depth);
	for (uint32_t i = 0; i < loc.depth; i++) {
		add_next_index_long(&path, loc.path[i]);
	}
	add_assoc_zval(desc, KEY_PATH, &path);
	zval lines;
	array_init_size(&lines, 2);
	add_next_index_long(&lines, op_array->line_start);
	add_next_index_long(&lines, op_array->line_end);
	add_assoc_zval(desc, KEY_LINES, &lines);
	add_assoc_long(desc, KEY_ARGS, op_array->num_args);
	add_assoc_zval(desc, KEY_USES, &uses);
	if (Z_TYPE_P(this_ptr) == IS_OBJECT) {
		Z_ADDREF_P(this_ptr);
		add_assoc_zval(desc, KEY_THIS, this_ptr);
	}
	if (func->common.scope) {
		add_assoc_str(desc, KEY_SCOPE, zend_string_copy(func->common.scope->name));
	}
	if (called_scope) {
		add_assoc_str(desc, KEY_CALLED, zend_string_copy(called_scope->name));
	}
	return SUCCESS;
}

/* --- worker: compile without executing or declaring --------------------- */

static compiled_file_t *compile_isolated(zend_string *path)
{
	compiled_file_t *unit = emalloc(sizeof(*unit));
	HashTable *functions = CG(function_table), *classes = CG(class_table);
	uint32_t options = CG(compiler_options);
	zval handler;
	zend_file_handle handle;

	zend_hash_init(&unit->functions, 8, NULL, NULL, 0);
	zend_hash_init(&unit->classes, 8, NULL, NULL, 0);
	ZVAL_COPY_VALUE(&handler, &EG(user_error_handler));
	ZVAL_UNDEF(&EG(user_error_handler));
	CG(function_table) = &unit->functions;
	CG(class_table) = &unit->classes;
	CG(compiler_options) = ZEND_COMPILE_DEFAULT | ZEND_COMPILE_WITHOUT_EXECUTION | ZEND_COMPILE_DELAYED_BINDING
		| ZEND_COMPILE_IGNORE_INTERNAL_CLASSES | ZEND_COMPILE_IGNORE_OTHER_FILES
		| ZEND_COMPILE_NO_CONSTANT_SUBSTITUTION | ZEND_COMPILE_IGNORE_USER_FUNCTIONS
		| ZEND_COMPILE_IGNORE_INTERNAL_FUNCTIONS | ZEND_COMPILE_IGNORE_OBSERVER;

	/* compile_file(), not zend_compile_file(): opcache would declare what it
	 * caches; a compile error bails out to the worker, which reports it */
	zend_stream_init_filename_ex(&handle, path);
	unit->main = compile_file(&handle, ZEND_INCLUDE);
	zend_destroy_file_handle(&handle);

	CG(function_table) = functions;
	CG(class_table) = classes;
	CG(compiler_options) = options;
	ZVAL_COPY_VALUE(&EG(user_error_handler), &handler);
	if (!unit->main) {
		zend_hash_destroy(&unit->functions);
		zend_hash_destroy(&unit->classes);
		efree(unit);
		return NULL;
	}
	return unit;
}

/* The root op_array named by a description, in a compiled unit. */
static zend_op_array *find_root(compiled_file_t *unit, zend_string *root)
{
	if (ZSTR_LEN(root) == 0) {
		return unit->main;
	}
	const char *sep = strstr(ZSTR_VAL(root), "::");
	if (!sep) {
		zend_function *fn = zend_hash_find_ptr(&unit->functions, root);
		return fn && fn->type == ZEND_USER_FUNCTION ? &fn->op_array : NULL;
	}
	size_t class_len = (size_t) (sep - ZSTR_VAL(root));
	zend_string *method = zend_string_init(sep + 2, ZSTR_LEN(root) - class_len - 2, 0);
	zend_class_entry *ce;
	zend_op_array *found = NULL;
	/* delayed-bound classes sit under runtime keys: match by name */
	ZEND_HASH_MAP_FOREACH_PTR(&unit->classes, ce) {
		if (ZSTR_LEN(ce->name) == class_len && zend_binary_strcasecmp(ZSTR_VAL(ce->name), class_len,
				ZSTR_VAL(root), class_len) == 0) {
			zend_function *fn = zend_hash_find_ptr_lc(&ce->function_table, method);
			if (fn && fn->type == ZEND_USER_FUNCTION) {
				found = &fn->op_array;
				break;
			}
		}
	} ZEND_HASH_FOREACH_END();
	zend_string_release(method);
	return found;
}

static compiled_file_t *compiled(zend_string *file, zend_string *hash, zend_string **error)
{
	zend_string *key = zend_strpprintf(0, "%s\n%s", ZSTR_VAL(file), ZSTR_VAL(hash));
	zval *cached = zend_hash_find(&ASYNCTASK_G(file_cache), key);
	compiled_file_t *unit;

	if (cached) {
		zend_string_release(key);
		return Z_PTR_P(cached);
	}
	zend_string *current = fingerprint(ZSTR_VAL(file));
	if (!current) {
		*error = zend_strpprintf(0, "the closure's file %s cannot be read in the worker", ZSTR_VAL(file));
		zend_string_release(key);
		return NULL;
	}
	bool same = zend_string_equals(current, hash);
	zend_string_release(current);
	if (!same) {
		*error = zend_strpprintf(0, "the closure's file %s changed since the task was dispatched; "
			"the task was not run", ZSTR_VAL(file));
		zend_string_release(key);
		return NULL;
	}
	unit = compile_isolated(file);
	if (!unit) {
		*error = zend_strpprintf(0, "the closure's file %s could not be compiled in the worker", ZSTR_VAL(file));
		zend_string_release(key);
		return NULL;
	}
	zend_hash_add_new_ptr(&ASYNCTASK_G(file_cache), key, unit);
	zend_string_release(key);
	return unit;
}

static zend_string *desc_string(HashTable *desc, const char *key)
{
	zval *zv = zend_hash_str_find(desc, key, strlen(key));
	return zv && Z_TYPE_P(zv) == IS_STRING ? Z_STR_P(zv) : NULL;
}

static zend_long desc_long(HashTable *desc, const char *key, zend_long fallback)
{
	zval *zv = zend_hash_str_find(desc, key, strlen(key));
	return zv && Z_TYPE_P(zv) == IS_LONG ? Z_LVAL_P(zv) : fallback;
}

static zend_class_entry *lookup_class(zend_string *name, const char *role, zend_string **error)
{
	zend_class_entry *ce = zend_lookup_class(name);
	if (EG(exception)) {
		zend_clear_exception();
	}
	if (!ce) {
		*error = zend_strpprintf(0, "class %s (the closure's %s) is not known in the worker; declare it before "
			"the pool starts or make it autoloadable (asynctask.bootstrap)", ZSTR_VAL(name), role);
	}
	return ce;
}

/* Writes the use variables into the new closure's own static variables. */
static void bind_uses(zval *closure, HashTable *uses)
{
	zend_op_array *op_array = (zend_op_array *) &zend_get_closure_method_def(Z_OBJ_P(closure))->op_array;
	HashTable *statics = ZEND_MAP_PTR_GET(op_array->static_variables_ptr);
	zend_string *name;
	zval *value;

	if (!statics) {
		return;
	}
	ZEND_HASH_FOREACH_STR_KEY_VAL(uses, name, value) {
		/* opcodes address the buckets by offset: update in place, never add */
		zval *slot = name ? zend_hash_find(statics, name) : NULL;
		if (slot) {
			zval_ptr_dtor(slot);
			ZVAL_COPY(slot, value);
		}
	} ZEND_HASH_FOREACH_END();
}

zend_result asynctask_closure_decode(HashTable *desc, zval *closure, zend_string **error)
{
	zend_string *file = desc_string(desc, KEY_FILE);
	zend_string *hash = desc_string(desc, KEY_HASH);
	zend_string *root = desc_string(desc, KEY_ROOT);
	zval *path = zend_hash_str_find(desc, KEY_PATH, sizeof(KEY_PATH) - 1);
	zval *lines = zend_hash_str_find(desc, KEY_LINES, sizeof(KEY_LINES) - 1);
	zval *uses = zend_hash_str_find(desc, KEY_USES, sizeof(KEY_USES) - 1);
	zval *this_ptr = zend_hash_str_find(desc, KEY_THIS, sizeof(KEY_THIS) - 1);
	zend_string *scope_name = desc_string(desc, KEY_SCOPE);
	zend_string *called_name = desc_string(desc, KEY_CALLED);
	zend_class_entry *scope = NULL, *called_scope = NULL;
	zval *index;

	if (!file || !hash || !root || !path || Z_TYPE_P(path) != IS_ARRAY || !lines || Z_TYPE_P(lines) != IS_ARRAY
		|| !uses || Z_TYPE_P(uses) != IS_ARRAY) {
		*error = zend_string_init("the task payload is corrupt: bad closure description",
			sizeof("the task payload is corrupt: bad closure description") - 1, 0);
		return FAILURE;
	}
	compiled_file_t *unit = compiled(file, hash, error);
	if (!unit) {
		return FAILURE;
	}
	zend_op_array *op_array = find_root(unit, root);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(path), index) {
		if (!op_array || Z_TYPE_P(index) != IS_LONG || Z_LVAL_P(index) < 0
			|| (zend_ulong) Z_LVAL_P(index) >= op_array->num_dynamic_func_defs) {
			op_array = NULL;
			break;
		}
		op_array = op_array->dynamic_func_defs[Z_LVAL_P(index)];
	} ZEND_HASH_FOREACH_END();

	zval *line_start = zend_hash_index_find(Z_ARRVAL_P(lines), 0);
	zval *line_end = zend_hash_index_find(Z_ARRVAL_P(lines), 1);
	if (!op_array || !(op_array->fn_flags & ZEND_ACC_CLOSURE) || !line_start || !line_end
		|| Z_TYPE_P(line_start) != IS_LONG || Z_TYPE_P(line_end) != IS_LONG
		|| (zend_long) op_array->line_start != Z_LVAL_P(line_start)
		|| (zend_long) op_array->line_end != Z_LVAL_P(line_end)
		|| (zend_long) op_array->num_args != desc_long(desc, KEY_ARGS, -1)) {
		*error = zend_strpprintf(0, "the closure of %s could not be found in the worker's compile of that file",
			ZSTR_VAL(file));
		return FAILURE;
	}
	if (scope_name && !(scope = lookup_class(scope_name, "scope", error))) {
		return FAILURE;
	}
	if (called_name && !(called_scope = lookup_class(called_name, "called scope", error))) {
		return FAILURE;
	}
	zend_create_closure(closure, (zend_function *) op_array, scope, called_scope ? called_scope : scope,
		this_ptr && Z_TYPE_P(this_ptr) == IS_OBJECT ? this_ptr : NULL);
	bind_uses(closure, Z_ARRVAL_P(uses));
	return SUCCESS;
}

/* --- caches ------------------------------------------------------------- */

void asynctask_callable_cache_init(void)
{
	zend_hash_init(&ASYNCTASK_G(closure_cache), 32, NULL, location_free, 0);
	/* fingerprints (strings) in the dispatcher; compiled files (kept for the worker's life) in workers */
	zend_hash_init(&ASYNCTASK_G(file_cache), 8, NULL, ZVAL_PTR_DTOR, 0);
	caches_ready = true;
	if (!hook_installed) {
		/* installed at the first request, after opcache's own wrapper, so it
		 * sees what opcache returns (cached or not) */
		original_compile_file = zend_compile_file;
		zend_compile_file = recording_compile_file;
		hook_installed = true;
	}
}

void asynctask_callable_cache_destroy(void)
{
	caches_ready = false;
	zend_hash_destroy(&ASYNCTASK_G(closure_cache));
	zend_hash_destroy(&ASYNCTASK_G(file_cache));
}

void asynctask_callable_shutdown(void)
{
	if (hook_installed && zend_compile_file == recording_compile_file) {
		zend_compile_file = original_compile_file;
	}
	hook_installed = false;
}
