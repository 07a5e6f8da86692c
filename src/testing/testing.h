/*
 * The top of the house: code that only tests use. AsyncTask\Testing's
 * functions (testing.c: encode a task or a value, dispatch raw bytes; a
 * build with --enable-asynctask-fault-injection only) and the Redis
 * backend's test functions (redis.c). It may call every layer below (api,
 * pool, transport, codec, base); nothing below may call it. The fault
 * points themselves (ASYNCTASK_FAULT) are marks in the low layers' protocols
 * and live in base/fault.h: a test build's process dies there when asked to.
 */
#ifndef ASYNCTASK_TESTING_H
#define ASYNCTASK_TESTING_H

#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#endif
