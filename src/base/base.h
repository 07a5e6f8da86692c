/*
 * base/: the ground floor, what every layer may use. It owns the
 * AsyncTask\ exception classes and the remote error type (exceptions.h),
 * the module's globals (globals.c; declared in php_asynctask.h), the pool
 * processes' log (log.h), this process's pid and whether another one lives
 * (process.h), the monotonic clock (clock.h), what memory_limit leaves
 * (memory_limit.h), descriptors passed over unix sockets (unixmsg.h) and the
 * fault points that test builds kill a process at (fault.h), and the
 * setting asynctask.queues parsed (queues.h). It may call
 * PHP, libc and nothing else of ours: every folder above includes it, it
 * includes none of them. This header includes the folder's headers.
 */
#ifndef ASYNCTASK_BASE_H
#define ASYNCTASK_BASE_H

#include "php_asynctask.h"
#include "src/base/clock.h"
#include "src/base/exceptions.h"
#include "src/base/fault.h"
#include "src/base/ini.h"
#include "src/base/log.h"
#include "src/base/memory_limit.h"
#include "src/base/process.h"
#include "src/base/queues.h"
#include "src/base/unixmsg.h"

#endif
