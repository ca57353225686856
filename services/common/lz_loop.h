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

/* Runs until lz_loop_stop() or SIGTERM/SIGINT: returns 0 then, -1 if the
 * loop ended for another reason (which a daemon must treat as fatal). */
int lz_loop_run(struct lz_loop *l);
void lz_loop_stop(struct lz_loop *l);
/* Nonzero once a stop was asked for. */
int lz_loop_stopping(const struct lz_loop *l);

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

/* Calls FN on signal SIG (e.g. SIGHUP to reopen or reload). */
int lz_loop_on_signal(struct lz_loop *l, int sig, lz_loop_fn fn, void *arg);

#endif
