/*
 * A Redis node's commands, its Lua scripts called by their SHA1: so that a
 * script's text crosses the network once per server, not with every call.
 * asynctask_redis_node_command() takes the arguments of
 * redisAsyncCommandArgv(); for "EVAL <text> ..." it sends "EVALSHA <sha1>
 * ..." instead. A server that does not know the script answers NOSCRIPT (the
 * node's first call, a Redis restarted or flushed with SCRIPT FLUSH, a
 * failover to a replica that never ran it): the same call goes again as EVAL
 * with the text, which also loads it there, and the caller's callback sees
 * only that second answer. The SHA1s are computed here, never asked of
 * Redis (no SCRIPT LOAD: a node's ACL user needs EVALSHA besides EVAL).
 *
 * The lowest of the node's files with node_reply.c: it calls none of the others.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include "src/transport/redis/node_internal.h"

#include "ext/standard/sha1.h"

#define SCRIPTS_MAX 32   /* distinct scripts whose SHA1 is kept (the node has a handful) */
#define SHA_HEX     40

/* The scripts seen, with their SHA1 (a copy of each text: a kept op's text is its own). */
typedef struct {
	char  *text;
	size_t len;
	char   sha[SHA_HEX + 1];
} script_t;

static script_t scripts[SCRIPTS_MAX];
static uint32_t nscripts;

/* A call out: the caller's callback, and what it takes to send it again as EVAL. */
typedef struct {
	redisCallbackFn *fn;
	void            *privdata;
	const script_t  *script;
	char            *cmd;       /* the EVALSHA command, formatted (RESP) */
	size_t           cmd_len;
	size_t           head_len;  /* its "*N", "EVALSHA" and SHA1: the rest are the caller's arguments */
	int              argc;
	bool             resent;    /* the EVAL went: no third try */
} call_t;

static void sha1_hex(const char *text, size_t len, char out[SHA_HEX + 1])
{
	PHP_SHA1_CTX ctx;
	unsigned char digest[20];

	PHP_SHA1Init(&ctx);
	PHP_SHA1Update(&ctx, (const unsigned char *) text, len);
	PHP_SHA1Final(digest, &ctx);
	make_sha1_digest(out, digest);
}

/* The script of this text (its SHA1 computed once), or NULL (out of memory, too many). */
static const script_t *script_of(const char *text, size_t len)
{
	for (uint32_t i = 0; i < nscripts; i++) {
		if (scripts[i].len == len && memcmp(scripts[i].text, text, len) == 0) {
			return &scripts[i];
		}
	}
	if (nscripts == SCRIPTS_MAX) {
		return NULL;
	}
	script_t *s = &scripts[nscripts];
	s->text = malloc(len + 1);
	if (!s->text) {
		return NULL;
	}
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
	sha1_hex(text, len, s->sha);
	nscripts++;
	return s;
}

static void call_free(call_t *call)
{
	redisFreeCommand(call->cmd);
	free(call);
}

static bool is_noscript(const redisReply *reply)
{
	return reply && reply->type == REDIS_REPLY_ERROR && reply->len >= 8 && memcmp(reply->str, "NOSCRIPT", 8) == 0;
}

/* The call again as EVAL <text> (the server did not know the script); false when it cannot go. */
static bool resend_as_eval(redisAsyncContext *ac, call_t *call);

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	call_t *call = privdata;

	if (is_noscript(r) && !call->resent) {
		if (resend_as_eval(ac, call)) {
			return;   /* the callback gets the EVAL's answer */
		}
		r = NULL;     /* the connection is going: as if it went before the answer */
	}
	call->fn(ac, r, call->privdata);
	call_free(call);
}

static bool resend_as_eval(redisAsyncContext *ac, call_t *call)
{
	char head[64];
	int head_len = snprintf(head, sizeof(head), "*%d\r\n$4\r\nEVAL\r\n$%zu\r\n", call->argc, call->script->len);
	size_t rest = call->cmd_len - call->head_len;
	size_t len = (size_t) head_len + call->script->len + 2 + rest;
	/* NUL-terminated as redisFormatCommandArgv()'s: hiredis 0.14 finds the
	 * command's name in it with strchr() */
	char *cmd = malloc(len + 1);

	if (!cmd) {
		asynctask_log_event(ASYNCTASK_LOG_ERROR, "out_of_memory", "redis node: out of memory loading a script");
		return false;
	}
	memcpy(cmd, head, (size_t) head_len);
	memcpy(cmd + head_len, call->script->text, call->script->len);
	memcpy(cmd + head_len + call->script->len, "\r\n", 2);
	memcpy(cmd + head_len + call->script->len + 2, call->cmd + call->head_len, rest);
	cmd[len] = '\0';
	call->resent = true;
	int sent = redisAsyncFormattedCommand(ac, on_reply, call, cmd, len);
	free(cmd);
	return sent == REDIS_OK;
}

int asynctask_redis_node_command(redisAsyncContext *ac, redisCallbackFn *fn, void *privdata, int argc,
	const char **argv, const size_t *argvlen)
{
	const script_t *script = NULL;

	if (argc >= 2 && argvlen[0] == 4 && strncasecmp(argv[0], "EVAL", 4) == 0) {
		script = script_of(argv[1], argvlen[1]);
	}
	if (!script) {
		return redisAsyncCommandArgv(ac, fn, privdata, argc, argv, argvlen);
	}
	call_t *call = calloc(1, sizeof(*call));
	if (!call) {
		return REDIS_ERR;
	}
	const char *evalsha[2] = { "EVALSHA", script->sha };
	const size_t evalsha_len[2] = { 7, SHA_HEX };
	/* argv with its first two replaced: formatted from a copy of the pointers */
	const char **args = malloc((size_t) argc * sizeof(*args));
	size_t *lens = malloc((size_t) argc * sizeof(*lens));
	if (!args || !lens) {
		free(args);
		free(lens);
		free(call);
		return REDIS_ERR;
	}
	memcpy(args, argv, (size_t) argc * sizeof(*args));
	memcpy(lens, argvlen, (size_t) argc * sizeof(*lens));
	args[0] = evalsha[0]; lens[0] = evalsha_len[0];
	args[1] = evalsha[1]; lens[1] = evalsha_len[1];
	int formatted = redisFormatCommandArgv(&call->cmd, argc, args, lens);
	free(args);
	free(lens);
	if (formatted < 0) {
		free(call);
		return REDIS_ERR;
	}
	call->fn = fn;
	call->privdata = privdata;
	call->script = script;
	call->cmd_len = (size_t) formatted;
	call->argc = argc;
	char count[32];
	call->head_len = (size_t) snprintf(count, sizeof(count), "*%d\r\n", argc) + sizeof("$7\r\nEVALSHA\r\n") - 1
		+ sizeof("$40\r\n") - 1 + SHA_HEX + 2;
	if (redisAsyncFormattedCommand(ac, on_reply, call, call->cmd, call->cmd_len) != REDIS_OK) {
		call_free(call);
		return REDIS_ERR;
	}
	return REDIS_OK;
}

void asynctask_redis_node_scripts_free(void)
{
	for (uint32_t i = 0; i < nscripts; i++) {
		free(scripts[i].text);
		scripts[i].text = NULL;
	}
	nscripts = 0;
}
