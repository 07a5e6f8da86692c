/*
 * Reading the dispatcher's reply list (replies.h).
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "php.h"
#include "zend_exceptions.h"

#include "php_asynctask.h"
#include "src/base/log.h"
#include "src/codec/redis/wire.h"
#include "src/transport/transport.h"
#include "src/transport/redis/conn.h"
#include "src/transport/redis/dispatcher.h"
#include "src/transport/redis/protocol.h"
#include "src/transport/redis/replies.h"

/* Results read per LRANGE: one round trip for a burst of them. */
#define COLLECT_BATCH 128

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

/* The last results booked, by their MAC (the entry's last 32 bytes: these
 * very bytes, not another attempt's result for the same task): their LTRIM
 * goes with a later command (drop_head()), so a connection lost before it
 * leaves them in the list, read again later; they are dropped then without
 * a word (not refused: they were this process's and settled their Future).
 * Forgotten in a forked child, whose list is its own. */
#define BOOKED_RECENT 256
#define MAC_SIZE      32
static struct {
	uint8_t  macs[BOOKED_RECENT][MAC_SIZE];
	unsigned next, count;
	pid_t    pid;
} booked_recent;

static void booked_note(const uint8_t *mac)
{
	if (booked_recent.pid != getpid()) {
		booked_recent.pid = getpid();
		booked_recent.next = booked_recent.count = 0;
	}
	memcpy(booked_recent.macs[booked_recent.next], mac, MAC_SIZE);
	booked_recent.next = (booked_recent.next + 1) % BOOKED_RECENT;
	if (booked_recent.count < BOOKED_RECENT) {
		booked_recent.count++;
	}
}

static bool booked_lately(const uint8_t *mac)
{
	if (booked_recent.pid != getpid()) {
		return false;
	}
	for (unsigned i = 0; i < booked_recent.count; i++) {
		if (memcmp(booked_recent.macs[i], mac, MAC_SIZE) == 0) {
			return true;
		}
	}
	return false;
}

static void refuse(const char *key, const char *format, const char *detail)
{
	asynctask_redis_counts()->refused++;
	asynctask_log_event(ASYNCTASK_LOG_WARNING, "result_refused",
		"dropped a result from the reply list %s: %s%s", key, format, detail);
}

/* One element of the list: verified, then booked for its Future (true), or
 * dropped and logged (false). */
static bool book(const char *bytes, size_t len, const char *key)
{
	const zend_string *secret = asynctask_redis_dispatcher_secret();
	asynctask_wire_entry_t e;
	asynctask_redis_sent_t *sent;
	zend_string *error = NULL, *result;
	char hex[2 * ASYNCTASK_WIRE_ID_SIZE + 1];
	uint64_t task_id, bound;
	asynctask_result_status_t status;
	size_t data_len;

	if (!secret) {
		refuse(key, "no secret to verify it with", "");
		return false;
	}
	/* the HMAC first: nothing of an unverified entry is read */
	if (asynctask_wire_decode(bytes, len, ASYNCTASK_WIRE_RESULT,
			(size_t) ASYNCTASK_G(max_payload) + ASYNCTASK_REDIS_RESULT_HEADER, secret, &e, &error) == FAILURE) {
		refuse(key, "", ZSTR_VAL(error));
		zend_string_release(error);
		return false;
	}
	asynctask_wire_id_hex(e.id, hex);
	sent = asynctask_redis_sent_find_wire(e.id, &task_id);
	if (!sent && booked_lately((const uint8_t *) bytes + len - MAC_SIZE)) {
		return false;   /* booked already; its LTRIM was lost with a connection */
	}
	if (!sent) {
		refuse(key, "not a task this process sent and still waits for (another dispatcher's, one already "
			"settled or cancelled, or from an earlier run): task ", hex);
		return false;
	}
	if (e.payload_len < ASYNCTASK_REDIS_RESULT_HEADER) {
		refuse(key, "its payload is shorter than the status and bound: task ", hex);
		return false;
	}
	status = (asynctask_result_status_t) (unsigned char) e.payload[0];
	if ((status != ASYNCTASK_RESULT_VALUE) != ((e.flags & ASYNCTASK_WIRE_FAILED) != 0)) {
		refuse(key, "its FAILED flag disagrees with its status: task ", hex);
		return false;
	}
	/* the first result wins: the task leaves the books, a later one is refused above */
	asynctask_redis_count_outcome(status);
	booked_note((const uint8_t *) bytes + len - MAC_SIZE);
	if (sent->forgotten) {
		asynctask_redis_counts()->unread++;
		asynctask_redis_sent_remove(task_id);
		return true;
	}
	asynctask_redis_sent_remove(task_id);

	/* the received result transport.h speaks: status, host-order size_t bound, data */
	bound = get64((const unsigned char *) e.payload + 1);
	data_len = e.payload_len - ASYNCTASK_REDIS_RESULT_HEADER;
	result = zend_string_alloc(ASYNCTASK_RESULT_HEADER + data_len, 0);
	ZSTR_VAL(result)[0] = (char) status;
	{
		size_t decoded = bound > SIZE_MAX ? SIZE_MAX : (size_t) bound;
		memcpy(ZSTR_VAL(result) + 1, &decoded, sizeof(decoded));
	}
	if (data_len) {
		memcpy(ZSTR_VAL(result) + ASYNCTASK_RESULT_HEADER, e.payload + ASYNCTASK_REDIS_RESULT_HEADER, data_len);
	}
	ZSTR_VAL(result)[ZSTR_LEN(result)] = '\0';
	asynctask_redis_result_store(task_id, result);
	return true;
}

