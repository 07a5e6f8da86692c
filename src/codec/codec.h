/*
 * codec/: bytes in, bytes out. It owns how values, callables and tasks
 * become bytes and back, and nothing about how the bytes travel: the
 * serializers (serializer.h: php, igbinary, compact.h), a callable's
 * description (callable.h), closures by code reference (closure.h, its
 * parts in closure/), a task's payload and the Task object's layout
 * (payload.h), a failure's report (remote_error.h), and the Redis
 * backend's signed wire form and HMAC (redis/). It forks nothing, waits
 * for nobody and owns no file descriptor of the pool. It may call base/
 * only; the transport, the pool and the api call it. This header includes
 * the folder's public headers.
 */
#ifndef ASYNCTASK_CODEC_H
#define ASYNCTASK_CODEC_H

#include "src/codec/callable.h"
#include "src/codec/closure.h"
#include "src/codec/compact.h"
#include "src/codec/payload.h"
#include "src/codec/remote_error.h"
#include "src/codec/serializer.h"

#endif
