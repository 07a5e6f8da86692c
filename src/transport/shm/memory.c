/*
 * The memory of the pool's shared region (memory.h): mapped, attached, unmapped.
 */
#include <sys/mman.h>
#include <errno.h>
#include <unistd.h>

#include "src/transport/shm/memory.h"

static void *map_shared(size_t size, int flags, int fd)
{
	void *addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | flags, fd, 0);
	if (addr == MAP_FAILED) {
		return NULL;
	}
	/* never let a core dump of a worker carry the whole queue */
	(void) madvise(addr, size, MADV_DONTDUMP);
	return addr;
}

void *asynctask_memory_map(size_t size, int *fd)
{
	if (!fd) {
		/* workers are forked from the manager: the mapping is kept across fork;
		 * no reservation: most of it (the mailboxes' bulk rings) is touched
		 * only by large results, and given back after them (mailbox.h) */
		return map_shared(size, MAP_ANONYMOUS | MAP_NORESERVE, -1);
	}
	*fd = memfd_create("asynctask-pool", MFD_CLOEXEC);
	if (*fd < 0) {
		return NULL;
	}
	void *addr = ftruncate(*fd, (off_t) size) == 0 ? map_shared(size, 0, *fd) : NULL;
	if (!addr) {
		int err = errno;
		close(*fd);
		*fd = -1;
		errno = err;
	}
	return addr;
}

void *asynctask_memory_attach(int fd, size_t size)
{
	return map_shared(size, 0, fd);
}

void asynctask_memory_unmap(void *addr, size_t size)
{
	if (addr) {
		munmap(addr, size);
	}
}
