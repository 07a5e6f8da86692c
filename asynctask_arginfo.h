/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: b5bdbc0a9776b7ac31960e8495646426c2121eac */

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_AsyncTask_dispatch, 0, 1, AsyncTask\\Future, 0)
	ZEND_ARG_TYPE_INFO(0, callable, IS_CALLABLE, 0)
	ZEND_ARG_VARIADIC_TYPE_INFO(0, args, IS_MIXED, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_map, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, callable, IS_CALLABLE, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, items, Traversable, MAY_BE_ARRAY, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_AsyncTask_context, 0, 0, AsyncTask\\TaskContext, 1)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_events, 0, 0, IS_MIXED, 0)
ZEND_END_ARG_INFO()

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_encode, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, callable, IS_CALLABLE, 0)
	ZEND_ARG_VARIADIC_TYPE_INFO(0, args, IS_MIXED, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_AsyncTask_Testing_dispatchPayload, 0, 1, AsyncTask\\Future, 0)
	ZEND_ARG_TYPE_INFO(0, payload, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_encodeValue, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, value, IS_MIXED, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_decodeValue, 0, 1, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, bytes, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_encodeError, 0, 1, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, error, IS_ARRAY, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_decodeError, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO(0, bytes, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_encodeException, 0, 1, IS_STRING, 0)
	ZEND_ARG_OBJ_INFO(0, exception, Throwable, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_hmacSha256, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, data, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_wireEncode, 0, 2, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, entry, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, secret, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_wireDecode, 0, 3, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, bytes, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, kind, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, secret, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, maxPayload, IS_LONG, 1, "null")
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_signingKey, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

#if defined(ASYNCTASK_FAULT_INJECTION) && defined(HAVE_ASYNCTASK_REDIS)
ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_AsyncTask_Testing_redisCommand, 0, 0, IS_MIXED, 0)
	ZEND_ARG_VARIADIC_TYPE_INFO(0, args, IS_STRING, 0)
