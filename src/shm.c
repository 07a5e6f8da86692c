/*
 * The pool's shared-memory region.
 */
#include <sys/mman.h>
#include <errno.h>

#include "shm.h"

void *asynctask_shm_map(size_t size)
{
	void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED) {
		return NULL;
	}
	/* Workers are forked from the manager: keep the region across fork,
	 * and never let a core dump of a worker carry the whole queue. */
	(void) madvise(addr, size, MADV_DONTDUMP);
	return addr;
}

void asynctask_shm_unmap(void *addr, size_t size)
{
	if (addr) {
		munmap(addr, size);
	}
}
