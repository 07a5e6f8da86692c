/*
 * What memory_limit leaves this process (memory_limit.h).
 */
#include <stdio.h>

#include "php.h"
#include "main/php_globals.h"

#include "src/base/memory_limit.h"

bool asynctask_memory_allows(size_t need, size_t encoded, size_t decoded, char *why, size_t why_size)
{
	zend_long limit = PG(memory_limit);
	/* what the allocator checks against the limit: its 2 MB chunks and its
	 * huge blocks; small allocations may need one more chunk than they fill */
	size_t used = zend_memory_usage(true);
	size_t left = limit > 0 && (size_t) limit > used ? (size_t) limit - used : 0;

	need += ZEND_MM_CHUNK_SIZE;
	if (limit <= 0 || need <= left) {
		return true;
	}
	char decoded_text[64] = "";
	if (decoded) {
		snprintf(decoded_text, sizeof(decoded_text), ", about %zu once decoded", decoded);
	}
	snprintf(why, why_size, "the task's result (%zu bytes%s) needs %zu bytes of memory here; this process has "
		"%zu left under memory_limit (" ZEND_LONG_FMT " bytes): return less, or raise memory_limit",
		encoded, decoded_text, need, left, limit);
	return false;
}
