/*
 * Task::then() at dispatch() (chain.h).
 */
#include "php.h"
#include "zend_smart_str.h"

#include "php_asynctask.h"
#include "src/api/chain.h"
#include "src/base/exceptions.h"
#include "src/codec/chain.h"
#include "src/codec/payload.h"
#include "src/codec/retry.h"

/* Appends the links of chain (and theirs) to rest; counts them in *n. */
static zend_result add_links(zval *chain, smart_str *rest, uint32_t *n, uint32_t depth)
{
	zval *next;

	if (depth > 64) {
		asynctask_throw(asynctask_ce_exception, "not supported yet: chains (Task::then()) nested more than 64 deep");
		return FAILURE;
	}
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(chain), next) {
		zval link;
		if (Z_TYPE_P(next) == IS_OBJECT && instanceof_function(Z_OBJCE_P(next), asynctask_ce_task)) {
			ZVAL_COPY(&link, next);
		} else {
			/* a callable: a Task of it, with no arguments but the previous value */
			object_init_ex(&link, asynctask_ce_task);
			ZVAL_COPY(&asynctask_task_from_obj(Z_OBJ(link))->callable, next);
		}
		asynctask_task_t *task = asynctask_task_from_obj(Z_OBJ(link));
		const asynctask_task_options_t *options = &task->options;
		const char *refused = options->delay > 0 ? "a delay (Task::delay())"
			: options->queue ? "a named queue (Task::onQueue())" : NULL;
		if (refused) {
			asynctask_throw(asynctask_ce_exception, "not supported yet: %s on a task chained with Task::then() "
				"(link %u): it runs as soon as the link before it succeeded", refused, *n + 2);
			zval_ptr_dtor(&link);
			return FAILURE;
		}
		if (++*n >= ASYNCTASK_CHAIN_LINKS_MAX) {
			asynctask_throw(asynctask_ce_exception, "a chain (Task::then()) may have at most %d tasks",
				ASYNCTASK_CHAIN_LINKS_MAX);
			zval_ptr_dtor(&link);
			return FAILURE;
		}
		smart_str payload = {0}, plan = {0};
		zend_result encoded = asynctask_payload_encode(Z_OBJ(link), &payload);
		if (encoded == SUCCESS) {
			if (options->retries > 0) {
				asynctask_retry_plan_write(options, &plan);
			}
			asynctask_chain_link_write(rest, asynctask_task_timeout_ms(task, ASYNCTASK_G(task_timeout)), options->priority,
				plan.s ? ZSTR_VAL(plan.s) : "", plan.s ? ZSTR_LEN(plan.s) : 0,
				ZSTR_VAL(payload.s), ZSTR_LEN(payload.s));
		}
		smart_str_free(&payload);
		smart_str_free(&plan);
		if (encoded == SUCCESS && !Z_ISUNDEF(options->chain)) {
			encoded = add_links(&task->options.chain, rest, n, depth + 1);
		}
		zval_ptr_dtor(&link);
		if (encoded == FAILURE) {
			return FAILURE;
		}
	} ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

zend_result asynctask_chain_prepend(const asynctask_task_options_t *options, smart_str *payload)
{
	smart_str rest = {0}, block = {0};
	uint32_t n = 0;

	if (add_links((zval *) &options->chain, &rest, &n, 0) == FAILURE) {
		smart_str_free(&rest);
		return FAILURE;
	}
	asynctask_chain_write(&block, 1, n + 1, NULL, 0, n, rest.s ? ZSTR_VAL(rest.s) : "", rest.s ? ZSTR_LEN(rest.s) : 0);
	smart_str_append_smart_str(&block, payload);
	smart_str_free(&rest);
	smart_str_free(payload);
	*payload = block;
	return SUCCESS;
}
