/*
 * A task's retry plan on the wire, and its backoff (retry.h).
 */
#include <math.h>

#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/byteorder.h"
#include "src/codec/retry.h"

static void put32(smart_str *out, uint32_t v)
{
	char b[4];
	asynctask_le32_put(b, v);
	smart_str_appendl(out, b, 4);
}

static void put_double(smart_str *out, double d)
{
	char b[8];
	asynctask_le_double_put(b, d);
	smart_str_appendl(out, b, 8);
}

void asynctask_retry_plan_write(const asynctask_task_options_t *options, smart_str *out)
{
	uint32_t times = (uint32_t) options->retries;

	smart_str_appendl(out, ASYNCTASK_RETRY_MAGIC, 4);
	put32(out, times);
	if (Z_TYPE(options->backoff) == IS_ARRAY) {
		uint32_t count = zend_hash_num_elements(Z_ARRVAL(options->backoff));
		uint32_t n = count < times ? count : times;  /* what is past `times` is never used */
		uint32_t i = 0;
		zval *item;

		put32(out, 1);
		put32(out, n);
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL(options->backoff), item) {
			if (i++ == n) {
				break;
			}
			put_double(out, zval_get_double(item));
		} ZEND_HASH_FOREACH_END();
	} else {
		put32(out, 0);
		put32(out, 1);
		put_double(out, Z_TYPE(options->backoff) == IS_DOUBLE ? Z_DVAL(options->backoff) : 1.0);
	}
}

size_t asynctask_retry_plan_read(const char *buf, size_t len, asynctask_retry_plan_t *plan)
{
	if (len < ASYNCTASK_RETRY_FIXED || memcmp(buf, ASYNCTASK_RETRY_MAGIC, 4) != 0) {
		return 0;
	}
	plan->times = asynctask_le32_get(buf + 4);
	plan->kind = asynctask_le32_get(buf + 8);
	plan->n = asynctask_le32_get(buf + 12);
	if (plan->n == 0 || plan->n > 1000 || plan->kind > 1 || (plan->kind == 0 && plan->n != 1)
			|| len - ASYNCTASK_RETRY_FIXED < (size_t) plan->n * 8) {
		return 0;
	}
	plan->seconds = buf + ASYNCTASK_RETRY_FIXED;
	return ASYNCTASK_RETRY_FIXED + (size_t) plan->n * 8;
}

uint64_t asynctask_retry_backoff_ns(const asynctask_retry_plan_t *plan, uint32_t r, double random)
{
	double seconds;

	if (r == 0) {
		r = 1;
	}
	if (plan->kind == 1) {
		uint32_t i = r < plan->n ? r : plan->n;
		seconds = asynctask_le_double_get(plan->seconds + (size_t) (i - 1) * 8);
	} else {
		double base = asynctask_le_double_get(plan->seconds);
		double cap = base > ASYNCTASK_RETRY_CAP_S ? base : ASYNCTASK_RETRY_CAP_S;
		double d = r > 64 ? cap : base * ldexp(1.0, (int) r - 1);
		if (d > cap) {
			d = cap;
		}
		seconds = d / 2 + d / 2 * random;
	}
	if (!(seconds > 0)) {
		return 0;
	}
	return (uint64_t) (seconds * 1e9);
}
