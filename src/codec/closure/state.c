/*
 * The closure codec's state (common.h): op_array identities and index paths in
 * a file's tree, the compile hook that records them, the per-request
 * caches, and the fingerprints of files.
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

HashTable asynctask_closure_sites;
static HashTable fingerprints;
static bool caches_ready;
static bool hook_installed;
static zend_op_array *(*previous_compile_file)(zend_file_handle *handle, int type);

/* --- identities and trees ------------------------------------------------ */

void asynctask_closure_identity_init(identity_t *id, const zend_op_array *op_array)
{
	id->file = zend_string_copy(op_array->filename);
	id->line_start = op_array->line_start;
	id->line_end = op_array->line_end;
	id->last = op_array->last;
}

bool asynctask_closure_identity_matches(const identity_t *id, const zend_op_array *op_array)
{
	return id->line_start == op_array->line_start && id->line_end == op_array->line_end
		&& id->last == op_array->last && zend_string_equals(id->file, op_array->filename);
}

/* Finds the op_array owning `opcodes` strictly under `op_array`; fills `path`. */
bool asynctask_closure_tree_find(const zend_op_array *op_array, const zend_op *opcodes, tree_path_t *path)
{
	for (uint32_t i = 0; i < op_array->num_dynamic_func_defs; i++) {
		const zend_op_array *def = op_array->dynamic_func_defs[i];
		if (path->depth == TREE_MAX_DEPTH) {
			return false;
		}
		path->index[path->depth++] = i;
		if (def->opcodes == opcodes || asynctask_closure_tree_find(def, opcodes, path)) {
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
		asynctask_closure_identity_init(&site->id, def);
		site->path = *path;
		zend_hash_index_update_ptr(&asynctask_closure_sites, key, site);
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
located_t *asynctask_closure_last_located;

static void located_dtor(zval *zv)
{
	located_t *where = Z_PTR_P(zv);
	if (where == asynctask_closure_last_located) {
		asynctask_closure_last_located = NULL;
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
	zend_hash_init(&asynctask_closure_sites, 64, NULL, site_dtor, 0);
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
	zend_hash_destroy(&asynctask_closure_sites);
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
zend_result asynctask_closure_read_source(const char *path, char **buf, size_t *len, const char **reason)
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

zend_string *asynctask_closure_md5_hex(const char *buf, size_t len)
{
	PHP_MD5_CTX ctx;

	PHP_MD5Init(&ctx);
	PHP_MD5Update(&ctx, buf, len);
	return md5_final_hex(&ctx);
}

/* md5 hex of a plain file, read in chunks (nothing allocated by its size). */
zend_string *asynctask_closure_md5_file(const char *path, const char **reason)
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
zend_string *asynctask_closure_fingerprint(zend_string *file, const char **reason)
{
	zval *cached = zend_hash_find(&fingerprints, file);
	char *buf;
	size_t len;
	zval md5;

	if (cached) {
		return Z_STR_P(cached);
	}
	if (asynctask_closure_read_source(ZSTR_VAL(file), &buf, &len, reason) == FAILURE) {
		return NULL;
	}
	ZVAL_STR(&md5, asynctask_closure_md5_hex(buf, len));
	efree(buf);
	zend_hash_update(&fingerprints, file, &md5);
	return Z_STR(md5);
}
