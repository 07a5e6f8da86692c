/*
 * The pool processes' log: one line per event to asynctask.log, or to
 * stderr when it is unset or cannot be opened. Each line is an event with a
 * level and a name (asynctask_log_event()). asynctask.log_format=text (the
 * default) writes "[local time] asynctask[pid]: message"; json makes each
 * line one JSON object: time (UTC, ISO 8601 with ms), level, pid, role,
 * event, task_id (the first "task N" the message names, else in a worker
 * the task it runs, else null) and message.
 */
#ifndef ASYNCTASK_LOG_H
#define ASYNCTASK_LOG_H

#include "php.h"

/* How much a line matters, for whoever reads or filters the log. */
typedef enum {
	ASYNCTASK_LOG_ERROR,    /* something failed: a task crashed, a setup or a system call failed */
	ASYNCTASK_LOG_WARNING,  /* something went wrong and was handled: a time limit, a worker lost while idle */
	ASYNCTASK_LOG_NOTICE,   /* a normal but significant change: a pool or node started, drained, stopped */
	ASYNCTASK_LOG_INFO,     /* for the curious: a count corrected, a connection back */
} asynctask_log_level_t;

/* Manager and workers: a line about event (a snake_case name that stays
 * the same from release to release, e.g. "task_crashed") at level, to
 * asynctask.log (stderr when unset, or when it cannot be opened: it is
 * never opened through a symlink). */
ZEND_ATTRIBUTE_FORMAT(printf, 3, 4)
void asynctask_log_event(asynctask_log_level_t level, const char *event, const char *format, ...);

/* A line without an event of its own (level notice, event "log"): every
 * line in this tree names its event; this is for code brought in from
 * elsewhere until it does. */
ZEND_ATTRIBUTE_FORMAT(printf, 1, 2)
void asynctask_log(const char *format, ...);

/* Whether asynctask.log_format is json. */
bool asynctask_log_json(void);

/* The name of a level as the JSON lines write it ("error", ...). */
const char *asynctask_log_level_name(asynctask_log_level_t level);

/* This process never creates asynctask.log (the php-fpm supervisor, root:
 * the pools' users must be able to write the file). */
void asynctask_log_existing_only(void);

/* A worker: where the id of the task it runs is (0: none; its slot in the
 * shared region), for the task_id of lines that name no task, such as
 * PHP's warnings in the task (JSON lines). */
void asynctask_log_set_task(const uint64_t *task_id);

/* What this process is in the pool ("manager", "worker", "supervisor";
 * "php" by default): the role field of a JSON log line. */
void asynctask_log_set_role(const char *role);

#endif
