/*
 * HMAC-SHA256, RFC 2104: H((K' ^ opad) || H((K' ^ ipad) || message)), where
 * K' is the key padded with zeros to SHA-256's 64-byte block, or the key's
 * own hash padded so when it is longer than a block.
 * tests/transport/redis/hmac_rfc4231 checks it against the RFC 4231 test
 * vectors.
 *
 * With OpenSSL's libcrypto (configure found it: HAVE_ASYNCTASK_LIBCRYPTO)
 * its HMAC() computes it, with the CPU's SHA extensions where there are:
 * about 1.8 GB/s against PHP's SHA-256's 0.15-0.3 GB/s on the development
 * machine, which made signing and checking a 1 MB task or result (four
 * times per round trip) most of its time. Without it, PHP's own SHA-256.
 */
#ifdef HAVE_CONFIG_H
# include "config.h"
#endif

#include <limits.h>
#include <string.h>

#include "php.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"

#ifdef HAVE_ASYNCTASK_LIBCRYPTO
# include <openssl/evp.h>
# include <openssl/hmac.h>
#endif

#include "src/codec/redis/hmac.h"

#define BLOCK 64   /* SHA-256's block size */

/* PHP's own SHA-256 (ext/hash) */
static void hmac_sha256_php(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
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

void asynctask_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
	uint8_t mac[ASYNCTASK_HMAC_SIZE])
{
#ifdef HAVE_ASYNCTASK_LIBCRYPTO
	static const uint8_t no_key[1] = {0};
	unsigned int len = ASYNCTASK_HMAC_SIZE;

	/* a key of 0 bytes gets a valid pointer (HMAC() reads NULL as "no key given"); a
	 * failure (out of memory) falls back to the same HMAC computed the slow way */
	if (key_len <= INT_MAX && HMAC(EVP_sha256(), key_len ? key : no_key, (int) key_len, data, data_len, mac, &len)
			&& len == ASYNCTASK_HMAC_SIZE) {
		return;
	}
#endif
	hmac_sha256_php(key, key_len, data, data_len, mac);
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
