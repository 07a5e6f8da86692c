/*
 * Fault injection for tests (built only with --enable-asynctask-fault-injection).
 *
 * ASYNCTASK_FAULT("point") marks a place in the queue and result protocols
 * where a process may die. In a test build, a process whose environment has
 * ASYNCTASK_FAULT=point (or point:N, the Nth time it passes there) kills
 * itself with SIGKILL at that point; release builds compile the marks away.
 */
#ifndef ASYNCTASK_FAULT_H
#define ASYNCTASK_FAULT_H

#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#ifdef ASYNCTASK_FAULT_INJECTION
void asynctask_fault_point(const char *point);
# define ASYNCTASK_FAULT(point) asynctask_fault_point(point)
#else
# define ASYNCTASK_FAULT(point) ((void) 0)
#endif

#endif
