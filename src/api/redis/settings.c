/*
 * The Redis backend's php.ini settings, their validation, and the checks
 * that stop a misconfigured remote backend from quietly running tasks here.
 *
 * Where a refusal shows: a setting's own bad value is a warning naming it as
 * for every asynctask.* setting (at startup, or ini_set() returns false).
 * What only the settings together can tell (a backend URL on a build without
 * hiredis, a remote backend without a usable secret) is a startup warning
 * too, and AsyncTask\BackendException at every dispatch() of the process:
 * the warning tells an operator, the exception stops the task from running
 * anywhere but where it was meant to.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <unistd.h>

#include "php.h"
#include "php_ini.h"
#include "ext/standard/html.h"
#include "ext/standard/info.h"
#include "SAPI.h"
#include "zend_exceptions.h"

#ifdef HAVE_ASYNCTASK_REDIS
# include "src/transport/redis/conn.h"
# include "src/transport/redis/dispatch.h"
#endif

#include "php_asynctask.h"
#include "src/base/exceptions.h"
#include "src/base/ini.h"
#include "src/api/redis/secret.h"
#include "src/api/redis/settings.h"
#include "src/transport/redis/url.h"

/* --- validating handlers ------------------------------------------------- */

static ZEND_INI_MH(OnUpdateBackend)
{
	asynctask_redis_url_t url;
	char error[256], shown[1024];

	if (!asynctask_redis_url_parse(ZSTR_VAL(new_value), &url, error, sizeof(error))) {
		/* a URL refused at startup leaves "" in force: remembered, so that
		 * dispatch() refuses instead of running the tasks on this machine */
		if (stage == ZEND_INI_STAGE_STARTUP) {
			ASYNCTASK_G(backend_refused) = true;
		}
		asynctask_redis_url_redact(ZSTR_VAL(new_value), shown, sizeof(shown));
		return asynctask_ini_refuse(entry, shown, error);
	}
	/* at startup PHP follows a refused value with the default "": that must
	 * not clear the mark; a value accepted later (ini_set()) does */
	if (stage != ZEND_INI_STAGE_STARTUP) {
		ASYNCTASK_G(backend_refused) = false;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* 1..max bytes of letters, digits and `extra` */
static bool name_valid(zend_string *value, size_t max, const char *extra)
{
	if (ZSTR_LEN(value) == 0 || ZSTR_LEN(value) > max) {
		return false;
	}
	for (size_t i = 0; i < ZSTR_LEN(value); i++) {
		unsigned char c = (unsigned char) ZSTR_VAL(value)[i];
		if (!isalnum(c) && !strchr(extra, c)) {
			return false;
		}
	}
	return true;
}

static ZEND_INI_MH(OnUpdatePrefix)
{
	/* braces allowed: a Redis Cluster hash tag such as {app} keeps every key of one prefix in one slot */
	if (!name_valid(new_value, 64, "_-.:{}")) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "1 to 64 letters, digits or _ - . : { }");
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateNode)
{
	if (ZSTR_LEN(new_value) != 0 && !name_valid(new_value, 255, "_-.:@")) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "\"\" (the hostname) or 1 to 255 letters, digits or _ - . : @");
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateAppRoot)
{
	if (ZSTR_LEN(new_value) != 0 && ZSTR_VAL(new_value)[0] != '/') {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "\"\" or an absolute path");
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

#define INI_TARGET(type) ((type *) ZEND_INI_GET_ADDR())

static ZEND_INI_MH(OnUpdateVisibility)
{
	const char *end;
	double d = zend_strtod(ZSTR_VAL(new_value), &end);

	(void) mh_arg3; (void) stage;
	/* milliseconds are what Redis counts an entry's idle time in */
	if (ZSTR_LEN(new_value) == 0 || *end != '\0' || !(d >= 0.001) || d > 604800) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "a number of seconds from 0.001 to 604800 (7 days)");
	}
	*INI_TARGET(double) = d;
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateAttempts)
{
	(void) mh_arg3; (void) stage;
	if (!asynctask_ini_parse_long(new_value, 1, 1000, INI_TARGET(zend_long))) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "an integer from 1 to 1000");
	}
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateResultTtl)
{
	(void) mh_arg3; (void) stage;
	if (!asynctask_ini_parse_long(new_value, 1, 31536000, INI_TARGET(zend_long))) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "an integer number of seconds from 1 to 31536000 (a year)");
	}
	return SUCCESS;
}

