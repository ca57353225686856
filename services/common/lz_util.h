/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_util.h -- allocation that aborts on out-of-memory, clocks, small
 * string helpers.  Out-of-memory is fatal in one place so that error paths
 * only handle real errors.
 */
#ifndef LZ_UTIL_H
#define LZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define LZ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* malloc/calloc/realloc/strdup that abort the process when memory is
 * exhausted.  Never return NULL (xmalloc(0) returns a unique pointer). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Whether S is an identifier partners may give (a rider, a bike, a
 * vehicle, a request...): 1 to 64 characters of [A-Za-z0-9._-]. */
#define LZ_ID_MAX 64
int lz_valid_id(const char *s);
/* Whether S is an order id: MEMBER/REFERENCE, two lz_valid_id parts. */
int lz_valid_order_id(const char *s);
/* Whether S is an id the services make of ids: 1 to LZ_PATH_MAX bytes of
 * lz_valid_id parts separated by '/' or ':' (a tour "date/wave/vehicle", a
 * run "date/rider/001", an order "member/reference", a task
 * "d:member/reference"). */
#define LZ_PATH_MAX 200
int lz_valid_path(const char *s);
/* Whether S (NULL and "" are valid) is at most MAX bytes of well-formed
 * UTF-8 without control characters other than tab and newline. */
int lz_valid_text(const char *s, size_t max);

/* Wall-clock time, microseconds since the Unix epoch (UTC). */
int64_t lz_now_us(void);
/* Monotonic clock, microseconds from an arbitrary origin. */
int64_t lz_mono_us(void);

/* Big-endian 64-bit encoding, used for LMDB keys that must sort by value. */
void lz_be64_put(unsigned char out[8], uint64_t v);
uint64_t lz_be64_get(const unsigned char in[8]);

#endif
