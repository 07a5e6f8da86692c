/*
 * The codec's fixed byte order: little-endian, whatever the host.
 *
 * Every multi-byte number the payload codec writes (compact.h, payload.h,
 * remote_error.h) goes through these helpers. Those bytes cross machines
 * inside the Redis backend's envelope (redis/wire.h, whose own header fields
 * are big-endian), so a node must read what a dispatcher of any byte order
 * wrote. Little-endian because the hosts we run on (x86-64, ARM64) are: there
 * the helpers are one unaligned load or store (a memcpy the compiler turns
 * into a mov); on any other host they assemble the bytes one by one, which is
 * right whatever the host's order (so a host we failed to recognise is slow,
 * never wrong). No <endian.h>: glibc's htole32()/le32toh() live in
 * <sys/endian.h> on the BSDs and do not exist on macOS (OSSwapHostToLittle*),
 * php-src exports no helper, and a byte loop needs no header at all.
 *
 * A double travels as the little-endian form of its IEEE 754 binary64 bits
 * (the host's double is binary64 with the byte order of its 64-bit integers
 * on every platform PHP supports). Pointers need no alignment.
 *
 * Defining ASYNCTASK_BYTEORDER_GENERIC forces the byte-by-byte form on any
 * host (to test it on a little-endian machine).
 */
#ifndef ASYNCTASK_CODEC_BYTEORDER_H
#define ASYNCTASK_CODEC_BYTEORDER_H

#include <stdint.h>
#include <string.h>

#if !defined(ASYNCTASK_BYTEORDER_GENERIC) \
	&& ((defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) \
		|| defined(_WIN32))
# define ASYNCTASK_HOST_IS_LITTLE_ENDIAN 1
#endif

static inline void asynctask_le32_put(void *dst, uint32_t v)
{
#ifdef ASYNCTASK_HOST_IS_LITTLE_ENDIAN
	memcpy(dst, &v, sizeof(v));
#else
	unsigned char *p = dst;
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
	p[2] = (unsigned char) (v >> 16);
	p[3] = (unsigned char) (v >> 24);
#endif
}

static inline uint32_t asynctask_le32_get(const void *src)
{
#ifdef ASYNCTASK_HOST_IS_LITTLE_ENDIAN
	uint32_t v;
	memcpy(&v, src, sizeof(v));
	return v;
#else
	const unsigned char *p = src;
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
#endif
}

static inline void asynctask_le64_put(void *dst, uint64_t v)
{
#ifdef ASYNCTASK_HOST_IS_LITTLE_ENDIAN
	memcpy(dst, &v, sizeof(v));
#else
	asynctask_le32_put(dst, (uint32_t) v);
	asynctask_le32_put((unsigned char *) dst + 4, (uint32_t) (v >> 32));
#endif
}

static inline uint64_t asynctask_le64_get(const void *src)
{
#ifdef ASYNCTASK_HOST_IS_LITTLE_ENDIAN
	uint64_t v;
	memcpy(&v, src, sizeof(v));
	return v;
#else
	return (uint64_t) asynctask_le32_get(src) | (uint64_t) asynctask_le32_get((const unsigned char *) src + 4) << 32;
#endif
}

/* Signed 64-bit integers in two's complement (what int64_t is). */
static inline void asynctask_le_i64_put(void *dst, int64_t v)
{
	asynctask_le64_put(dst, (uint64_t) v);
}

static inline int64_t asynctask_le_i64_get(const void *src)
{
	uint64_t u = asynctask_le64_get(src);
	int64_t v;
	memcpy(&v, &u, sizeof(v));   /* no implementation-defined conversion of values above INT64_MAX */
	return v;
}

_Static_assert(sizeof(double) == sizeof(uint64_t), "a double travels as 8 bytes");

static inline void asynctask_le_double_put(void *dst, double d)
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof(bits));
	asynctask_le64_put(dst, bits);
}

static inline double asynctask_le_double_get(const void *src)
{
	uint64_t bits = asynctask_le64_get(src);
	double d;
	memcpy(&d, &bits, sizeof(d));
	return d;
}

#endif