/* replicas WAIT must confirm; Redis itself has no limit, but more than
 * this is surely a typo */
static ZEND_INI_MH(OnUpdateReplicas)
{
	(void) mh_arg3; (void) stage;
	if (!asynctask_ini_parse_long(new_value, 0, 100, INI_TARGET(zend_long))) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), "an integer from 0 to 100");
	}
	return SUCCESS;
}

/* --- phpinfo() never prints a secret or a password ------------------------- */

static void display(const char *text)
{
	if (sapi_module.phpinfo_as_text) {
		PHPWRITE(text, strlen(text));
	} else {
		zend_string *escaped = php_escape_html_entities((const unsigned char *) text, strlen(text), 0, ENT_QUOTES, NULL);
		PHPWRITE(ZSTR_VAL(escaped), ZSTR_LEN(escaped));
		zend_string_release(escaped);
	}
}

static zend_string *displayed_value(zend_ini_entry *entry, int type)
{
	return type == ZEND_INI_DISPLAY_ORIG && entry->modified ? entry->orig_value : entry->value;
}

static ZEND_INI_DISP(display_backend)
{
	zend_string *value = displayed_value(ini_entry, type);
	char shown[1024];

	asynctask_redis_url_redact(value ? ZSTR_VAL(value) : "", shown, sizeof(shown));
	display(shown[0] ? shown : "no value");
}

static ZEND_INI_DISP(display_secret)
{
	zend_string *value = displayed_value(ini_entry, type);
	char shown[64];

	if (!value || ZSTR_LEN(value) == 0) {
		display("no value");
		return;
	}
	snprintf(shown, sizeof(shown), "(set, %zu bytes)", ZSTR_LEN(value));
	display(shown);
}

PHP_INI_BEGIN()
	STD_PHP_INI_ENTRY_EX("asynctask.backend", "", PHP_INI_ALL, OnUpdateBackend,
		backend, zend_asynctask_globals, asynctask_globals, display_backend)
	STD_PHP_INI_ENTRY_EX("asynctask.secret", "", PHP_INI_ALL, OnUpdateString,
		secret, zend_asynctask_globals, asynctask_globals, display_secret)
	STD_PHP_INI_ENTRY("asynctask.secret_file", "", PHP_INI_ALL, OnUpdateString,
		secret_file, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.prefix", "asynctask", PHP_INI_ALL, OnUpdatePrefix,
		prefix, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.node", "", PHP_INI_ALL, OnUpdateNode,
		node, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.visibility_timeout", "300", PHP_INI_ALL, OnUpdateVisibility,
		visibility_timeout, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.max_attempts", "3", PHP_INI_ALL, OnUpdateAttempts,
		max_attempts, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.result_ttl", "3600", PHP_INI_ALL, OnUpdateResultTtl,
		result_ttl, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.app_root", "", PHP_INI_ALL, OnUpdateAppRoot,
		app_root, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.redis_replicas", "0", PHP_INI_ALL, OnUpdateReplicas,
		redis_replicas, zend_asynctask_globals, asynctask_globals)
PHP_INI_END()

/* --- whether the configured backend can be used ---------------------------- */

/* Why this process cannot send tasks to the configured remote backend, or
 * NULL when it is the local one. Reaching Redis is not checked here. */
static zend_string *unusable_backend(void)
{
	const char *backend = ASYNCTASK_G(backend);
	char shown[1024];

	if (ASYNCTASK_G(backend_refused)) {
		return zend_string_init_fast(ZEND_STRL("asynctask.backend was refused at startup (see the warning then): "
			"tasks are not run on this machine instead; fix the setting"));
	}
	if (!asynctask_redis_url_is_remote(backend)) {
		return NULL;
	}
	asynctask_redis_url_redact(backend, shown, sizeof(shown));
#ifndef HAVE_ASYNCTASK_REDIS
	return zend_strpprintf(0, "asynctask.backend=%s: this asynctask was built without the Redis backend "
		"(hiredis was not found, or ./configure --without-asynctask-redis); install libhiredis-dev and rebuild, "
		"or leave asynctask.backend empty to run tasks on this machine", shown);
#else
	zend_string *error = NULL;
	if (!asynctask_secret_get(&error)) {
		zend_string *message = zend_strpprintf(0, "asynctask.backend=%s: %s", shown, ZSTR_VAL(error));
		zend_string_release(error);
		return message;
	}
	return NULL;
#endif
}

