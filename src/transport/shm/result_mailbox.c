/*
 * Results, the mailboxes' upkeep (the manager's): whether a process still
 * takes results, syncing the mailboxes, and freeing a gone process's
 * mailbox (the spill files of the results left in it removed). Of the
 * result files it calls only result_store.c (a FIFO's name), below it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "php.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/base/process.h"
#include "src/base/log.h"
#include "src/base/memory_limit.h"
#include "src/transport/shm/result_mailbox.h"
#include "src/transport/shm/region.h"
#include "src/transport/shm/spill.h"
#include "src/base/fault.h"
#include "src/transport/shm/lock.h"
#include "src/transport/shm/mailbox.h"
#include "src/transport/shm/rundir.h"
#include "src/codec/remote_error.h"
#include "src/base/clock.h"
#include "src/transport/shm/result_store.h"

bool asynctask_results_listening(asynctask_pool_t *pool, pid_t owner)
{
	char name[FIFO_NAME_MAX];

	if (owner <= 0 || asynctask_process_gone(owner)) {
		return false;
	}
	if (asynctask_mailbox_of(asynctask_region_mailboxes(pool), pool->mailboxes, owner)) {
		return true;
	}
	/* O_NONBLOCK: ENXIO when nobody reads it, ENOENT when it was closed for good */
	asynctask_results_fifo_name(name, owner);
	int fd = openat(asynctask_rundir_fd(), name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	close(fd);
	return true;
}

void asynctask_results_sync_mailboxes(asynctask_pool_t *pool)
{
	for (uint32_t i = 0; i < pool->mailboxes; i++) {
		asynctask_mailbox_sync(&asynctask_region_mailboxes(pool)[i]);
	}
}

/* Messages nobody will read (owner's): their spill files are removed;
 * returns how many results they were. */
static uint32_t discard_messages(const smart_str *messages, pid_t owner)
{
	const char *base = messages->s ? ZSTR_VAL(messages->s) : NULL;
	size_t len = messages->s ? ZSTR_LEN(messages->s) : 0, offset = 0;
	uint32_t count = 0;

	while (offset + sizeof(result_header_t) <= len) {
		result_header_t header;
		memcpy(&header, base + offset, sizeof(header));
		if (header.magic != RESULT_MAGIC || header.length > len - offset - sizeof(header)) {
			break;
		}
		if (header.spilled == RESULT_IN_FILE && header.task_id) {
			char name[ASYNCTASK_SPILL_NAME_MAX];
			asynctask_result_spill_name(owner, header.task_id, name);
			asynctask_spill_remove(asynctask_rundir_fd(), name);
		}
		count += header.task_id != 0;
		offset += sizeof(header) + header.length;
	}
	return count;
}

uint32_t asynctask_results_free_mailbox(asynctask_mailbox_t *box, pid_t owner)
{
	smart_str left = {0};

	asynctask_mailbox_free(box, owner, &left);
	uint32_t count = discard_messages(&left, owner);
	smart_str_free(&left);
	return count;
}