ZEND_END_ARG_INFO()
#endif

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_AsyncTask_Task___construct, 0, 0, 1)
	ZEND_ARG_TYPE_INFO(0, callable, IS_CALLABLE, 0)
	ZEND_ARG_VARIADIC_TYPE_INFO(0, args, IS_MIXED, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_Task_handle arginfo_AsyncTask_events

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_AsyncTask_Task_dispatch, 0, 0, AsyncTask\\Future, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Task_withTimeout, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, seconds, IS_DOUBLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Task_onQueue, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, queue, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_Task_delay arginfo_class_AsyncTask_Task_withTimeout

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Task_withRetries, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, times, IS_LONG, 0)
	ZEND_ARG_TYPE_MASK(0, backoff, MAY_BE_DOUBLE|MAY_BE_ARRAY, "1.0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Task_withPriority, 0, 1, IS_STATIC, 0)
	ZEND_ARG_TYPE_INFO(0, priority, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Task_then, 0, 1, IS_STATIC, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, next, AsyncTask\\Task, MAY_BE_CALLABLE, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_AsyncTask_Future___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Future_id, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Future_isDone, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Future_wait, 0, 0, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_Future_cancel arginfo_class_AsyncTask_Future_isDone

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Future_all, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, futures, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_MASK_EX(arginfo_class_AsyncTask_Future_any, 0, 1, MAY_BE_LONG|MAY_BE_STRING)
	ZEND_ARG_TYPE_INFO(0, futures, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_Pool___construct arginfo_class_AsyncTask_Future___construct

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Pool_start, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, workers, IS_LONG, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Pool_stop, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, timeout, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Pool_reload, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_Pool_stats, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_Pool_serve arginfo_class_AsyncTask_Pool_reload

#define arginfo_class_AsyncTask_TaskContext___construct arginfo_class_AsyncTask_Future___construct

#define arginfo_class_AsyncTask_TaskContext_id arginfo_class_AsyncTask_Future_id

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_TaskContext_attempt, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_TaskContext_queue arginfo_class_AsyncTask_Future_id

#define arginfo_class_AsyncTask_TaskContext_node arginfo_class_AsyncTask_Future_id

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_AsyncTask_TaskContext_dispatchedAt, 0, 0, IS_DOUBLE, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_AsyncTask_TaskFailedException_getRemoteClass arginfo_class_AsyncTask_Future_id

#define arginfo_class_AsyncTask_TaskFailedException_getRemoteTraceAsString arginfo_class_AsyncTask_Future_id

#define arginfo_class_AsyncTask_TaskFailedException_getAttempts arginfo_class_AsyncTask_TaskContext_attempt


ZEND_FUNCTION(AsyncTask_dispatch);
ZEND_FUNCTION(AsyncTask_map);
ZEND_FUNCTION(AsyncTask_context);
ZEND_FUNCTION(AsyncTask_events);
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_encode);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_dispatchPayload);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_encodeValue);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_decodeValue);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_encodeError);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_decodeError);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_encodeException);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_hmacSha256);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_wireEncode);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_wireDecode);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
ZEND_FUNCTION(AsyncTask_Testing_signingKey);
#endif
#if defined(ASYNCTASK_FAULT_INJECTION) && defined(HAVE_ASYNCTASK_REDIS)
ZEND_FUNCTION(AsyncTask_Testing_redisCommand);
#endif
ZEND_METHOD(AsyncTask_Task, __construct);
ZEND_METHOD(AsyncTask_Task, handle);
ZEND_METHOD(AsyncTask_Task, dispatch);
ZEND_METHOD(AsyncTask_Task, withTimeout);
ZEND_METHOD(AsyncTask_Task, onQueue);
ZEND_METHOD(AsyncTask_Task, delay);
ZEND_METHOD(AsyncTask_Task, withRetries);
ZEND_METHOD(AsyncTask_Task, withPriority);
ZEND_METHOD(AsyncTask_Task, then);
ZEND_METHOD(AsyncTask_Future, __construct);
ZEND_METHOD(AsyncTask_Future, id);
ZEND_METHOD(AsyncTask_Future, isDone);
ZEND_METHOD(AsyncTask_Future, wait);
ZEND_METHOD(AsyncTask_Future, cancel);
ZEND_METHOD(AsyncTask_Future, all);
ZEND_METHOD(AsyncTask_Future, any);
ZEND_METHOD(AsyncTask_Pool, __construct);
ZEND_METHOD(AsyncTask_Pool, start);
ZEND_METHOD(AsyncTask_Pool, stop);
ZEND_METHOD(AsyncTask_Pool, reload);
ZEND_METHOD(AsyncTask_Pool, stats);
ZEND_METHOD(AsyncTask_Pool, serve);
ZEND_METHOD(AsyncTask_TaskContext, __construct);
ZEND_METHOD(AsyncTask_TaskContext, id);
ZEND_METHOD(AsyncTask_TaskContext, attempt);
ZEND_METHOD(AsyncTask_TaskContext, queue);
ZEND_METHOD(AsyncTask_TaskContext, node);
ZEND_METHOD(AsyncTask_TaskContext, dispatchedAt);
ZEND_METHOD(AsyncTask_TaskFailedException, getRemoteClass);
ZEND_METHOD(AsyncTask_TaskFailedException, getRemoteTraceAsString);
ZEND_METHOD(AsyncTask_TaskFailedException, getAttempts);


static const zend_function_entry ext_functions[] = {
	ZEND_NS_FALIAS("AsyncTask", dispatch, AsyncTask_dispatch, arginfo_AsyncTask_dispatch)
	ZEND_NS_FALIAS("AsyncTask", map, AsyncTask_map, arginfo_AsyncTask_map)
	ZEND_NS_FALIAS("AsyncTask", context, AsyncTask_context, arginfo_AsyncTask_context)
	ZEND_NS_FALIAS("AsyncTask", events, AsyncTask_events, arginfo_AsyncTask_events)
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", encode, AsyncTask_Testing_encode, arginfo_AsyncTask_Testing_encode)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", dispatchPayload, AsyncTask_Testing_dispatchPayload, arginfo_AsyncTask_Testing_dispatchPayload)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", encodeValue, AsyncTask_Testing_encodeValue, arginfo_AsyncTask_Testing_encodeValue)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", decodeValue, AsyncTask_Testing_decodeValue, arginfo_AsyncTask_Testing_decodeValue)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", encodeError, AsyncTask_Testing_encodeError, arginfo_AsyncTask_Testing_encodeError)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", decodeError, AsyncTask_Testing_decodeError, arginfo_AsyncTask_Testing_decodeError)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", encodeException, AsyncTask_Testing_encodeException, arginfo_AsyncTask_Testing_encodeException)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", hmacSha256, AsyncTask_Testing_hmacSha256, arginfo_AsyncTask_Testing_hmacSha256)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", wireEncode, AsyncTask_Testing_wireEncode, arginfo_AsyncTask_Testing_wireEncode)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", wireDecode, AsyncTask_Testing_wireDecode, arginfo_AsyncTask_Testing_wireDecode)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION)
	ZEND_NS_FALIAS("AsyncTask\\Testing", signingKey, AsyncTask_Testing_signingKey, arginfo_AsyncTask_Testing_signingKey)