void asynctask_redis_settings_minit(int module_number)
{
	zend_string *why;

	zend_register_ini_entries(ini_entries, module_number);
	asynctask_secret_startup();
	/* a URL refused by its handler has had its warning already */
	if (!ASYNCTASK_G(backend_refused) && (why = unusable_backend()) != NULL) {
		php_error_docref(NULL, E_WARNING, "%s", ZSTR_VAL(why));
		zend_string_release(why);
	}
}

const struct _asynctask_transport_t *asynctask_backend_transport(void)
{
	zend_string *why = unusable_backend();

	if (why) {
		zend_throw_exception(asynctask_ce_backend_exception, ZSTR_VAL(why), 0);
		zend_string_release(why);
		return NULL;
	}
#ifdef HAVE_ASYNCTASK_REDIS
	{
		char node[256];
		zend_string *error = NULL;
		/* entries are signed under the key derived from the secret and
		 * asynctask.prefix (secret.h), never the raw secret */
		const zend_string *secret = asynctask_secret_signing_key(&error);

		if (!secret) {  /* checked above: only a file changed meanwhile */
			zend_throw_exception(asynctask_ce_backend_exception, ZSTR_VAL(error), 0);
			zend_string_release(error);
			return NULL;
		}
		asynctask_redis_node(node, sizeof(node));
		if (asynctask_redis_dispatch_use(secret, node) == FAILURE) {
			return NULL;
		}
		return &asynctask_redis_transport;
	}
#else
	/* unusable_backend() refused it: a remote URL on a build without hiredis */
	asynctask_throw(asynctask_ce_backend_exception, "asynctask.backend names no backend this build has");
	return NULL;
#endif
}

void asynctask_redis_settings_rshutdown(void)
{
#ifdef HAVE_ASYNCTASK_REDIS
	asynctask_redis_dispatch_rshutdown();
#endif
}

zend_result asynctask_backend_check_remote(void)
{
	zend_string *why = unusable_backend();

	if (why) {
		zend_throw_exception(asynctask_ce_backend_exception, ZSTR_VAL(why), 0);
		zend_string_release(why);
		return FAILURE;
	}
	if (!asynctask_redis_url_is_remote(ASYNCTASK_G(backend))) {
		asynctask_throw(asynctask_ce_backend_exception, "AsyncTask\\Pool::serve() serves a remote backend: "
			"set asynctask.backend (redis://... or unix://...) to the Redis this node takes its tasks from");
		return FAILURE;
	}
	return SUCCESS;
}

void asynctask_redis_settings_mshutdown(void)
{
	asynctask_secret_shutdown();
#ifdef HAVE_ASYNCTASK_REDIS
	asynctask_redis_dispatch_mshutdown();
	asynctask_redis_disconnect();
#endif
}

bool asynctask_redis_stats(zval *return_value)
{
#ifdef HAVE_ASYNCTASK_REDIS
	if (asynctask_redis_url_is_remote(ASYNCTASK_G(backend))) {
		asynctask_redis_dispatch_stats(return_value);
		return true;
	}
#else
	(void) return_value;
#endif
	return false;
}

void asynctask_redis_settings_minfo(void)
{
#ifdef HAVE_ASYNCTASK_REDIS
	char version[64], node[256];
	snprintf(version, sizeof(version), "compiled in (hiredis %d.%d.%d)", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
	php_info_print_table_row(2, "Redis backend", version);
	asynctask_redis_node(node, sizeof(node));
	php_info_print_table_row(2, "Redis consumer name (asynctask.node)", node);
#else
	php_info_print_table_row(2, "Redis backend", "not compiled in (no hiredis at build time)");
#endif
}

void asynctask_redis_node(char *out, size_t out_size)
{
	const char *node = ASYNCTASK_G(node);

	if (node && node[0]) {
		snprintf(out, out_size, "%s", node);
	} else if (gethostname(out, out_size) != 0 || out[0] == '\0') {
		snprintf(out, out_size, "localhost");
	} else {
		out[out_size - 1] = '\0';
	}
}
