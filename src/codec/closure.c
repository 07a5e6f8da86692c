/*
 * Closures by code reference.
 *
 * Dispatcher side. A live closure shares its prototype's `opcodes` pointer,
 * so its code is identified exactly (never by guessing from line numbers)
 * by finding which op_array of its file's compiled tree owns that pointer:
 *  - closures under a file's main op_array: the main op_array is gone once
 *    the file has run, so zend_compile_file is wrapped and every compiled
 *    file's tree is recorded (opcodes pointer => index path);
 *  - closures under functions and methods: searched in EG(function_table)
 *    and EG(class_table), through dynamic_func_defs.
 * The position found (root + index path) is a property of the source text
 * alone: a raw compile of the same bytes in the worker yields the same
 * tree, with or without opcache. Resolutions are cached per opcodes pointer.
 *
 * Worker side. The file is read, its fingerprint compared with the one the
 * dispatcher saw, and the very bytes fingerprinted are compiled without
 * executing or declaring anything (cached per path and fingerprint for the
 * life of the worker). The op_array at the same position is checked against
 * the line range and argument count sent along, and the closure is rebuilt
 * with zend_create_closure(), its `use` variables written into its table.
 *
 * State (all per request, NTS only):
 *  - sites:         opcodes pointer => site_t, recorded by the compile hook;
 *  - fingerprints:  path => md5 hex of the file, dropped when the file is
 *                   compiled again (so the fingerprint describes the code
 *                   this process runs, not whatever is on disk later);
 *  - ASYNCTASK_G(closure_cache): opcodes pointer => resolution_t;
 *  - ASYNCTASK_G(file_cache):    path => compiled_t (worker side).
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
#include "src/codec/serializer.h"
#include "src/base/exceptions.h"

/* Deeper nesting of closures than this is refused. */
#define TREE_MAX_DEPTH 32

/* Keys of the description (see callable.h for the whole format). */
#define KEY_KIND         "kind"
#define KEY_FILE         "file"
#define KEY_MD5          "md5"
#define KEY_ROOT         "root"
#define KEY_CLASS        "class"
#define KEY_CLASS_LINE   "class_line"
#define KEY_FUNCTION     "function"
#define KEY_FUNC_LINE    "function_line"
#define KEY_PATH         "path"
#define KEY_LINES        "lines"
#define KEY_NUM_ARGS     "num_args"
#define KEY_VARS         "vars"
#define KEY_THIS         "this"
#define KEY_SCOPE        "scope"
#define KEY_CALLED_SCOPE "called_scope"

#define ROOT_MAIN     "main"
#define ROOT_FUNCTION "function"
#define ROOT_METHOD   "method"

#define FLAG_MASK (ZEND_BIND_REF | ZEND_BIND_IMPLICIT | ZEND_BIND_EXPLICIT)

typedef struct {
	uint32_t depth;
	uint32_t index[TREE_MAX_DEPTH];
} tree_path_t;

/* What identifies an op_array beside its opcodes pointer: a pointer can be
 * reused once a file's op_arrays are freed, these cannot all match by chance. */
typedef struct {
	zend_string *file;
	uint32_t line_start;
	uint32_t line_end;
	uint32_t last;
} identity_t;

/* A closure prototype seen under a compiled file's main op_array. */
typedef struct {
	identity_t id;
	tree_path_t path;
} site_t;

/* How a closure's code is sent, or why it cannot be. */
typedef struct {
	identity_t id;
	zend_string *refusal;  /* non-NULL: the reason, the rest is unset */
	zval template;         /* the description's fixed part */
	HashTable *uses;       /* use variable name => byte offset in static_variables */
	zend_string *code;     /* the template and code_md5 serialized: the code reference */
	zend_string *code_md5; /* the fingerprint `code` holds */
	/* whether the code reaches a bound $this, for the scope and the class of
	 * $this it was last decided for (see reaches_this()) */
	const zend_class_entry *this_scope;
	const zend_class_entry *this_class;
	bool reaches_this;
} resolution_t;

/* Where a closure's code is in the worker's compile of its file; cached
 * under its code reference (`code`, NULL when not cached). */
typedef struct {
	zend_op_array *op_array;
	zend_string *file;
	uint32_t line;
	zend_string *code;
} located_t;

/* A file compiled in the worker. */
typedef struct {
	zend_string *md5;
	zend_op_array *main;
	HashTable functions;
	HashTable classes;
} compiled_t;

static HashTable sites;
static HashTable fingerprints;
static bool caches_ready;
static bool hook_installed;
static zend_op_array *(*previous_compile_file)(zend_file_handle *handle, int type);

/* --- identities and trees ------------------------------------------------ */

