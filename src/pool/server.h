/*
 * Server pools: under php-fpm with asynctask.enable=1, every FPM pool
 * section gets a pool of its own (region, manager, workers, runtime
 * directory) that runs as that section's user. Shared memory is only ever
 * shared among processes of one uid.
 *
 * Under Apache's mod_php (prefork) it is the same with the Apache parent
 * as the master and its children as the FPM children: one section,
 * "apache", so one pool per user of the children (User). The parent runs
 * PHP's startup again at each graceful restart, after shutting PHP down,
 * which closes its end of the lifeline; the children keep theirs, so the
 * old supervisor's pools drain and leave once the old children finished
 * their requests too. The new startup forks a new supervisor. The supervisor (under php-fpm
 * too) closes the master's listening sockets it inherited.
 *
 *   php-fpm master (root) ── forks at startup ──► supervisor (root, maps nothing)
 *        │ forks                                    │ forks one per (uid, gid, section),
 *        ▼                                          ▼ which drops to that user at once
 *   FPM child of [b] ── "a pool, please" ─door─► supervisor ──link──► manager of [b]
 *   (user b)        ◄── region memfd + runtime dir fd (by SCM_RIGHTS) ──┘ (user b) ─► workers
 *
 * - The master, at the end of PHP's startup (after opcache's), makes the
 *   door (a datagram socket pair whose sending end every FPM child
 *   inherits) and forks the supervisor. It maps no pool itself, so an FPM
 *   child holds nothing of any pool until it asks.
 * - An FPM child asks at its first dispatch() (or stats()/reload()): it
 *   sends a socket of its own through the door. The kernel attaches the
 *   child's pid, uid and gid (SO_PASSCRED), which no process can forge;
 *   they, not anything the child says, decide the pool: the child names
 *   only its FPM section (fpm_get_status()), which keeps two sections of
 *   one user apart but can never reach another user's pool.
 * - The supervisor keeps its decisions (which user, which manager) in its
 *   private memory and never maps a pool: nothing a child can write reaches
 *   it but the checked requests. It forks a section's manager on the first
 *   request; the manager sets the child's groups, gid and uid before it
 *   does anything else, then makes the region (a memfd), the runtime
 *   directory and the workers as that user, and answers every child the
 *   supervisor forwards with the region's and the directory's fds.
 * - Lifetime: the master holds the write end of a close-on-exec lifeline
 *   pipe whose read end the supervisor watches, and the supervisor watches
 *   the master's pid (learnt from the kernel as the parent of the children
 *   that ask). When the master exits (SIGQUIT, SIGTERM, even SIGKILL) or
 *   re-executes itself (SIGUSR2), the supervisor closes its links: each
 *   manager runs what is queued (asynctask.shutdown_timeout at most) and
 *   leaves. A re-executed master starts a new supervisor. A manager that
 *   died (killed) is replaced at the next request that finds it gone.
 */
#ifndef ASYNCTASK_SERVER_H
#define ASYNCTASK_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <sys/types.h>

#include "php.h"
#include "src/transport/shm/region.h"
#include "src/pool/server_messages.h"

/* MINIT: arranges for the supervisor to start at the end of startup when
 * asynctask.enable=1 under php-fpm. */
void asynctask_server_startup(void);

/* Whether this process's pools are the server's: a php-fpm or Apache child
 * of a master with asynctask.enable=1 (whether or not its supervisor
 * started). */
bool asynctask_server_enabled(void);

/* MSHUTDOWN: the process that started the supervisor lets it go (closes
 * the door and the lifeline); nothing in any other process. */
void asynctask_server_shutdown(void);

/* RINIT: a php-fpm child lets go of the master's lifeline (an Apache child
 * keeps it). */
void asynctask_server_request_startup(void);

/* This php-fpm child's pool, asked of the supervisor the first time and
 * again once the one it had is gone. NULL when there is none: after
 * throwing, or silently when quiet. */
asynctask_pool_t *asynctask_server_pool_get(bool quiet);

#endif
