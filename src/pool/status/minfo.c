/*
 * phpinfo() / php --ri asynctask: this process's live pool, when it has
 * one, and what the build can do.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>

#include "php.h"
#include "ext/standard/info.h"

#include "php_asynctask.h"
#include "src/pool/status/status.h"
#include "src/transport/shm/shm.h"

#if defined(__SANITIZE_ADDRESS__)
# define SANITIZER "AddressSanitizer"
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SANITIZER "AddressSanitizer"
# endif
#endif
#ifndef SANITIZER
# define SANITIZER "none"
#endif

void asynctask_status_minfo(void)
{
	asynctask_pool_t *pool = ASYNCTASK_G(pool);
	char buf[128];

#ifdef HAVE_ASYNCTASK_REDIS
	php_info_print_table_row(2, "Backends", "shm, redis (hiredis)");
#else
	php_info_print_table_row(2, "Backends", "shm (built without hiredis: no redis)");
#endif
#ifdef ASYNCTASK_FAULT_INJECTION
	php_info_print_table_row(2, "Fault injection", "compiled in (a test build, never for production)");
#else
	php_info_print_table_row(2, "Fault injection", "no");
#endif
	php_info_print_table_row(2, "Sanitizer", SANITIZER);
	php_info_print_table_row(2, "Status endpoint", "evhttp: /metrics, /api/stats, /api/failures, / (asynctask.status_listen)");
	if (!pool || !asynctask_shm_alive()) {
		php_info_print_table_row(2, "Pool in this process", "not running");
		return;
	}
	asynctask_counters_t c;
	uint32_t workers = 0, running = 0;
	uint64_t dispatched = asynctask_region_counts(pool, &c);
	for (uint32_t i = 0; i < pool->workers; i++) {
		const asynctask_worker_slot_t *slot = &pool->slots[i];
		if (slot->state == ASYNCTASK_WORKER_RUNNING && slot->pid > 0) {
			workers++;
			running += __atomic_load_n(&slot->claim.task_id, __ATOMIC_RELAXED) != 0;
		}
	}
	snprintf(buf, sizeof(buf), "running (manager pid %" PRId32 ")", pool->manager);
	php_info_print_table_row(2, "Pool in this process", buf);
	snprintf(buf, sizeof(buf), "%" PRIu32 " (%" PRIu32 " running a task)", workers, running);
	php_info_print_table_row(2, "Workers", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, asynctask_region_queued(pool));
	php_info_print_table_row(2, "Queued", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64 " dispatched, %" PRIu64 " completed, %" PRIu64 " failed", dispatched,
		c.completed, c.failed);
	php_info_print_table_row(2, "Tasks", buf);
}
