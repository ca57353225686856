/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_date.h -- local calendar dates ("YYYY-MM-DD") in the process's time
 * zone, for services that group or plan by the day (tours' waves, impact's
 * daily aggregates).  The zone is process-wide (TZ): set it once at startup.
 */
#ifndef LZ_DATE_H
#define LZ_DATE_H

#include <stdint.h>

/* Sets the process's time zone to TZ (an IANA name such as
 * "Europe/Paris", found under $TZDIR or /usr/share/zoneinfo, or a POSIX TZ
 * string such as "CET-1CEST,M3.5.0,M10.5.0/3").  Returns 0, or -EINVAL if
 * TZ names no zone known to the system (glibc would silently fall back to
 * UTC).  Call once, at startup. */
int lz_date_set_timezone(const char *tz);
/* Whether DATE is a valid "YYYY-MM-DD". */
int lz_date_valid(const char *date);
/* Writes the local date of T as "YYYY-MM-DD" into OUT; 0 or -EINVAL. */
int lz_date_local(int64_t t, char out[11]);
/* The epoch time of local midnight starting DATE, and its ISO weekday
 * (1 = Monday; WEEKDAY may be NULL).  Returns 0 or -EINVAL for a malformed
 * date. */
int lz_date_midnight(const char *date, int64_t *out, int *weekday);

#endif
