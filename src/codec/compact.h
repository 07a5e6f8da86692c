/*
 * The compact encoding: values made only of null, bools, ints, floats,
 * strings and arrays of these (no references, no objects), which are most
 * arguments, use variables and results, written without the serializer.
 *
 * asynctask_serialize() uses it whenever the value allows and
 * asynctask_unserialize() recognises it by its first byte, which neither
 * PHP's serializer nor igbinary starts with.
 *
 *   value  := COMPACT_MAGIC item
 *   item   := 'N' | 'F' | 'T' | 'I' int64 | 'D' double | 'S' u32 bytes
 *           | 'A' u32-count (key item)*
 *   key    := 'i' int64 | 's' u32 bytes
 *
 * Byte order: little-endian, whatever the host (byteorder.h). u32 and int64
 * (two's complement) are 4 and 8 bytes, least significant first; a double
 * is its IEEE 754 binary64 bits as a little-endian u64. The same bytes on
 * every host: a value may cross machines (the Redis backend's payloads), and
 * on x86-64 and ARM64 this is host order, so the local pool pays nothing.
 * E.g. 1 is F5 49 01 00 00 00 00 00 00 00, 1.5 is F5 44 00 00 00 00 00 00 F8 3F.
 */
#ifndef ASYNCTASK_COMPACT_H
#define ASYNCTASK_COMPACT_H

#include "php.h"
#include "zend_smart_str.h"

#define ASYNCTASK_COMPACT_MAGIC '\xF5'

/* Appends the compact encoding of `value` and returns true, or returns false
 * (out untouched) when the value needs the serializer. */
bool asynctask_compact_encode(zval *value, smart_str *out);

/* Decodes a whole compact encoding (starting with the magic byte) into
 * `out`; false (out UNDEF) when the bytes are not a valid one. */
bool asynctask_compact_decode(const char *buf, size_t len, zval *out);

#endif
