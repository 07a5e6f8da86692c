/*
 * HMAC-SHA256, RFC 2104: H((K' ^ opad) || H((K' ^ ipad) || message)), where
 * K' is the key padded with zeros to SHA-256's 64-byte block, or the key's
 * own hash padded so when it is longer than a block.
 * tests/transport/redis/hmac_rfc4231 checks it against the RFC 4231 test
 * vectors.
 */
#include <string.h>

#include "php.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"

#include "src/codec/redis/hmac.h"

#define BLOCK 64   /* SHA-256's block size */

void asynctask_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
	uint8_t mac[ASYNCTASK_HMAC_SIZE])
{
	uint8_t block[BLOCK] = {0}, pad[BLOCK], inner[ASYNCTASK_HMAC_SIZE];
	PHP_SHA256_CTX ctx;

	if (key_len > BLOCK) {
		PHP_SHA256Init(&ctx);
		PHP_SHA256Update(&ctx, key, key_len);
		PHP_SHA256Final(block, &ctx);
	} else if (key_len > 0) {
		memcpy(block, key, key_len);
	}

	for (int i = 0; i < BLOCK; i++) {
		pad[i] = block[i] ^ 0x36;
	}
	PHP_SHA256Init(&ctx);
	PHP_SHA256Update(&ctx, pad, BLOCK);
	PHP_SHA256Update(&ctx, data, data_len);
	PHP_SHA256Final(inner, &ctx);

	for (int i = 0; i < BLOCK; i++) {
		pad[i] = block[i] ^ 0x5c;
	}
	PHP_SHA256Init(&ctx);
	PHP_SHA256Update(&ctx, pad, BLOCK);
	PHP_SHA256Update(&ctx, inner, sizeof(inner));
	PHP_SHA256Final(mac, &ctx);

	/* the key's material does not outlive the call on the stack */
	ZEND_SECURE_ZERO(block, sizeof(block));
	ZEND_SECURE_ZERO(pad, sizeof(pad));
	ZEND_SECURE_ZERO(&ctx, sizeof(ctx));
}

bool asynctask_hmac_equal(const uint8_t a[ASYNCTASK_HMAC_SIZE], const uint8_t b[ASYNCTASK_HMAC_SIZE])
{
	/* every byte is looked at, differences are OR-ed: no early exit */
	volatile uint8_t diff = 0;

	for (int i = 0; i < ASYNCTASK_HMAC_SIZE; i++) {
		diff |= a[i] ^ b[i];
	}
	return diff == 0;
}
