/*
 * The mailboxes' upkeep, the manager's side of results (result_mailbox.c):
 * whether an owner still listens, syncing the mailboxes' locks before a
 * dead worker's claim is read, freeing the mailbox of an owner that died.
 * result.h includes this, for the manager and the caller that closes.
 */
#ifndef ASYNCTASK_RESULT_MAILBOX_H
#define ASYNCTASK_RESULT_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct _asynctask_pool_t asynctask_pool_t;
struct _asynctask_mailbox_t;

/* The manager: whether owner still listens for results (it lives, and
 * holds a mailbox or reads its pipe): a php-fpm child between requests
 * does not. */
bool asynctask_results_listening(asynctask_pool_t *pool, pid_t owner);

/* The manager, before it reads a dead worker's claim: syncs every
 * mailbox's lock (see asynctask_mailbox_sync()). */
void asynctask_results_sync_mailboxes(asynctask_pool_t *pool);

/* The manager: frees the mailbox of an owner that died; returns how many
 * results it held (dropped). */
uint32_t asynctask_results_free_mailbox(struct _asynctask_mailbox_t *box, pid_t owner);

#endif
