/*
 * codec/closure/: closures by code reference, in five files that call
 * downwards: encode.c and decode.c (the two directions), locate.c (the
 * dispatcher finds the code), compile.c (the worker compiles its file
 * detached), state.c (what both sides keep). This header is what they
 * share; codec/closure.h is the codec's API. Like all of codec/ it may call
 * base/ (and the serializer beside it) only.
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
#ifndef ASYNCTASK_CLOSURE_COMMON_H
#define ASYNCTASK_CLOSURE_COMMON_H

#include "php.h"
#include "zend_compile.h"

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

/* The prototypes recorded by the compile hook: opcodes pointer => site_t (state.c). */
extern HashTable asynctask_closure_sites;
/* The last code reference the worker located (state.c, decode.c). */
extern located_t *asynctask_closure_last_located;

/* --- state.c: identities, trees, file fingerprints */

/* What identifies op_array besides its opcodes pointer. */
void asynctask_closure_identity_init(identity_t *id, const zend_op_array *op_array);

/* Whether op_array is still the one id was taken of (its opcodes pointer may be reused). */
bool asynctask_closure_identity_matches(const identity_t *id, const zend_op_array *op_array);

/* Finds the op_array owning `opcodes` strictly under `op_array`; fills `path`. */
bool asynctask_closure_tree_find(const zend_op_array *op_array, const zend_op *opcodes, tree_path_t *path);

/* Reads a whole plain file into an emalloc'd buffer padded for the scanner. */
zend_result asynctask_closure_read_source(const char *path, char **buf, size_t *len, const char **reason);

/* md5 hex of a buffer. */
zend_string *asynctask_closure_md5_hex(const char *buf, size_t len);

/* md5 hex of a plain file, read in chunks (nothing allocated by its size). */
zend_string *asynctask_closure_md5_file(const char *path, const char **reason);

/* The dispatcher's fingerprint of `file`, cached until it is compiled again. */
zend_string *asynctask_closure_fingerprint(zend_string *file, const char **reason);

/* --- locate.c: where a closure's code is, and what is refused */

/* Why the closure's code cannot run in a worker, or NULL with its use
 * variables in `uses` (name => offset). The dispatcher refuses to send such
 * a closure; the worker refuses to run one a forged payload points at. */
zend_string *asynctask_closure_refusal_for_code(const zend_op_array *func, HashTable *uses);

/* How the closure whose prototype is func is sent, or why not: cached per
 * opcodes pointer in ASYNCTASK_G(closure_cache). */
resolution_t *asynctask_closure_resolve(const zend_op_array *func);

/* Does the closure's code reach its $this? Cached on its resolution, for
 * the classes it was last asked about: the answer depends on them, and a
 * closure is mostly dispatched from objects of one class. */
bool asynctask_closure_reaches_this(resolution_t *res, const zend_op_array *func, const zend_class_entry *scope,
	const zend_class_entry *this_class);

/* --- compile.c: a file compiled without executing it, and the op_array in it */

/* The worker's compiled copy of `path` as the dispatcher fingerprinted it. */
compiled_t *asynctask_closure_compiled_file(zend_string *path, zend_string *md5, zend_string **error);

/* desc[key] when it has the type, else NULL. */
zval *asynctask_closure_find_typed(HashTable *desc, const char *key, zend_uchar type);

/* The op_array desc[root] names in the compiled file: its main, a function or a method. */
zend_op_array *asynctask_closure_find_root(compiled_t *unit, HashTable *desc);

/* Follows desc[path] down from the root; NULL if the tree has no such place. */
zend_op_array *asynctask_closure_follow_path(zend_op_array *op_array, HashTable *desc);

/* Whether op_array has the line range and argument count desc says. */
bool asynctask_closure_same_shape(const zend_op_array *op_array, HashTable *desc);

#endif
