/*
 * What memory_limit leaves this process: asked before a large result is
 * read or decoded, so that one too large fails its Future instead of the
 * script.
 */
#ifndef ASYNCTASK_MEMORY_LIMIT_H
#define ASYNCTASK_MEMORY_LIMIT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this process can allocate `need` more bytes within memory_limit;
 * if not, a message saying so (the result's `encoded` and `decoded` sizes)
 * into why. A result refused so fails its Future instead of ending the
 * script with "Allowed memory size exhausted". */
bool asynctask_memory_allows(size_t need, size_t encoded, size_t decoded, char *why, size_t why_size);

#endif
