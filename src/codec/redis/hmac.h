/*
 * HMAC-SHA256 (RFC 2104 with SHA-256): OpenSSL's libcrypto when configure
 * found it, else over PHP's own SHA-256 (ext/hash); and a comparison of two MACs whose time does not depend on where they
 * differ. Nothing else: no vendored crypto.
 */
#ifndef ASYNCTASK_REDIS_HMAC_H
#define ASYNCTASK_REDIS_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ASYNCTASK_HMAC_SIZE 32   /* SHA-256's output */

void asynctask_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
	uint8_t mac[ASYNCTASK_HMAC_SIZE]);

/* Equal or not, in a time that depends on neither MAC's bytes: a forger must
 * not learn how many leading bytes of a guess were right. */
bool asynctask_hmac_equal(const uint8_t a[ASYNCTASK_HMAC_SIZE], const uint8_t b[ASYNCTASK_HMAC_SIZE]);

#endif
