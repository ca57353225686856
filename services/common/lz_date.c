/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_date.c -- see lz_date.h.
 */
#include "lz_date.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
zone_file_exists(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	if (tz[0] == ':')
		tz++;
	if (tz[0] == '\0' || strstr(tz, "..") != NULL)
		return 0;
	if (tz[0] == '/')
		return access(tz, R_OK) == 0;
	snprintf(path, sizeof(path), "%s/%s",
		 dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return access(path, R_OK) == 0;
}

/* A POSIX TZ string starts with a zone abbreviation of three or more
 * letters (or <...>) followed by an offset. */
static int
posix_tz(const char *tz)
{
	size_t n = 0;

	if (tz[0] == '<')
		return strchr(tz, '>') != NULL;
	while ((tz[n] >= 'A' && tz[n] <= 'Z') || (tz[n] >= 'a' && tz[n] <= 'z'))
		n++;
	return n >= 3 &&
	       (tz[n] == '+' || tz[n] == '-' || (tz[n] >= '0' && tz[n] <= '9'));
}

int
lz_date_set_timezone(const char *tz)
{
	if (tz == NULL || (!zone_file_exists(tz) && !posix_tz(tz)))
		return -EINVAL;
	if (setenv("TZ", tz, 1) != 0)
		return -errno;
	tzset();
	return 0;
}

static int
parse_date(const char *date, struct tm *tm)
{
	int y, m, d;
	char extra;

	if (date == NULL || strlen(date) != 10 || date[4] != '-' ||
	    date[7] != '-')
		return -EINVAL;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9'))
			return -EINVAL;
	if (sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return -EINVAL;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -EINVAL;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	tm->tm_isdst = -1;
	return 0;
}

int
lz_date_valid(const char *date)
{
	struct tm tm, chk;
	time_t t;

	if (parse_date(date, &tm) != 0)
		return 0;
	tm.tm_hour = 12;
	chk = tm;
	if ((t = mktime(&tm)) == (time_t)-1)
		return 0;
	return tm.tm_mday == chk.tm_mday && tm.tm_mon == chk.tm_mon;
}

int
lz_date_local(int64_t t, char out[11])
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[40];

	if (localtime_r(&tt, &tm) == NULL || tm.tm_year < 70 ||
	    tm.tm_year > 9999 - 1900)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday);
	memcpy(out, buf, 11);
	return 0;
}

int
lz_date_midnight(const char *date, int64_t *out, int *weekday)
{
	struct tm tm, noon;
	time_t t;

	if (!lz_date_valid(date) || parse_date(date, &tm) != 0)
		return -EINVAL;
	noon = tm;
	noon.tm_hour = 12;
	if (mktime(&noon) == (time_t)-1)
		return -EINVAL;
	/* Midnight exists in Europe/Paris (changes happen at 2 and 3 h). */
	if ((t = mktime(&tm)) == (time_t)-1)
		return -EINVAL;
	*out = (int64_t)t;
	if (weekday)
		*weekday = noon.tm_wday == 0 ? 7 : noon.tm_wday;
	return 0;
}

int
lz_date_report_time(const char *date, int64_t started_at, int64_t at,
		    int64_t now, int64_t *out, const char **why)
{
	int64_t midnight;

	*out = now;
	if (at == 0)
		return 0;
	if (lz_date_midnight(date, &midnight, NULL) != 0) {
		*why = "at: no valid date to check it against";
		return -1;
	}
	if (at < midnight - 6 * 3600 || at > midnight + 30 * 3600) {
		*why = "at: outside its day (6 h before midnight to 30 h "
		       "after)";
		return -1;
	}
	if (started_at > 0 && at < started_at) {
		*why = "at: before the start it follows";
		return -1;
	}
	*out = at;
	return 0;
}
