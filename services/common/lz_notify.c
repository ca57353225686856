/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_notify.c -- see lz_notify.h.
 */
#include "lz_notify.h"

#include "lz_log.h"
#include "lz_loop.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-daemon.h>

static struct lz_timer *watchdog;

static void
on_watchdog(void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

static void
notify_status(const char *state, const char *fmt, va_list ap)
{
	char status[256];

	vsnprintf(status, sizeof(status), fmt, ap);
	sd_notifyf(0, "%s\nSTATUS=%s", state, status);
}

void
lz_notify_ready(struct lz_loop *loop, const char *fmt, ...)
{
	uint64_t usec = 0;
	va_list ap;

	va_start(ap, fmt);
	notify_status("READY=1", fmt, ap);
	va_end(ap);
	if (watchdog == NULL && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		int ms = (int)(usec / 2000);

		watchdog = lz_timer_new(loop, ms > 0 ? ms : 1, 1, on_watchdog,
					NULL);
		lz_log_info("watchdog", "interval_ms=%llu",
			    (unsigned long long)(usec / 1000));
	}
}

void
lz_notify_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void
lz_notify_reloaded(void)
{
	sd_notify(0, "READY=1");
}

void
lz_notify_stopping(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	notify_status("STOPPING=1", fmt, ap);
	va_end(ap);
	lz_timer_destroy(&watchdog);
}
