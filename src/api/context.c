/*
 * AsyncTask\TaskContext: a snapshot of the running task's context, made by
 * AsyncTask\context() (null outside a task). A local task's id is its
 * Future's id(), its attempt 1 and its queue "default"; a Redis task's id is
 * its wire id in 32 hex digits and its attempt the delivery count of its
 * stream entry. node() is asynctask.node (the hostname when unset).
 */
#include <inttypes.h>

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/api/context.h"
#include "src/api/redis/settings.h"
#include "src/base/clock.h"
#include "src/codec/redis/wire.h"
#include "src/transport/redis/protocol.h"

zend_class_entry *asynctask_ce_task_context;
static zend_object_handlers context_handlers;

typedef struct {
	zend_string *id;
	zend_string *queue;
	zend_string *node;
	zend_long    attempt;
	double       dispatched_at;
	zend_object  std;
} context_t;

static inline context_t *context_from_obj(zend_object *obj)
{
	return (context_t *) ((char *) obj - XtOffsetOf(context_t, std));
}

static zend_object *context_create_object(zend_class_entry *ce)
{
	context_t *context = zend_object_alloc(sizeof(context_t), ce);

	zend_object_std_init(&context->std, ce);
	context->std.handlers = &context_handlers;
	return &context->std;
}

static void context_free(zend_object *obj)
{
	context_t *context = context_from_obj(obj);

	if (context->id) zend_string_release(context->id);
	if (context->queue) zend_string_release(context->queue);
	if (context->node) zend_string_release(context->node);
	zend_object_std_dtor(obj);
}

void asynctask_context_minit(zend_class_entry *ce)
{
	asynctask_ce_task_context = ce;
	ce->create_object = context_create_object;
	memcpy(&context_handlers, zend_get_std_object_handlers(), sizeof(context_handlers));
	context_handlers.offset = XtOffsetOf(context_t, std);
	context_handlers.free_obj = context_free;
	context_handlers.clone_obj = NULL;
}

ZEND_FUNCTION(AsyncTask_context)
{
	const asynctask_task_context_t *ctx = &ASYNCTASK_G(task_context);
	char node[256];

	ZEND_PARSE_PARAMETERS_NONE();
	if (!ctx->active) {
		RETURN_NULL();
	}
	object_init_ex(return_value, asynctask_ce_task_context);
	context_t *context = context_from_obj(Z_OBJ_P(return_value));
	if (ctx->remote) {
		char hex[2 * ASYNCTASK_WIRE_ID_SIZE + 1];
		asynctask_wire_id_hex(ctx->id, hex);
		context->id = zend_string_init(hex, sizeof(hex) - 1, 0);
		context->queue = zend_string_init(ctx->queue, ctx->queue_len, 0);
	} else {
		context->id = zend_strpprintf(0, "%" PRIu64, ctx->local_id);
		/* the queue of the worker that runs it (asynctask.queues) */
		context->queue = ctx->queue_len ? zend_string_init(ctx->queue, ctx->queue_len, 0)
			: zend_string_init(ZEND_STRL(ASYNCTASK_REDIS_QUEUE_DEFAULT), 0);
	}
	asynctask_redis_node(node, sizeof(node));
	context->node = zend_string_init(node, strlen(node), 0);
	context->attempt = (zend_long) ctx->attempt;
	if (ctx->remote) {
		context->dispatched_at = (double) ctx->dispatched_us / 1e6;
	} else {
		/* the queue record keeps one (monotonic) clock reading: told in unix time here */
		uint64_t now_ns = asynctask_now_ns();
		uint64_t ago_ns = now_ns > ctx->queued_ns ? now_ns - ctx->queued_ns : 0;
		context->dispatched_at = (double) asynctask_unix_us() / 1e6 - (double) ago_ns / 1e9;
	}
}

ZEND_METHOD(AsyncTask_TaskContext, __construct)
{
	(void) return_value;
	ZEND_PARSE_PARAMETERS_NONE();
}

ZEND_METHOD(AsyncTask_TaskContext, id)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STR_COPY(context_from_obj(Z_OBJ_P(ZEND_THIS))->id);
}

ZEND_METHOD(AsyncTask_TaskContext, attempt)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_LONG(context_from_obj(Z_OBJ_P(ZEND_THIS))->attempt);
}

ZEND_METHOD(AsyncTask_TaskContext, queue)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STR_COPY(context_from_obj(Z_OBJ_P(ZEND_THIS))->queue);
}

ZEND_METHOD(AsyncTask_TaskContext, node)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_STR_COPY(context_from_obj(Z_OBJ_P(ZEND_THIS))->node);
}

ZEND_METHOD(AsyncTask_TaskContext, dispatchedAt)
{
	ZEND_PARSE_PARAMETERS_NONE();
	RETURN_DOUBLE(context_from_obj(Z_OBJ_P(ZEND_THIS))->dispatched_at);
}
