/*
 * What a worker needs of PHP's request state: the last error forgotten
 * before each task, PHP's log lines as asynctask.log's, and, for a worker
 * of the server pool (php-fpm), a request of its own (worker_server.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <errno.h>
#include <syslog.h>
#include <unistd.h>

#include "php.h"
#include "php_main.h"
#include "SAPI.h"

#include "src/pool/worker_server.h"
#include "src/base/log.h"

/* Forgets the last error, so that one reported during the task is the task's own. */
void asynctask_worker_clear_last_error(void)
{
	if (PG(last_error_message)) {
		zend_string_release(PG(last_error_message));
		PG(last_error_message) = NULL;
	}
	if (PG(last_error_file)) {
		zend_string_release(PG(last_error_file));
		PG(last_error_file) = NULL;
	}
	PG(last_error_type) = 0;
	PG(last_error_lineno) = 0;
}

/* --- a worker of the server pool (php-fpm) ------------------------------
 * It was forked from the master's startup state, not from a request, and
 * the SAPI's callbacks expect a FastCGI request that does not exist here.
 * These stand-ins give the task a request of its own whose output, headers
 * and log lines go to asynctask.log, never to a FastCGI stream. */

static size_t task_ub_write(const char *str, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, str + done, len - done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;  /* output nobody can take is dropped, never the task's failure */
		}
		done += (size_t) n;
	}
	return len;
}

static void task_flush(void *server_context)
{
	(void) server_context;
}

static int task_send_headers(sapi_headers_struct *headers)
{
	(void) headers;
	return SAPI_HEADER_SENT_SUCCESSFULLY;
}

static char *task_read_cookies(void)
{
	return NULL;
}

/* PHP's log in a worker (errors, error_log()): a line of asynctask.log at
 * the level PHP gave it. */
void asynctask_worker_log_message(const char *message, int syslog_type)
{
	asynctask_log_level_t level = syslog_type <= LOG_ERR ? ASYNCTASK_LOG_ERROR
		: syslog_type == LOG_WARNING ? ASYNCTASK_LOG_WARNING
		: syslog_type == LOG_NOTICE ? ASYNCTASK_LOG_NOTICE : ASYNCTASK_LOG_INFO;

	asynctask_log_event(level, "php_message", "%s", message);
}

void asynctask_worker_start_server_request(void)
{
	sapi_module.activate = NULL;
	sapi_module.deactivate = NULL;
	sapi_module.ub_write = task_ub_write;
	sapi_module.flush = task_flush;
	sapi_module.get_stat = NULL;
	sapi_module.getenv = NULL;
	sapi_module.header_handler = NULL;
	sapi_module.send_headers = task_send_headers;
	sapi_module.send_header = NULL;
	sapi_module.read_post = NULL;
	sapi_module.read_cookies = task_read_cookies;
	sapi_module.register_server_variables = NULL;
	sapi_module.log_message = asynctask_worker_log_message;
	sapi_module.get_request_time = NULL;
	sapi_module.phpinfo_as_text = 1;
	SG(server_context) = NULL;
	SG(request_info).no_headers = 1;
	SG(request_info).request_method = NULL;
	SG(request_info).path_translated = NULL;
	SG(request_info).request_uri = NULL;
	SG(request_info).query_string = NULL;

	/* the manager was forked from inside PHP's startup (see server.c): do
	 * what php_module_startup() does after that point, as the master did */
	asynctask_worker_clear_last_error();
	shutdown_memory_manager(1, 0);
	virtual_cwd_activate();
	zend_interned_strings_switch_storage(1);

	if (php_request_startup() == FAILURE) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "worker_start_failed", "a worker could not start its PHP request");
		_exit(70);
	}
	SG(headers_sent) = 1;
}

