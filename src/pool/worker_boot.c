/*
 * What a freshly forked worker sets up before its first task
 * (worker_internal.h): the signals and output it must not share with its
 * parent, PHP's error settings, the base frame tasks are called on, and
 * asynctask.bootstrap. Called by worker_loop.c; calls no other worker_*.c.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "php.h"
#include "php_main.h"
#include "php_output.h"
#include "SAPI.h"
#include "ext/random/php_random.h"

#include "src/pool/worker_internal.h"
#include "src/pool/worker_server.h"
#include "src/base/log.h"

/* Task output (and PHP's errors) to asynctask.log, never through a symlink;
 * a log that cannot be opened leaves them on stderr. Whether the log is open. */
static bool redirect_output(void)
{
	const char *path = ASYNCTASK_G(log);
	int fd = path && path[0] ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	bool logging = fd >= 0;

	if (!logging) {
		fd = dup(STDERR_FILENO);
	}
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		if (logging) {
			/* what PHP or libc write to stderr (the allocator's last words,
			 * say) belongs in the log too, not on the dispatcher's terminal */
			dup2(fd, STDERR_FILENO);
		}
		close(fd);
	}
	return logging;
}

static void set_ini(const char *name, const char *value)
{
	zend_string *key = zend_string_init(name, strlen(name), 0);
	zend_alter_ini_entry_chars(key, value, strlen(value), PHP_INI_SYSTEM, PHP_INI_STAGE_RUNTIME);
	zend_string_release(key);
}

/* What a forked child must undo of its parent before it runs PHP code. */
static void prepare_process(void)
{
	static const int reset[] = { SIGCHLD, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP, SIGALRM };
	sigset_t none;

	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++) {
		signal(reset[i], SIG_DFL);  /* the manager's libevent handlers */
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* a fresh random sequence per worker, not the parent's */
	RANDOM_G(mt19937_seeded) = false;
	RANDOM_G(combined_lcg_seeded) = false;

	/* the parent's buffered output is the parent's to print */
	php_output_discard_all();
	fflush(NULL);
	bool logging = redirect_output();
	set_ini("display_errors", "0");
	set_ini("log_errors", "1");
	if (asynctask_log_json()) {
		/* PHP's errors and error_log() as JSON lines too: with no error_log
		 * file PHP hands its lines to the SAPI's log_message */
		sapi_module.log_message = asynctask_worker_log_message;
		if (logging) {
			set_ini("error_log", "");
		}
	} else if (logging) {
		set_ini("error_log", ASYNCTASK_G(log));
	}
}

/* Tasks are called from C on a base frame of their own: an internal frame
 * (zend_pass_function) with nothing below it. With no frame at all, an
 * exception a task throws would be fatal at once instead of coming back to
 * run_job(). And a CLI worker must not run tasks on the frames it was forked
 * in (the dispatch() or Pool::start() that started the pool, and the calls
 * that led there): traces and debug_backtrace() would show them, and a
 * callable would be resolved in the first user frame among them, with its
 * scope and its $this. Those frames stay on the VM stack, unreachable: this
 * process never returns into them (it ends with _exit()).
 * A pool started inside a Fiber leaves its workers running on that fiber's
 * stack: tasks must not be part of the fiber, or Fiber::suspend() in a task
 * would jump back into the dispatcher's code, in the worker. Without an
 * active fiber it throws FiberError, and fibers a task starts return to it. */
static void enter_base_frame(void)
{
	static zend_internal_function base_function;
	static zend_execute_data base_frame;

	/* zend_pass_function with a name: a warning raised outside any call
	 * (while a task is decoded or its result encoded) is prefixed with the
	 * running function's name, and php_verror() reads an internal one's
	 * without checking it (NULL: SIGSEGV) */
	base_function = zend_pass_function;
	base_function.function_name = ZSTR_INIT_LITERAL("AsyncTask\\{worker}", 1);
	memset(&base_frame, 0, sizeof(base_frame));
	base_frame.func = (zend_function *) &base_function;
	EG(current_execute_data) = &base_frame;
	EG(active_fiber) = NULL;
}

static void include_bootstrap(void)
{
	const char *path = ASYNCTASK_G(bootstrap);
	zend_file_handle handle;

	if (!path || !path[0]) {
		return;
	}
	zend_stream_init_filename(&handle, path);
	zend_try {
		zend_op_array *op_array = zend_compile_file(&handle, ZEND_REQUIRE_ONCE);
		if (op_array) {
			zval retval;
			if (handle.opened_path) {
				zend_hash_add_empty_element(&EG(included_files), handle.opened_path);
			}
			ZVAL_UNDEF(&retval);
			/* in the global scope, as PHP runs a script: not on the worker's
			 * internal base frame, which has no symbol table */
			zend_execute_data *frame = EG(current_execute_data);
			EG(current_execute_data) = NULL;
			zend_execute(op_array, &retval);
			EG(current_execute_data) = frame;
			zval_ptr_dtor(&retval);
			destroy_op_array(op_array);
			efree_size(op_array, sizeof(zend_op_array));
		}
		if (EG(exception)) {
			asynctask_log_event(ASYNCTASK_LOG_WARNING, "bootstrap_threw",
				"asynctask.bootstrap %s threw; the worker goes on without it", path);
			zend_clear_exception();
		}
	} zend_catch {
		asynctask_worker_leave_if_forked(true);
		/* no worker of this pool can start: the manager stops trying for a
		 * while and fails the queued tasks with this message */
		snprintf(asynctask_wkr.pool->startup_error, sizeof(asynctask_wkr.pool->startup_error),
			"asynctask.bootstrap %s failed: %s", path,
			PG(last_error_message) ? ZSTR_VAL(PG(last_error_message)) : "a fatal error");
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "bootstrap_failed", "%s", asynctask_wkr.pool->startup_error);
		_exit(ASYNCTASK_EXIT_STARTUP_FAILED);
	} zend_end_try();
	zend_destroy_file_handle(&handle);
}

void asynctask_worker_boot(void)
{
	enter_base_frame();
	prepare_process();
	include_bootstrap();
}
