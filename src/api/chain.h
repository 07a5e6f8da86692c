/*
 * Task::then() at dispatch(): the links chained after a task are encoded,
 * each ready to be queued by the worker that ends the link before it
 * (src/pool/chain.h), into a block in front of the first link's payload
 * (src/codec/chain.h).
 */
#ifndef ASYNCTASK_API_CHAIN_H
#define ASYNCTASK_API_CHAIN_H

#include "php.h"
#include "zend_smart_str.h"

#include "src/codec/options.h"

/* The most links a chain may have, the first one included. */
#define ASYNCTASK_CHAIN_LINKS_MAX 1000

/* Puts the block of the links in options->chain (flattened: a link's own
 * then() links follow it) in front of the first link's payload. Throws
 * (SerializationException for a link that cannot be sent; AsyncTask\Exception
 * for what a link may not ask) and returns FAILURE. */
zend_result asynctask_chain_prepend(const asynctask_task_options_t *options, smart_str *payload);

#endif
