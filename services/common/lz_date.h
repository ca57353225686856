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

/* The time of a driver's or rider's report on a tour or run of local date
 * DATE: AT when the report says when it happened (the phone's time, kept
 * by a report queued without network), else NOW (when it is received).
 * AT must fall from 6 h before DATE's midnight to 30 h after it, and not
 * before STARTED_AT (the start it follows, 0: none); otherwise returns -1
 * with the reason in *WHY, *OUT being NOW. */
int lz_date_report_time(const char *date, int64_t started_at, int64_t at,
			int64_t now, int64_t *out, const char **why);

#endif
