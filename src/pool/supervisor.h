/*
 * The supervisor of a php-fpm master's pools (see server.h): a process the
 * master forks at startup, as the master's user (usually root). It maps no
 * pool and runs no PHP code. Through the door it receives the FPM
 * children's requests, each with the kernel's word for the child's pid, uid
 * and gid; it forks one manager per (uid, gid, FPM section), which becomes
 * that user at once, and forwards each child to its own user's manager. It
 * watches the master (the lifeline, its pid) and, once the master is gone,
 * lets its managers drain and leave.
 */
#ifndef ASYNCTASK_SUPERVISOR_H
#define ASYNCTASK_SUPERVISOR_H

#include "php.h"

/* Runs in the freshly forked supervisor; never returns. door: the
 * receiving end of the children's datagram socket (SO_PASSCRED set);
 * lifeline: reads EOF once the master exited or re-executed itself. */
ZEND_NORETURN void asynctask_supervisor_run(int door, int lifeline);

#endif
