/*
 * Results: each dispatching process owns one FIFO in the pool's private
 * runtime directory and, while one is free, a mailbox in the pool's shared
 * memory (mailbox.h); workers (or the manager, for a task whose worker
 * died) post results to the mailbox, or to the FIFO when the owner has no
 * mailbox. An owner with a mailbox sleeps on its bell (mailbox.h), one
 * without in poll() on its FIFO.
 *
 * A message is at most PIPE_BUF bytes: written with one write(), which
 * POSIX makes atomic, or copied whole into the mailbox under its lock, so
 * messages from many posters never interleave. A result larger than that
 * travels in a spill file (spill.h): the message only says so, and the
 * reader opens the name it expects for that task, nothing else.
 */
#ifndef ASYNCTASK_RESULT_H
#define ASYNCTASK_RESULT_H

#include <limits.h>

#include "php.h"
#include "src/base/exceptions.h"
#include "src/transport/shm/queue.h"
#include "src/transport/shm/result_mailbox.h"
#include "src/transport/transport.h"

/* A result whose encoding is longer than this travels in a spill file (the
 * rest fits in one message: PIPE_BUF bytes with its header). */
#define ASYNCTASK_RESULT_INLINE_MAX (PIPE_BUF - 24)

/* --- the dispatching side --------------------------------------------- */

typedef struct _asynctask_pool_t asynctask_pool_t;

/* Makes sure this process has its FIFO in the pool's runtime directory and,
 * if one is free, a mailbox (mailbox.h); a process forked from a dispatcher
 * gets its own. Returns SUCCESS or throws. */
zend_result asynctask_results_open(asynctask_pool_t *pool);
/* The manager of a node (pool/bridge.c), the owner of the Redis tasks it
 * queues: its FIFO only (no mailbox: its loop polls the FIFO), opened
 * without throwing. Returns the fd, or -1 with errno set. */
int asynctask_results_open_pipe(void);
/* Closes and removes this process's FIFO and frees its mailbox. Returns how
 * many results the mailbox still held (dropped). */
uint32_t asynctask_results_close(void);
/* php-fpm, at a request's end: reads what came (a late report corrects the
 * counts), then closes; returns how many results nobody took (dropped). */
uint32_t asynctask_results_end_request(void);
/* The fd to poll for results, or -1. */
int asynctask_results_fd(void);
/* Reads every result waiting in the mailbox and the FIFO into ASYNCTASK_G(results). Returns how many. */
int asynctask_results_drain(void);
/* Spins until a result may have arrived (true) or spinning no longer pays
 * (false: sleep); lock.h says when it spins. */
bool asynctask_results_spin(void);
/* Sleeps until results may have arrived, at most timeout_ms: on the
 * mailbox's bell, or in poll() on the FIFO without a mailbox. True when
 * there may be news. */
bool asynctask_results_sleep(int timeout_ms);
/* The Future of task id exists: its report is expected. */
void asynctask_results_expect(uint64_t id);
/* The Future of task id settled without a report (cancelled, pool gone). */
void asynctask_results_settled(uint64_t id);
/* The Future of task id is gone: drop its report, now or when it arrives. */
void asynctask_results_forget(uint64_t id);
/* Takes the result of task id, if it arrived (caller owns the string). A
 * value in the compact encoding that came through the mailbox's bulk ring
 * was decoded as it arrived: then it goes to *value (the caller owns it;
 * NULL only where no mailbox is held, the Redis node's bridge) and the
 * result is a VALUE without data. */
zend_string *asynctask_results_take(uint64_t id, zval *value);

/* --- the posting side (workers, manager) ------------------------------- */

/* Posts a report to its owner's mailbox or, when it has none, its FIFO.
 * timeout < 0: wait for room as long as the owner lives; 0: do not wait.
 * claim (a worker's, or NULL): the name of a spill file is kept in it until
 * the message is posted, so that the manager removes the file if the poster
 * dies first, and claim->delivered is set the moment the message is. Returns
 * 0; EAGAIN (no room in time); ESRCH/ENXIO/ENOENT/EPIPE when the owner is
 * gone (dropped); or another errno (a spill file that cannot be written, a
 * pipe error). */
int asynctask_result_post(asynctask_pool_t *pool, const asynctask_report_t *report, double timeout,
	asynctask_claim_t *claim);
/* The manager, once a second: an owner that listens on its event stream
 * (result_events.h) with messages waiting in its mailbox has a wake-up
 * written for it. The poster that published them would have, unless it
 * died in between (killed right after its post): without this the owner's
 * event loop would never hear of them. */
void asynctask_results_wake_stranded(asynctask_pool_t *pool);

/* Closes the pipes this poster keeps open whose reader is gone (the
 * dispatcher exited, or a php-fpm child ended its request): one poll(), for
 * a worker about to sleep and for the manager's sweep, so that no deleted
 * FIFO stays open for long. */
void asynctask_results_close_dead_pipes(void);

#endif
