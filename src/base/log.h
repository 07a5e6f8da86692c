/*
 * The pool processes' log: one line per event to asynctask.log, or to
 * stderr when it is unset or cannot be opened. asynctask.log_format=json
 * makes each line one JSON object: time (UTC, ISO 8601 with ms), level,
 * pid, role, event, task_id (the first "task N" the message names, else
 * null) and message.
 */
#ifndef ASYNCTASK_LOG_H
#define ASYNCTASK_LOG_H

#include "php.h"

/* Manager and workers: a line to asynctask.log (stderr when unset, or when
 * it cannot be opened: it is never opened through a symlink). */
ZEND_ATTRIBUTE_FORMAT(printf, 1, 2)
void asynctask_log(const char *format, ...);

/* This process never creates asynctask.log (the php-fpm supervisor, root:
 * the pools' users must be able to write the file). */
void asynctask_log_existing_only(void);

/* What this process is in the pool ("manager", "worker"; "php" by
 * default): the role field of a JSON log line (asynctask.log_format). */
void asynctask_log_set_role(const char *role);

#endif
