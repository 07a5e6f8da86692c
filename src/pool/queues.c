/*
 * The pool's named queues from the settings (queues.h).
 */
#include <stdio.h>
#include <string.h>

#include "php.h"

#include "php_asynctask.h"
#include "src/pool/queues.h"
#include "src/pool/manager.h"
#include "src/transport/shm/region.h"

bool asynctask_pool_queue_layout(uint32_t workers, asynctask_queues_t *layout, char *error, size_t error_size)
{
	uint32_t total = 0;
	char why[256];

	if (workers == 0) {
		workers = asynctask_manager_default_workers();
	}
	/* (validated when it was set: a refused value never got in) */
	if (!asynctask_queues_parse(ASYNCTASK_G(queues) ? ASYNCTASK_G(queues) : "", layout, why, sizeof(why))) {
		snprintf(error, error_size, "asynctask.queues: %s", why);
		return false;
	}
	if (layout->count == 0) {
		layout->count = 1;
		snprintf(layout->queues[0].name, sizeof(layout->queues[0].name), "%s", ASYNCTASK_QUEUE_DEFAULT);
		layout->queues[0].workers = 0;
	}
	for (uint32_t i = 0; i < layout->count; i++) {
		if (layout->queues[i].workers == 0) {
			layout->queues[i].workers = workers;
		}
		total += layout->queues[i].workers;
	}
	if (total > ASYNCTASK_WORKERS_MAX) {
		snprintf(error, error_size, "the pool's queues (asynctask.queues \"%s\") would have %u workers in all, "
			"more than %d: give each queue its count (name:workers), or lower asynctask.workers",
			ASYNCTASK_G(queues), total, ASYNCTASK_WORKERS_MAX);
		return false;
	}
	return true;
}
