/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_test.h -- a minimal unit-test harness, header only.
 *
 * Each test binary calls CHECK()/CHECK_EQ_INT()/... in functions it runs
 * with RUN(), and returns lz_test_summary() from main, which prints the line
 * "N passed, N failed" that tests/run.sh reads.
 */
#ifndef LZ_TEST_H
#define LZ_TEST_H

#include <stdio.h>
#include <string.h>

static int lz_test_passed;
static int lz_test_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			lz_test_passed++;                                      \
		} else {                                                       \
			lz_test_failed++;                                      \
			printf("not ok %s:%d: %s\n", __FILE__, __LINE__,       \
			       #cond);                                         \
		}                                                              \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                     \
	do {                                                                   \
		long long lz_a_ = (long long)(a), lz_b_ = (long long)(b);      \
		if (lz_a_ == lz_b_) {                                          \
			lz_test_passed++;                                      \
		} else {                                                       \
			lz_test_failed++;                                      \
			printf("not ok %s:%d: %s == %s (%lld != %lld)\n",      \
			       __FILE__, __LINE__, #a, #b, lz_a_, lz_b_);      \
		}                                                              \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                     \
	do {                                                                   \
		const char *lz_a_ = (a), *lz_b_ = (b);                         \
		if (lz_a_ && lz_b_ && strcmp(lz_a_, lz_b_) == 0) {             \
			lz_test_passed++;                                      \
		} else {                                                       \
			lz_test_failed++;                                      \
			printf("not ok %s:%d: %s == %s (\"%s\" != \"%s\")\n",  \
			       __FILE__, __LINE__, #a, #b,                     \
			       lz_a_ ? lz_a_ : "(null)",                       \
			       lz_b_ ? lz_b_ : "(null)");                      \
		}                                                              \
	} while (0)

#define RUN(fn)                                                                \
	do {                                                                   \
		printf("# %s\n", #fn);                                         \
		fn();                                                          \
	} while (0)

static inline int
lz_test_summary(void)
{
	printf("%d passed, %d failed\n", lz_test_passed, lz_test_failed);
	return lz_test_failed ? 1 : 0;
}

#endif