static void identity_init(identity_t *id, const zend_op_array *op_array)
{
	id->file = zend_string_copy(op_array->filename);
	id->line_start = op_array->line_start;
	id->line_end = op_array->line_end;
	id->last = op_array->last;
}

static bool identity_matches(const identity_t *id, const zend_op_array *op_array)
{
	return id->line_start == op_array->line_start && id->line_end == op_array->line_end
		&& id->last == op_array->last && zend_string_equals(id->file, op_array->filename);
}

/* Finds the op_array owning `opcodes` strictly under `op_array`; fills `path`. */
static bool tree_find(const zend_op_array *op_array, const zend_op *opcodes, tree_path_t *path)
{
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		const zend_op_array *def = op_array->dynamic_func_defs[i];
		if (path->depth == TREE_MAX_DEPTH) {
			return false;
		}
		path->index[path->depth++] = i;
		if (def->opcodes == opcodes || tree_find(def, opcodes, path)) {
			return true;
		}
		path->depth--;
	}
	return false;
}

/* --- the compile hook ---------------------------------------------------- */

static void site_dtor(zval *zv)
{
	site_t *site = Z_PTR_P(zv);
	zend_string_release(site->id.file);
	efree(site);
}

static void record_tree(const zend_op_array *op_array, tree_path_t *path)
{
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs && path->depth < TREE_MAX_DEPTH; i++) {
		const zend_op_array *def = op_array->dynamic_func_defs[i];
		zend_ulong key = (zend_ulong) (uintptr_t) def->opcodes;
		site_t *site = emalloc(sizeof(*site));

		path->index[path->depth++] = i;
		identity_init(&site->id, def);
		site->path = *path;
		zend_hash_index_update_ptr(&sites, key, site);
		/* a resolution of a freed op_array at the same address is stale now */
		zend_hash_index_del(&ASYNCTASK_G(closure_cache), key);
		record_tree(def, path);
		path->depth--;
	}
}

/* Wraps zend_compile_file (and so sees what opcache returns on a hit). */
static zend_op_array *observe_compile_file(zend_file_handle *handle, int type)
{
	zend_op_array *op_array = previous_compile_file(handle, type);

	if (op_array && op_array->filename && caches_ready) {
		tree_path_t path = {0};
		zend_hash_del(&fingerprints, op_array->filename);
		record_tree(op_array, &path);
	}
	return op_array;
}

/* --- per-request state --------------------------------------------------- */

static void resolution_dtor(zval *zv)
{
	resolution_t *res = Z_PTR_P(zv);
	zend_string_release(res->id.file);
	if (res->refusal) {
		zend_string_release(res->refusal);
	}
	zval_ptr_dtor(&res->template);
	if (res->uses) {
		zend_array_destroy(res->uses);
	}
	if (res->code) {
		zend_string_release(res->code);
		zend_string_release(res->code_md5);
	}
	efree(res);
}

/* The code reference used last: a worker mostly runs one closure over and over. */
static located_t *last_located;

static void located_dtor(zval *zv)
{
	located_t *where = Z_PTR_P(zv);
	if (where == last_located) {
		last_located = NULL;
	}
	zend_string_release(where->file);
	zend_string_release(where->code);
	efree(where);
}

static void compiled_dtor(zval *zv)
{
	compiled_t *unit = Z_PTR_P(zv);
	zend_string_release(unit->md5);
	destroy_op_array(unit->main);
	efree(unit->main);
	zend_hash_destroy(&unit->functions);
	zend_hash_destroy(&unit->classes);
	efree(unit);
}

void asynctask_closure_cache_init(void)
{
	if (caches_ready) {
		return;
	}
	zend_hash_init(&sites, 64, NULL, site_dtor, 0);
	zend_hash_init(&fingerprints, 8, NULL, ZVAL_PTR_DTOR, 0);
	zend_hash_init(&ASYNCTASK_G(closure_cache), 16, NULL, resolution_dtor, 0);
	zend_hash_init(&ASYNCTASK_G(file_cache), 8, NULL, compiled_dtor, 0);
	zend_hash_init(&ASYNCTASK_G(code_cache), 16, NULL, located_dtor, 0);
	caches_ready = true;
	/* Installed at the first request, after opcache has put its own hook in
	 * place at startup: this one then sees the op_arrays opcache returns. */
	if (!hook_installed) {
		previous_compile_file = zend_compile_file;
		zend_compile_file = observe_compile_file;
		hook_installed = true;
	}
}

void asynctask_closure_cache_destroy(void)
{
	if (!caches_ready) {
		return;
	}
	/* the hook stays until module shutdown: it records nothing meanwhile */
	caches_ready = false;
	zend_hash_destroy(&ASYNCTASK_G(code_cache));  /* points into file_cache */
	zend_hash_destroy(&ASYNCTASK_G(file_cache));
	zend_hash_destroy(&ASYNCTASK_G(closure_cache));
	zend_hash_destroy(&fingerprints);
	zend_hash_destroy(&sites);
}

