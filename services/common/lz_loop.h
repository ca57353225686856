/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_loop.h -- the event loop of a daemon: one libevent event_base, one
 * ZeroMQ context, ZeroMQ sockets watched through ZMQ_FD, timers and signals.
 *
 * ZMQ_FD is edge-triggered: it signals that ZMQ_EVENTS may have changed, not
 * that a message waits.  The watcher therefore re-reads ZMQ_EVENTS and calls
 * back while ZMQ_POLLIN is set; and since a send on a socket can consume the
 * edge, whoever sends on a watched socket calls lz_zwatch_poke() afterwards.
 *
 * SIGTERM and SIGINT stop the loop after the callback that is running (so a
 * batch in progress is committed and published); lz_loop_run then returns 0.
 * An unrecoverable error (a batch that cannot be committed) stops it with
 * lz_loop_fail(); lz_loop_run then returns the failure, and the daemon
 * exits with status 1.  SIGHUP never stops it: the loop logs the reload and
 * runs the program's reload hook (lz_loop_on_reload), if it has one.
 */
#ifndef LZ_LOOP_H
#define LZ_LOOP_H

#include <event2/event.h>

struct lz_loop;
struct lz_zwatch;
struct lz_timer;

/* Called when SOCK has input.  It should read one batch (it is called again
 * while input remains, after other events have had their turn). */
typedef void (*lz_zsock_fn)(void *sock, void *arg);
typedef void (*lz_loop_fn)(void *arg);

/* Creates the loop and its ZeroMQ context.  Caller owns the result. */
struct lz_loop *lz_loop_new(void);
/* Destroys timers and watchers still registered, then the loop.  The
 * ZeroMQ context is terminated: close every socket first. */
void lz_loop_destroy(struct lz_loop **lp);

struct event_base *lz_loop_base(struct lz_loop *l);
void *lz_loop_zctx(struct lz_loop *l);

/* Runs until lz_loop_stop(), lz_loop_fail() or SIGTERM/SIGINT.  Returns 0
 * after a stop, the code given to lz_loop_fail() after a failure (even if a
 * stop came first), -1 if the loop ended for another reason (which a daemon
 * must treat as fatal).  Returns at once if a stop or a failure was asked
 * for before the call.  A stop is used up by the run it ends, so the loop
 * may be run again; a failure is not: every later run returns it at
 * once. */
int lz_loop_run(struct lz_loop *l);
/* Stops the loop after the callback that is running. */
void lz_loop_stop(struct lz_loop *l);
/* Stops the loop like lz_loop_stop(), as a failure: an error the process
 * cannot go on after (its store cannot commit).  The caller has logged
 * why.  RC is the error (negative; 0 or a positive value is taken as -1);
 * the first failure is the one kept.  May be called outside the loop too,
 * e.g. by a last flush after lz_loop_run: see lz_loop_failure(). */
void lz_loop_fail(struct lz_loop *l, int rc);
/* The failure given to lz_loop_fail() first, or 0 if there was none. */
int lz_loop_failure(const struct lz_loop *l);
/* Nonzero once a stop (or a failure) was asked for, until the run it
 * ends returns (a failure: for good). */
int lz_loop_stopping(const struct lz_loop *l);

/* Sets the reload hook: on SIGHUP the loop logs "reload" with WHAT (what
 * FN reloads, e.g. "partners") and calls FN(ARG), which logs what it did
 * and must keep the old state when the reload fails.  Without a hook,
 * SIGHUP logs "reload: nothing to reload".  A second call replaces the
 * hook; FN NULL removes it.  The log is stderr, which the service manager
 * owns: nothing to reopen. */
void lz_loop_on_reload(struct lz_loop *l, const char *what, lz_loop_fn fn,
		       void *arg);

/* Watches ZeroMQ socket SOCK.  Returns NULL (and logs) if its ZMQ_FD cannot
 * be read.  The watcher is owned by the caller (lz_zwatch_destroy) and does
 * not own the socket. */
struct lz_zwatch *lz_zwatch_new(struct lz_loop *l, void *sock, lz_zsock_fn fn,
				void *arg);
void lz_zwatch_destroy(struct lz_zwatch **wp);
/* Re-checks the socket soon: call after every send on a watched socket. */
void lz_zwatch_poke(struct lz_zwatch *w);

/* Calls FN every MS milliseconds (once if REPEAT is 0).  The timer is owned
 * by the caller: lz_timer_destroy() cancels and frees it. */
struct lz_timer *lz_timer_new(struct lz_loop *l, int ms, int repeat,
			      lz_loop_fn fn, void *arg);
void lz_timer_destroy(struct lz_timer **tp);

/* Calls FN on signal SIG.  (SIGTERM, SIGINT and SIGHUP are the loop's
 * own: use lz_loop_on_reload for SIGHUP.)  Returns 0, or -1 when the signal
 * cannot be watched. */
int lz_loop_on_signal(struct lz_loop *l, int sig, lz_loop_fn fn, void *arg);

#endif
