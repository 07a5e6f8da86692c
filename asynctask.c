/*
 * asynctask: module entry, php.ini settings, startup and shutdown: the top
 * of the house, which registers every layer's classes and functions and
 * calls their startup and shutdown in order. Everything else lives in src/,
 * one layer per folder (README.md, "Inside").
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <event2/event.h>

#include "php.h"
#include "php_ini.h"
#include "ext/standard/info.h"
#include "ext/spl/spl_exceptions.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "asynctask_arginfo.h"
#include "src/base/base.h"
#include "src/codec/codec.h"
#include "src/transport/shm/shm.h"
#include "src/pool/pool.h"
#include "src/pool/server.h"
#include "src/pool/status/status.h"
#include "src/api/api.h"
#include "src/transport/redis/url.h"
#include "src/testing/testing.h"

#ifdef ZTS
# error "asynctask forks processes and needs a non-thread-safe (NTS) PHP build"
#endif

/* --- php.ini ----------------------------------------------------------- */

/* refused with the setting named and what it accepts (base/ini.h) */
static zend_result refuse(zend_ini_entry *entry, zend_string *new_value, const char *accepted)
{
	return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), accepted);
}

static bool parse_seconds(zend_string *value, double *out)
{
	const char *end;
	double d = zend_strtod(ZSTR_VAL(value), &end);
	if (ZSTR_LEN(value) == 0 || *end != '\0' || !(d >= 0) || d > 86400.0 * 365) {
		return false;
	}
	*out = d;
	return true;
}

static bool parse_size(zend_string *value, zend_long min, zend_long max, zend_long *out)
{
	zend_string *error = NULL;
	zend_long n = zend_ini_parse_quantity(value, &error);
	if (error) {
		zend_string_release(error);
		return false;
	}
	if (n < min || n > max) {
		return false;
	}
	*out = n;
	return true;
}

#define INI_TARGET(type) ((type *) ZEND_INI_GET_ADDR())

static ZEND_INI_MH(OnUpdateWorkers)
{
	(void) mh_arg3; (void) stage;
	if (!asynctask_ini_parse_long(new_value, 0, ASYNCTASK_WORKERS_MAX, INI_TARGET(zend_long))) {
		return refuse(entry, new_value, "an integer from 0 (one per online CPU) to 1024");
	}
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateCount)
{
	(void) mh_arg3; (void) stage;
	if (!asynctask_ini_parse_long(new_value, 0, ZEND_LONG_MAX, INI_TARGET(zend_long))) {
		return refuse(entry, new_value, "an integer >= 0 (0 = never)");
	}
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateSeconds)
{
	(void) mh_arg3; (void) stage;
	if (!parse_seconds(new_value, INI_TARGET(double))) {
		return refuse(entry, new_value, "a number of seconds >= 0");
	}
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdateQueueSize)
{
	(void) mh_arg3; (void) stage;
	if (!parse_size(new_value, 64 * 1024, (zend_long) 1 << 36, INI_TARGET(zend_long))) {
		return refuse(entry, new_value, "a size from 64K to 64G, e.g. 16M");
	}
	return SUCCESS;
}

static ZEND_INI_MH(OnUpdatePayloadSize)
{
	(void) mh_arg3; (void) stage;
	if (!parse_size(new_value, 1024, (zend_long) UINT32_MAX, INI_TARGET(zend_long))) {
		return refuse(entry, new_value, "a size from 1K to 4G, e.g. 64M");
	}
	return SUCCESS;
}

/* 0 (off) or at least 1M: a smaller limit would replace every worker after every task */
static ZEND_INI_MH(OnUpdateMaxMemory)
{
	(void) mh_arg3; (void) stage;
	zend_long n;
	if (!parse_size(new_value, 0, (zend_long) 1 << 40, &n) || (n != 0 && n < 1024 * 1024)) {
		return refuse(entry, new_value, "0 (off) or a size from 1M to 1T, e.g. 128M");
	}
	*INI_TARGET(zend_long) = n;
	return SUCCESS;
}