void asynctask_closure_shutdown(void)
{
	/* when another extension wrapped us since, it still calls us: stay */
	if (hook_installed && zend_compile_file == observe_compile_file) {
		zend_compile_file = previous_compile_file;
	}
	hook_installed = false;
}

/* --- fingerprints ---------------------------------------------------------- */

/* Opens a plain file for reading: its fd, or -1 with *reason set. */
static int open_plain_file(const char *path, struct stat *st, const char **reason)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st) != 0) {
		*reason = strerror(errno);
		if (fd >= 0) close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*reason = "not a regular file";
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads a whole plain file into an emalloc'd buffer padded for the scanner. */
static zend_result read_source(const char *path, char **buf, size_t *len, const char **reason)
{
	struct stat st;
	int fd = open_plain_file(path, &st, reason);
	size_t done = 0;

	if (fd < 0) {
		return FAILURE;
	}
	*buf = safe_emalloc(1, (size_t) st.st_size, ZEND_MMAP_AHEAD);
	while (done < (size_t) st.st_size) {
		ssize_t n = read(fd, *buf + done, (size_t) st.st_size - done);
		if (n <= 0) {
			if (n < 0 && errno == EINTR) continue;
			break;
		}
		done += (size_t) n;
	}
	close(fd);
	if (done != (size_t) st.st_size) {
		*reason = "short read (the file is being rewritten?)";
		efree(*buf);
		return FAILURE;
	}
	memset(*buf + done, 0, ZEND_MMAP_AHEAD);
	*len = done;
	return SUCCESS;
}

static zend_string *md5_final_hex(PHP_MD5_CTX *ctx)
{
	unsigned char digest[16];
	zend_string *hex = zend_string_alloc(32, 0);

	PHP_MD5Final(digest, ctx);
	make_digest_ex(ZSTR_VAL(hex), digest, 16);
	return hex;
}

static zend_string *md5_hex(const char *buf, size_t len)
{
	PHP_MD5_CTX ctx;

	PHP_MD5Init(&ctx);
	PHP_MD5Update(&ctx, buf, len);
	return md5_final_hex(&ctx);
}

/* md5 hex of a plain file, read in chunks (nothing allocated by its size). */
static zend_string *md5_file_streamed(const char *path, const char **reason)
{
	PHP_MD5_CTX ctx;
	char chunk[65536];
	struct stat st;
	ssize_t n;
	int fd = open_plain_file(path, &st, reason);

	if (fd < 0) {
		return NULL;
	}
	PHP_MD5Init(&ctx);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR) continue;
			*reason = strerror(errno);
			close(fd);
			return NULL;
		}
		PHP_MD5Update(&ctx, chunk, (size_t) n);
	}
	close(fd);
	return md5_final_hex(&ctx);
}

