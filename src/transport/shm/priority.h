/*
 * Priorities in the task queue (Task::withPriority(), README "Jobs").
 *
 * The ring stays one FIFO of records in the order they were pushed; it is
 * where a record's room lives, and room is given back from its head only.
 * On top of it each priority level (HIGH, NORMAL, LOW) keeps a list of its
 * records in ring order, linked through record.next, with its first, last
 * and count in the queue header. A take looks at HIGH's first record, then
 * NORMAL's, then LOW's: FIFO within a level, a waiting HIGH task before any
 * NORMAL one, NORMAL before LOW.
 *
 * A record taken at the ring's head is dropped as before: with one level
 * in use (every task NORMAL) the list's first record is always the ring's
 * head, and a take does what it did before the levels, plus three stores.
 * A record taken out of turn (a HIGH one behind a waiting LOW one) is
 * marked TAKEN and keeps its room until the head reaches it; a cancelled
 * one stays linked until a take or the head meets it. So a LOW task that
 * waits long keeps the room of everything pushed after it: when the ring
 * is full that way, producers wait (dispatch_timeout) while the workers,
 * with nothing else left, take the LOW task and the room comes back.
 * There is no starvation guard: a LOW task waits as long as HIGH or
 * NORMAL ones keep coming.
 *
 * The lists are covered by the queue's journal: every critical section
 * saves the three levels with the rest of the header, and a take out of
 * turn saves the flags it changes, so a holder that died inside is rolled
 * back whole (queue.h). A push changes the `next` of its level's last
 * record, which rollback does not restore: after the rollback that record
 * is the level's last again, and a last record's `next` is never read.
 */
#ifndef ASYNCTASK_PRIORITY_H
#define ASYNCTASK_PRIORITY_H

#include <stdint.h>

#include "src/codec/options.h"

/* Level indexes in the queue's levels[], in the order a take looks. */
#define ASYNCTASK_LEVEL_HIGH   0u
#define ASYNCTASK_LEVEL_NORMAL 1u
#define ASYNCTASK_LEVEL_LOW    2u
#define ASYNCTASK_QUEUE_LEVELS 3
/* The list of delayed tasks waiting for the manager to take them into its
 * own memory (delay.h): a take never looks at it. */
#define ASYNCTASK_LIST_DELAYED 3u
#define ASYNCTASK_QUEUE_LISTS  4

/* A level's list: the records of that level in ring order, linked through
 * their `next`; count includes cancelled ones not yet unlinked. The lists'
 * functions are queue.c's (priority_link() and its neighbours). */
typedef struct {
	uint64_t first, last, count;
} asynctask_queue_level_t;

/* The level of a Task priority (ASYNCTASK_PRIORITY_*, options.h). */
static inline uint32_t asynctask_priority_level(int32_t priority)
{
	return priority > ASYNCTASK_PRIORITY_NORMAL ? ASYNCTASK_LEVEL_HIGH
		: priority < ASYNCTASK_PRIORITY_NORMAL ? ASYNCTASK_LEVEL_LOW : ASYNCTASK_LEVEL_NORMAL;
}

#endif