/* Removes the first n elements of the list, once they are booked. Only this
 * process takes from its list (nodes append at the tail), so they are still
 * the first n. The LTRIM goes with this process's next command to Redis (no
 * round trip of its own: a Future's wait is a BLMOVE and no more), or now
 * when there is no connection to queue it on. Failing (the connection lost),
 * they stay: read again later, they are dropped as settled, never lost. */
static void drop_head(const char *key, size_t n)
{
	char start[32];
	snprintf(start, sizeof(start), "%zu", n);
	const char *argv[] = {"LTRIM", key, start, "-1"};
	size_t argv_len[] = {5, strlen(key), strlen(start), 2};
	if (asynctask_redis_command_later(asynctask_redis_dispatcher_backend(), 4, argv, argv_len)) {
		return;
	}
	redisReply *reply = asynctask_redis_command_to(asynctask_redis_dispatcher_backend(), 0, 4, argv, argv_len);

	if (reply) {
		freeReplyObject(reply);
	} else {
		zend_clear_exception();  /* the results are booked; the next look retries */
	}
}

/* Results are read without taking them (LRANGE), booked, then removed
 * (LTRIM): a connection lost while a reply is on its way loses nothing (a
 * LPOP's results would be gone with it, and their Futures would wait). */
int asynctask_redis_replies_collect(void)
{
	char key[ASYNCTASK_REDIS_KEY_MAX], last[16];
	int booked = 0;

	if (asynctask_redis_sent_pending() == 0 || !asynctask_redis_dispatcher_reply_key(key)) {
		return 0;  /* nothing owed: nothing to read */
	}
	snprintf(last, sizeof(last), "%d", COLLECT_BATCH - 1);
	for (;;) {
		const char *argv[] = {"LRANGE", key, "0", last};
		size_t argv_len[] = {6, strlen(key), 1, strlen(last)};
		redisReply *reply = asynctask_redis_command_to(asynctask_redis_dispatcher_backend(), 0, 4, argv, argv_len);
		size_t n;

		if (!reply) {
			return -1;
		}
		n = reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
		for (size_t i = 0; i < n; i++) {
			const redisReply *element = reply->element[i];
			if (element->type == REDIS_REPLY_STRING && book(element->str, element->len, key)) {
				booked++;
			}
		}
		freeReplyObject(reply);
		if (n > 0) {
			drop_head(key, n);
		}
		if (n < COLLECT_BATCH || asynctask_redis_sent_pending() == 0) {
			return booked;
		}
	}
}

bool asynctask_redis_replies_sleep(int timeout_ms)
{
	char key[ASYNCTASK_REDIS_KEY_MAX], seconds[32];
	redisReply *reply;
	bool came;

	if (timeout_ms <= 0) {
		return asynctask_redis_replies_collect() > 0;
	}
	if (!asynctask_redis_dispatcher_reply_key(key)) {
		poll(NULL, 0, timeout_ms);  /* nothing was sent: nothing can come */
		return false;
	}
	/* never 0 (BLMOVE's "forever"), never longer than the caller may wait.
	 * BLMOVE from the list's head to its head waits for a result and leaves
	 * it where it is (a rotation of one): should the connection be lost
	 * before the reply arrives, the result is still there for the next look. */
	snprintf(seconds, sizeof(seconds), "%d.%03d", timeout_ms / 1000, timeout_ms % 1000);
	{
		const char *argv[] = {"BLMOVE", key, key, "LEFT", "LEFT", seconds};
		size_t argv_len[] = {6, strlen(key), strlen(key), 4, 4, strlen(seconds)};
		reply = asynctask_redis_command_to(asynctask_redis_dispatcher_backend(), timeout_ms / 1000.0, 6, argv, argv_len);
	}
	if (!reply) {
		return false;
	}
	came = reply->type == REDIS_REPLY_STRING;
	if (came) {
		book(reply->str, reply->len, key);
		drop_head(key, 1);  /* the one booked: still the list's first */
	}
	freeReplyObject(reply);
	return came;
}
