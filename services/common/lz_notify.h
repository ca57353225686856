/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_notify.h -- telling the service manager how the daemon is: systemd's
 * notification protocol (sd_notify(3)), for units of Type=notify.
 *
 * A daemon says READY=1 once its stores are open and its sockets bound,
 * with a STATUS= line a person reads in `systemctl status`; RELOADING=1
 * then READY=1 around a SIGHUP reload; STOPPING=1 when it stops.  When the
 * unit sets WatchdogSec=, the loop sends WATCHDOG=1 at half the interval,
 * so that a loop that hangs is restarted.  Outside systemd ($NOTIFY_SOCKET
 * unset) every call does nothing.  The notification socket is the
 * process's, so this module's state is too: one loop per daemon.
 */
#ifndef LZ_NOTIFY_H
#define LZ_NOTIFY_H

struct lz_loop;

/* Says READY=1 with STATUS (printf format), and starts the watchdog on
 * LOOP when the service manager asks for one.  Call once, just before
 * lz_loop_run. */
void lz_notify_ready(struct lz_loop *loop, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Says RELOADING=1 (before a reload) or READY=1 again (after it). */
void lz_notify_reloading(void);
void lz_notify_reloaded(void);

/* Says STOPPING=1 with STATUS, and stops the watchdog. */
void lz_notify_stopping(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
