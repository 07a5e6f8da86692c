/*
 * asynctask.max_memory (recycle.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <inttypes.h>

#include "php.h"
#include "php_asynctask.h"
#include "src/pool/recycle.h"
#include "src/base/log.h"

bool asynctask_recycle_over_memory(uint64_t task_id)
{
	zend_long limit = ASYNCTASK_G(max_memory);

	if (limit <= 0) {
		return false;
	}
	size_t used = zend_memory_usage(true);
	if (used <= (size_t) limit) {
		return false;
	}
	asynctask_log_event(ASYNCTASK_LOG_NOTICE, "worker_recycled",
		"worker replaced after task %" PRIu64 ": it holds %zu bytes, over asynctask.max_memory (%"
		ZEND_LONG_FMT_SPEC ")", task_id, used, limit);
	return true;
}