/* The dispatcher's fingerprint of `file`, cached until it is compiled again. */
static zend_string *fingerprint(zend_string *file, const char **reason)
{
	zval *cached = zend_hash_find(&fingerprints, file);
	char *buf;
	size_t len;
	zval md5;

	if (cached) {
		return Z_STR_P(cached);
	}
	if (read_source(ZSTR_VAL(file), &buf, &len, reason) == FAILURE) {
		return NULL;
	}
	ZVAL_STR(&md5, md5_hex(buf, len));
	efree(buf);
	zend_hash_update(&fingerprints, file, &md5);
	return Z_STR(md5);
}

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
		if (tree_find(&fn->op_array, func->opcodes, path)) {
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
		if (tree_find(&fn->op_array, func->opcodes, path)) {
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
	site_t *site = zend_hash_index_find_ptr(&sites, (zend_ulong) (uintptr_t) func->opcodes);
	zval *template = &res->template;
	tree_path_t path = {0};
	zend_class_entry *ce;

	array_init(template);
	add_assoc_string(template, KEY_KIND, "closure");
	add_assoc_str(template, KEY_FILE, zend_string_copy(func->filename));
	if (site && identity_matches(&site->id, func)) {
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
static zend_string *refusal_for_code(const zend_op_array *func, HashTable *uses)
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

static resolution_t *resolve(const zend_op_array *func)
{
	zend_ulong key = (zend_ulong) (uintptr_t) func->opcodes;
	resolution_t *res = zend_hash_index_find_ptr(&ASYNCTASK_G(closure_cache), key);

	if (res && identity_matches(&res->id, func)) {
		return res;
	}
	res = ecalloc(1, sizeof(*res));
	identity_init(&res->id, func);
	ZVAL_UNDEF(&res->template);
	zend_hash_index_update_ptr(&ASYNCTASK_G(closure_cache), key, res);

	if ((res->refusal = refusal_for_file(func->filename))) {
		return res;
	}
	ALLOC_HASHTABLE(res->uses);
	zend_hash_init(res->uses, 8, NULL, NULL, 0);
	if ((res->refusal = refusal_for_code(func, res->uses))) {
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
static bool reaches_this(resolution_t *res, const zend_op_array *func, const zend_class_entry *scope,
	const zend_class_entry *this_class)
{
	if (res->this_class != this_class || res->this_scope != scope) {
		res->this_scope = scope;
		res->this_class = this_class;
		res->reaches_this = code_reaches_this(func, scope, this_class);
	}
	return res->reaches_this;
}

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
	if (binding->this_obj && !reaches_this(res, func, binding->scope, binding->this_obj->ce)) {
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
	res = resolve(func);
	if (res->refusal) {
		refuse(func, ZSTR_VAL(res->refusal));
		return NULL;
	}
	if (!(*md5 = fingerprint(func->filename, &reason))) {
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
static compiled_t *compiled_file(zend_string *path, zend_string *md5, zend_string **error)
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
	if ((actual = md5_file_streamed(ZSTR_VAL(path), &reason)) == NULL) {
		asynctask_fail(error, "the closure's file %s cannot be read in the worker: %s", ZSTR_VAL(path), reason);
		return NULL;
	}
	if (!same_fingerprint(path, md5, actual, error)) {
		return NULL;
	}
	zend_string_release(actual);
	if (read_source(ZSTR_VAL(path), &buf, &len, &reason) == FAILURE) {
		asynctask_fail(error, "the closure's file %s cannot be read in the worker: %s", ZSTR_VAL(path), reason);
		return NULL;
	}
	/* again on what was read: the file may have been rewritten in between */
	actual = md5_hex(buf, len);
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

static zval *find_typed(HashTable *desc, const char *key, zend_uchar type)
{
	zval *value = zend_hash_str_find(desc, key, strlen(key));
	return value && Z_TYPE_P(value) == type ? value : NULL;
}

static zend_op_array *find_root(compiled_t *unit, HashTable *desc)
{
	zval *root = find_typed(desc, KEY_ROOT, IS_STRING);
	zval *class_name = find_typed(desc, KEY_CLASS, IS_STRING);
	zval *class_line = find_typed(desc, KEY_CLASS_LINE, IS_LONG);
	zval *function = find_typed(desc, KEY_FUNCTION, IS_STRING);
	zval *function_line = find_typed(desc, KEY_FUNC_LINE, IS_LONG);

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
static zend_op_array *follow_path(zend_op_array *op_array, HashTable *desc)
{
	zval *path = find_typed(desc, KEY_PATH, IS_ARRAY), *index;

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

static bool same_shape(const zend_op_array *op_array, HashTable *desc)
{
	zval *lines = find_typed(desc, KEY_LINES, IS_ARRAY);
	zval *num_args = find_typed(desc, KEY_NUM_ARGS, IS_LONG);
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
	zval *file = find_typed(desc, KEY_FILE, IS_STRING);
	zval *md5 = find_typed(desc, KEY_MD5, IS_STRING);
	zval *lines = find_typed(desc, KEY_LINES, IS_ARRAY);
	zval *start = lines ? zend_hash_index_find(Z_ARRVAL_P(lines), 0) : NULL;
	compiled_t *unit;

	if (!file || !md5) {
		return asynctask_fail(error, "the task payload is corrupt: bad closure description");
	}
	where->file = Z_STR_P(file);
	where->line = start && Z_TYPE_P(start) == IS_LONG ? (uint32_t) Z_LVAL_P(start) : 0;
	asynctask_closure_cache_init();
	if (!(unit = compiled_file(Z_STR_P(file), Z_STR_P(md5), error))) {
		return FAILURE;
	}
	where->op_array = follow_path(find_root(unit, desc), desc);
	if (!where->op_array || !same_shape(where->op_array, desc)) {
		return asynctask_fail(error, "the closure declared at %s:%u is not at the same place in the worker's compile of "
			"that file (same fingerprint): the two processes compile it differently", Z_STRVAL_P(file), where->line);
	}
	/* what a dispatcher refuses to send can only come from a forged payload */
	HashTable uses;
	zend_hash_init(&uses, 8, NULL, NULL, 0);
	zend_string *refusal = refusal_for_code(where->op_array, &uses);
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
	if (last_located && ZSTR_LEN(last_located->code) == len && memcmp(ZSTR_VAL(last_located->code), code, len) == 0) {
		return last_located;
	}
	if ((where = zend_hash_str_find_ptr(&ASYNCTASK_G(code_cache), code, len))) {
		return last_located = where;
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
	return last_located = where;
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
