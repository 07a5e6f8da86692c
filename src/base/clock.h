/*
 * The monotonic clock every layer measures time limits and deadlines with.
 */
#ifndef ASYNCTASK_CLOCK_H
#define ASYNCTASK_CLOCK_H

#include <stdint.h>

/* Monotonic clock in nanoseconds. */
uint64_t asynctask_now_ns(void);

/* Wall-clock time: microseconds since the Unix epoch (when a task was
 * dispatched, TaskContext::dispatchedAt()). */
uint64_t asynctask_unix_us(void);

#endif