#endif
#if defined(ASYNCTASK_FAULT_INJECTION) && defined(HAVE_ASYNCTASK_REDIS)
	ZEND_NS_FALIAS("AsyncTask\\Testing", redisCommand, AsyncTask_Testing_redisCommand, arginfo_AsyncTask_Testing_redisCommand)
#endif
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_Task_methods[] = {
	ZEND_ME(AsyncTask_Task, __construct, arginfo_class_AsyncTask_Task___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, handle, arginfo_class_AsyncTask_Task_handle, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, dispatch, arginfo_class_AsyncTask_Task_dispatch, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, withTimeout, arginfo_class_AsyncTask_Task_withTimeout, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, onQueue, arginfo_class_AsyncTask_Task_onQueue, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, delay, arginfo_class_AsyncTask_Task_delay, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, withRetries, arginfo_class_AsyncTask_Task_withRetries, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, withPriority, arginfo_class_AsyncTask_Task_withPriority, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Task, then, arginfo_class_AsyncTask_Task_then, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_Future_methods[] = {
	ZEND_ME(AsyncTask_Future, __construct, arginfo_class_AsyncTask_Future___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(AsyncTask_Future, id, arginfo_class_AsyncTask_Future_id, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Future, isDone, arginfo_class_AsyncTask_Future_isDone, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Future, wait, arginfo_class_AsyncTask_Future_wait, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Future, cancel, arginfo_class_AsyncTask_Future_cancel, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_Future, all, arginfo_class_AsyncTask_Future_all, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(AsyncTask_Future, any, arginfo_class_AsyncTask_Future_any, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_Pool_methods[] = {
	ZEND_ME(AsyncTask_Pool, __construct, arginfo_class_AsyncTask_Pool___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(AsyncTask_Pool, start, arginfo_class_AsyncTask_Pool_start, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(AsyncTask_Pool, stop, arginfo_class_AsyncTask_Pool_stop, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(AsyncTask_Pool, reload, arginfo_class_AsyncTask_Pool_reload, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(AsyncTask_Pool, stats, arginfo_class_AsyncTask_Pool_stats, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(AsyncTask_Pool, serve, arginfo_class_AsyncTask_Pool_serve, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_TaskContext_methods[] = {
	ZEND_ME(AsyncTask_TaskContext, __construct, arginfo_class_AsyncTask_TaskContext___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(AsyncTask_TaskContext, id, arginfo_class_AsyncTask_TaskContext_id, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_TaskContext, attempt, arginfo_class_AsyncTask_TaskContext_attempt, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_TaskContext, queue, arginfo_class_AsyncTask_TaskContext_queue, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_TaskContext, node, arginfo_class_AsyncTask_TaskContext_node, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_TaskContext, dispatchedAt, arginfo_class_AsyncTask_TaskContext_dispatchedAt, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_Exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_SerializationException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_QueueFullException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_TimeoutException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_TaskFailedException_methods[] = {
	ZEND_ME(AsyncTask_TaskFailedException, getRemoteClass, arginfo_class_AsyncTask_TaskFailedException_getRemoteClass, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_TaskFailedException, getRemoteTraceAsString, arginfo_class_AsyncTask_TaskFailedException_getRemoteTraceAsString, ZEND_ACC_PUBLIC)
	ZEND_ME(AsyncTask_TaskFailedException, getAttempts, arginfo_class_AsyncTask_TaskFailedException_getAttempts, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_TaskTimeoutException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_WorkerCrashedException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_AsyncTask_BackendException_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_AsyncTask_Task(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "Task", class_AsyncTask_Task_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);

	zval const_LOW_value;
	ZVAL_LONG(&const_LOW_value, -1);
	zend_string *const_LOW_name = zend_string_init_interned("LOW", sizeof("LOW") - 1, 1);
	zend_declare_class_constant_ex(class_entry, const_LOW_name, &const_LOW_value, ZEND_ACC_PUBLIC, NULL);
	zend_string_release(const_LOW_name);

	zval const_NORMAL_value;
	ZVAL_LONG(&const_NORMAL_value, 0);
	zend_string *const_NORMAL_name = zend_string_init_interned("NORMAL", sizeof("NORMAL") - 1, 1);
	zend_declare_class_constant_ex(class_entry, const_NORMAL_name, &const_NORMAL_value, ZEND_ACC_PUBLIC, NULL);
	zend_string_release(const_NORMAL_name);

	zval const_HIGH_value;
	ZVAL_LONG(&const_HIGH_value, 1);
	zend_string *const_HIGH_name = zend_string_init_interned("HIGH", sizeof("HIGH") - 1, 1);
	zend_declare_class_constant_ex(class_entry, const_HIGH_name, &const_HIGH_value, ZEND_ACC_PUBLIC, NULL);
	zend_string_release(const_HIGH_name);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_Future(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "Future", class_AsyncTask_Future_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_Pool(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "Pool", class_AsyncTask_Pool_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_TaskContext(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "TaskContext", class_AsyncTask_TaskContext_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_Exception(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "Exception", class_AsyncTask_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_SerializationException(zend_class_entry *class_entry_AsyncTask_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "SerializationException", class_AsyncTask_SerializationException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_Exception);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_QueueFullException(zend_class_entry *class_entry_AsyncTask_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "QueueFullException", class_AsyncTask_QueueFullException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_Exception);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_TimeoutException(zend_class_entry *class_entry_AsyncTask_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "TimeoutException", class_AsyncTask_TimeoutException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_Exception);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_TaskFailedException(zend_class_entry *class_entry_AsyncTask_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "TaskFailedException", class_AsyncTask_TaskFailedException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_Exception);

	zval property_remoteClass_default_value;
	ZVAL_EMPTY_STRING(&property_remoteClass_default_value);
	zend_string *property_remoteClass_name = zend_string_init("remoteClass", sizeof("remoteClass") - 1, 1);
	zend_declare_typed_property(class_entry, property_remoteClass_name, &property_remoteClass_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_remoteClass_name);

	zval property_remoteTrace_default_value;
	ZVAL_EMPTY_STRING(&property_remoteTrace_default_value);
	zend_string *property_remoteTrace_name = zend_string_init("remoteTrace", sizeof("remoteTrace") - 1, 1);
	zend_declare_typed_property(class_entry, property_remoteTrace_name, &property_remoteTrace_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_STRING));
	zend_string_release(property_remoteTrace_name);

	zval property_attempts_default_value;
	ZVAL_LONG(&property_attempts_default_value, 1);
	zend_string *property_attempts_name = zend_string_init("attempts", sizeof("attempts") - 1, 1);
	zend_declare_typed_property(class_entry, property_attempts_name, &property_attempts_default_value, ZEND_ACC_PRIVATE, NULL, (zend_type) ZEND_TYPE_INIT_MASK(MAY_BE_LONG));
	zend_string_release(property_attempts_name);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_TaskTimeoutException(zend_class_entry *class_entry_AsyncTask_TaskFailedException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "TaskTimeoutException", class_AsyncTask_TaskTimeoutException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_TaskFailedException);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_WorkerCrashedException(zend_class_entry *class_entry_AsyncTask_TaskFailedException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "WorkerCrashedException", class_AsyncTask_WorkerCrashedException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_TaskFailedException);

	return class_entry;
}

static zend_class_entry *register_class_AsyncTask_BackendException(zend_class_entry *class_entry_AsyncTask_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "AsyncTask", "BackendException", class_AsyncTask_BackendException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_AsyncTask_Exception);

	return class_entry;
}
