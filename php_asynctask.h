/*
 * asynctask: a task worker pool for PHP over shared memory.
 */
#ifndef PHP_ASYNCTASK_H
#define PHP_ASYNCTASK_H

extern zend_module_entry asynctask_module_entry;
#define phpext_asynctask_ptr &asynctask_module_entry

#define PHP_ASYNCTASK_VERSION "0.1.0"

#include "php.h"
#include "zend_smart_str.h"

typedef struct _asynctask_pool_t asynctask_pool_t;

/* What the running task knows about itself (AsyncTask\context(), api/context.c):
 * set by the worker before it runs a task, cleared after. A local task's id
 * is its Future's id (local_id); a Redis task's is its wire id (remote). */
typedef struct {
	bool     active;
	bool     remote;
	uint64_t local_id;
	uint8_t  id[16];
	uint32_t attempt;
	uint64_t dispatched_us;  /* a Redis task's, from its entry */
	uint64_t queued_ns;      /* a local task's, when it was sent (asynctask_now_ns()) */
	uint8_t  queue_len;
	char     queue[256];
} asynctask_task_context_t;

ZEND_BEGIN_MODULE_GLOBALS(asynctask)
	/* php.ini */
	zend_long workers;
	zend_long queue_size;
	zend_long max_payload;
	double    task_timeout;
	zend_long max_requests;
	zend_long max_memory;       /* bytes, 0 = off (src/pool/recycle.h) */
	char     *queues;           /* "" or "name[:workers],..." (src/base/queues.h) */
	double    dispatch_timeout;
	double    shutdown_timeout;
	char     *tmpdir;
	char     *serializer;
	char     *bootstrap;
	bool      enable;
	char     *log;
	char     *log_format;
	/* php.ini, the status endpoint (src/pool/status/) */
	char     *status_listen;
	char     *status_token;
	/* php.ini, the Redis backend (src/redis/settings.c) */
	char     *backend;
	char     *secret;
	char     *secret_file;
	char     *prefix;
	char     *node;
	double    visibility_timeout;
	zend_long max_attempts;
	zend_long result_ttl;
	char     *app_root;
	zend_long redis_replicas;
	/* asynctask.backend's value was refused at startup: dispatch() refuses too */
	bool      backend_refused;

	/* how tasks travel (src/transport/transport.h): shared memory today;
	 * asynctask.backend picks the Redis transport here once it exists */
	const struct _asynctask_transport_t *transport;
	/* this process's view of the pool (NULL when none is running) */
	asynctask_pool_t *pool;
	size_t    pool_size;
	/* this process's result pipe: its fd, the pid that made it, bytes of a partial message */
	int       result_fd;
	int       result_pid;
	smart_str result_buffer;
	/* this process's mailbox in the pool (mailbox.h), NULL when it has none;
	 * the buffer its messages are parsed from; drains since the FIFO was read */
	struct _asynctask_mailbox_t *mailbox;
	smart_str mailbox_buffer;
	uint32_t  fifo_skipped;
	bool      fifo_readable;
	/* AsyncTask\events() (shm/result_events.h): the epoll fd, the pid that
	 * made it, the result FIFO it watches (-1: none) */
	int       events_fd;
	int       events_pid;
	int       events_watched;
	/* results this process has received and no Future has taken yet: task id => zend_string */
	HashTable results;
	/* task ids this process dispatched whose report has not arrived yet */
	HashTable outstanding;
	/* task ids whose Future is gone unsettled: their reports are dropped on arrival */
	HashTable abandoned;
	/* resolved closures (dispatcher side); compiled files and the closures
	 * found in them by code reference (worker side) */
	HashTable closure_cache;
	HashTable file_cache;
	HashTable code_cache;
	/* the last task id of a pool this process ran before */
	uint64_t  next_task_id;
	/* bumped whenever this process lets go of a pool: a Future of an older
	 * pool settles as failed instead of waiting on the new one */
	uint32_t  pool_epoch;
	/* true in a pool process (manager or worker): never start a pool from here */
	bool      in_pool_process;
	/* the task this worker runs now (AsyncTask\context()) */
	asynctask_task_context_t task_context;
ZEND_END_MODULE_GLOBALS(asynctask)

ZEND_EXTERN_MODULE_GLOBALS(asynctask)
#define ASYNCTASK_G(v) ZEND_MODULE_GLOBALS_ACCESSOR(asynctask, v)

#if defined(ZTS) && defined(COMPILE_DL_ASYNCTASK)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif /* PHP_ASYNCTASK_H */