/* "" (one queue, "default"), or "name[:workers],..." (src/base/queues.h) */
static ZEND_INI_MH(OnUpdateQueues)
{
	asynctask_queues_t queues;
	char why[256];

	if (!asynctask_queues_parse(ZSTR_VAL(new_value), &queues, why, sizeof(why))) {
		char accepted[512];
		snprintf(accepted, sizeof(accepted), "%s; expected \"\" (one queue, \"default\") or a comma-separated "
			"list of name[:workers], e.g. \"default:2,mail:1\"", why);
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), accepted);
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateSerializer)
{
	if (!asynctask_serializer_name_valid(ZSTR_VAL(new_value))) {
		return refuse(entry, new_value, "\"php\" or \"igbinary\"");
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateLogFormat)
{
	if (strcmp(ZSTR_VAL(new_value), "text") != 0 && strcmp(ZSTR_VAL(new_value), "json") != 0) {
		return refuse(entry, new_value, "\"text\" or \"json\"");
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* "" (off), a loopback address:port or unix:/path (src/pool/status/listen.c) */
static ZEND_INI_MH(OnUpdateStatusListen)
{
	asynctask_status_addr_t addr;
	char why[256];

	if (!asynctask_status_listen_parse(ZSTR_VAL(new_value), &addr, why, sizeof(why)) && why[0]) {
		return asynctask_ini_refuse(entry, ZSTR_VAL(new_value), why);
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* phpinfo() says whether a token is set, never which */
static ZEND_INI_DISP(display_secret)
{
	zend_string *value = type == ZEND_INI_DISPLAY_ORIG && ini_entry->modified ? ini_entry->orig_value : ini_entry->value;
	PHPWRITE(value && ZSTR_LEN(value) ? "(set)" : "no value", value && ZSTR_LEN(value) ? 5 : 8);
}

PHP_INI_BEGIN()
	STD_PHP_INI_ENTRY("asynctask.workers", "0", PHP_INI_ALL, OnUpdateWorkers,
		workers, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.queue_size", "16M", PHP_INI_ALL, OnUpdateQueueSize,
		queue_size, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.max_payload", "64M", PHP_INI_ALL, OnUpdatePayloadSize,
		max_payload, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.task_timeout", "0", PHP_INI_ALL, OnUpdateSeconds,
		task_timeout, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.max_requests", "0", PHP_INI_ALL, OnUpdateCount,
		max_requests, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.max_memory", "0", PHP_INI_ALL, OnUpdateMaxMemory,
		max_memory, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.queues", "", PHP_INI_ALL, OnUpdateQueues,
		queues, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.dispatch_timeout", "5", PHP_INI_ALL, OnUpdateSeconds,
		dispatch_timeout, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.shutdown_timeout", "30", PHP_INI_ALL, OnUpdateSeconds,
		shutdown_timeout, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.tmpdir", "", PHP_INI_ALL, OnUpdateString,
		tmpdir, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.serializer", "php", PHP_INI_ALL, OnUpdateSerializer,
		serializer, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.bootstrap", "", PHP_INI_SYSTEM, OnUpdateString,
		bootstrap, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_BOOLEAN("asynctask.enable", "0", PHP_INI_SYSTEM, OnUpdateBool,
		enable, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.log", "", PHP_INI_ALL, OnUpdateString,
		log, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.log_format", "text", PHP_INI_ALL, OnUpdateLogFormat,
		log_format, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY("asynctask.status_listen", "", PHP_INI_ALL, OnUpdateStatusListen,
		status_listen, zend_asynctask_globals, asynctask_globals)
	STD_PHP_INI_ENTRY_EX("asynctask.status_token", "", PHP_INI_ALL, OnUpdateString,
		status_token, zend_asynctask_globals, asynctask_globals, display_secret)
PHP_INI_END()

/* --- AsyncTask\Pool ---------------------------------------------------- */

/* Inside a task (a worker, or a process a task forked) the pool is the one
 * that runs the task: stopping, restarting or reloading it from there would
 * pull it from under the task and its caller (stop() unmapped it: SIGSEGV). */
static bool refused_in_task(const char *method)
{
	if (!ASYNCTASK_G(in_pool_process)) {
		return false;
	}
	asynctask_throw(asynctask_ce_exception, "AsyncTask\\Pool::%s() cannot be called inside a task: the pool runs "
		"the task (start, stop and reload it from the process that dispatches)", method);
	return true;
}

ZEND_METHOD(AsyncTask_Pool, __construct)
{
	(void) return_value;
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(AsyncTask_Pool, start)
{
	zend_long workers = 0;
	bool is_null = true;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG_OR_NULL(workers, is_null)
	ZEND_PARSE_PARAMETERS_END();

	if (!is_null && (workers < 1 || workers > ASYNCTASK_WORKERS_MAX)) {
		zend_argument_value_error(1, "must be null (asynctask.workers) or between 1 and %d", ASYNCTASK_WORKERS_MAX);
		RETURN_THROWS();
	}
	if (refused_in_task("start")) {
		RETURN_THROWS();
	}
	if (asynctask_redis_url_is_remote(ASYNCTASK_G(backend)) || ASYNCTASK_G(backend_refused)) {
		asynctask_node_start(is_null ? 0 : workers);  /* a node of the remote backend */
		return;
	}
	asynctask_pool_start(is_null ? 0 : workers);
}

ZEND_METHOD(AsyncTask_Pool, serve)
{
	(void) return_value;
	ZEND_PARSE_PARAMETERS_NONE();
	if (refused_in_task("serve")) {
		RETURN_THROWS();
	}
	asynctask_node_serve();
}

ZEND_METHOD(AsyncTask_Pool, stop)
{
	double timeout = 0;
	bool is_null = true;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(timeout, is_null)
	ZEND_PARSE_PARAMETERS_END();

	if (!is_null && !(timeout >= 0)) {
		zend_argument_value_error(1, "must be null (asynctask.shutdown_timeout) or a number of seconds >= 0");
		RETURN_THROWS();
	}
	if (refused_in_task("stop")) {
		RETURN_THROWS();
	}
	asynctask_pool_stop(is_null ? ASYNCTASK_G(shutdown_timeout) : timeout);
}

ZEND_METHOD(AsyncTask_Pool, reload)
{
	(void) return_value;
	ZEND_PARSE_PARAMETERS_NONE();
	if (refused_in_task("reload")) {
		RETURN_THROWS();
	}
	asynctask_pool_reload();
}

ZEND_METHOD(AsyncTask_Pool, stats)
{
	ZEND_PARSE_PARAMETERS_NONE();
	/* a process that only dispatches to Redis has no pool to count: its own dispatches instead */
	if (!ASYNCTASK_G(pool) && !asynctask_server_enabled() && asynctask_redis_stats(return_value)) {
		return;
	}
	asynctask_pool_stats(return_value);
}

/* --- module ------------------------------------------------------------ */

static PHP_GINIT_FUNCTION(asynctask)
{
#if defined(COMPILE_DL_ASYNCTASK) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	memset(asynctask_globals, 0, sizeof(*asynctask_globals));
	asynctask_globals->result_fd = -1;
	asynctask_globals->events_fd = -1;
	asynctask_globals->events_watched = -1;
	asynctask_globals->transport = &asynctask_shm_transport;
}

PHP_MINIT_FUNCTION(asynctask)
{
	(void) type;
	if (!asynctask_process_startup()) {
		php_error_docref(NULL, E_CORE_WARNING, "asynctask: cannot register its fork handler (pthread_atfork)");
		return FAILURE;
	}
	REGISTER_INI_ENTRIES();
	asynctask_redis_settings_minit(module_number);

	asynctask_ce_exception = register_class_AsyncTask_Exception(spl_ce_RuntimeException);
	asynctask_ce_serialization_exception = register_class_AsyncTask_SerializationException(asynctask_ce_exception);
	asynctask_ce_queue_full_exception = register_class_AsyncTask_QueueFullException(asynctask_ce_exception);
	asynctask_ce_timeout_exception = register_class_AsyncTask_TimeoutException(asynctask_ce_exception);
	asynctask_ce_task_failed_exception = register_class_AsyncTask_TaskFailedException(asynctask_ce_exception);
	asynctask_ce_task_timeout_exception =
		register_class_AsyncTask_TaskTimeoutException(asynctask_ce_task_failed_exception);
	asynctask_ce_worker_crashed_exception =
		register_class_AsyncTask_WorkerCrashedException(asynctask_ce_task_failed_exception);
	asynctask_ce_backend_exception = register_class_AsyncTask_BackendException(asynctask_ce_exception);

	asynctask_task_minit(register_class_AsyncTask_Task());
	asynctask_future_minit(register_class_AsyncTask_Future());
	register_class_AsyncTask_Pool();
	asynctask_context_minit(register_class_AsyncTask_TaskContext());
	asynctask_server_startup();
	if (asynctask_server_enabled()) {
		asynctask_node_server_startup();   /* a remote backend: the sections' pools are its nodes */
	}
	return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(asynctask)
{
	(void) type;
	asynctask_server_shutdown();
	asynctask_callable_shutdown();
	asynctask_redis_settings_mshutdown();
	UNREGISTER_INI_ENTRIES();
	return SUCCESS;
}

PHP_RINIT_FUNCTION(asynctask)
{
	(void) type; (void) module_number;
#if defined(COMPILE_DL_ASYNCTASK) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	zend_hash_init(&ASYNCTASK_G(results), 8, NULL, ZVAL_PTR_DTOR, 0);
	zend_hash_init(&ASYNCTASK_G(outstanding), 8, NULL, NULL, 0);
	zend_hash_init(&ASYNCTASK_G(abandoned), 8, NULL, NULL, 0);
	asynctask_callable_cache_init();
	asynctask_server_request_startup();
	return SUCCESS;
}

PHP_RSHUTDOWN_FUNCTION(asynctask)
{
	(void) type; (void) module_number;
	/* the owner drains its pool first: fire-and-forget tasks are not lost at exit */
	asynctask_pool_request_shutdown();
	zend_hash_destroy(&ASYNCTASK_G(results));
	zend_hash_destroy(&ASYNCTASK_G(outstanding));
	zend_hash_destroy(&ASYNCTASK_G(abandoned));
	/* empty again, allocating nothing: Futures in arrays or cycles are freed after
	 * this (zend_deactivate()), and each tells the tables it is gone
	 * (asynctask_results_forget(), which then finds nothing and adds nothing) */
	zend_hash_init(&ASYNCTASK_G(results), 8, NULL, ZVAL_PTR_DTOR, 0);
	zend_hash_init(&ASYNCTASK_G(outstanding), 8, NULL, NULL, 0);
	zend_hash_init(&ASYNCTASK_G(abandoned), 8, NULL, NULL, 0);
	smart_str_free(&ASYNCTASK_G(result_buffer));
	smart_str_free(&ASYNCTASK_G(mailbox_buffer));
	asynctask_callable_cache_destroy();
	asynctask_redis_settings_rshutdown();
	return SUCCESS;
}

PHP_MINFO_FUNCTION(asynctask)
{
	php_info_print_table_start();
	php_info_print_table_header(2, "asynctask support", "enabled");
	php_info_print_table_row(2, "Version", PHP_ASYNCTASK_VERSION);
	php_info_print_table_row(2, "libevent", event_get_version());
	php_info_print_table_row(2, "Serializers", "php, igbinary (when loaded)");
	asynctask_status_minfo();
	asynctask_redis_settings_minfo();
	php_info_print_table_end();

	DISPLAY_INI_ENTRIES();
}

zend_module_entry asynctask_module_entry = {
	STANDARD_MODULE_HEADER,
	"asynctask",
	ext_functions,
	PHP_MINIT(asynctask),
	PHP_MSHUTDOWN(asynctask),
	PHP_RINIT(asynctask),
	PHP_RSHUTDOWN(asynctask),
	PHP_MINFO(asynctask),
	PHP_ASYNCTASK_VERSION,
	PHP_MODULE_GLOBALS(asynctask),
	PHP_GINIT(asynctask),
	NULL,
	NULL,
	STANDARD_MODULE_PROPERTIES_EX
};

#ifdef COMPILE_DL_ASYNCTASK
ZEND_GET_MODULE(asynctask)
#endif
