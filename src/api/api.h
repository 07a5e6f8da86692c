/*
 * api/: what PHP code sees. It owns AsyncTask\Task with dispatch() and
 * map() (task.h), AsyncTask\Future (future.h) and the Redis backend's
 * php.ini settings and secret (redis/). The module entry (asynctask.c, the
 * top) registers these classes and calls AsyncTask\Pool's functions in
 * pool/. It may call pool/ (the pool a dispatch goes to), the transport
 * through ASYNCTASK_G(transport) (transport.h: send, cancel, collect, wait),
 * codec/ and base/; nothing below calls it (a lower layer that must tell it
 * something, as a dispatcher waiting for room, is handed a callback). This
 * header includes the folder's headers.
 */
#ifndef ASYNCTASK_API_H
#define ASYNCTASK_API_H

#include "src/api/context.h"
#include "src/api/future.h"
#include "src/api/serve.h"
#include "src/api/task.h"
#include "src/api/redis/settings.h"

#endif
