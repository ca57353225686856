/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_loop.c -- see lz_loop.h.
 */
#include "lz_loop.h"

#include "lz_log.h"
#include "lz_notify.h"
#include "lz_util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct lz_callback {
	struct event *ev;
	lz_loop_fn fn;
	void *arg;
	struct lz_callback *next;
};

struct lz_loop {
	struct event_base *base;
	void *zctx;
	int stopping;
	/* the first lz_loop_fail()'s code, or 0 */
	int failure;
	struct lz_callback *signals; /* owned */
	/* the reload hook, run on SIGHUP */
	char reload_what[64];
	lz_loop_fn reload_fn;
	void *reload_arg;
};

struct lz_zwatch {
	struct lz_loop *loop;
	void *sock;
	struct event *ev;
	lz_zsock_fn fn;
	void *arg;
};

static void
on_stop_signal(void *arg)
{
	struct lz_loop *l = arg;

	lz_log_info("stopping", "reason=signal");
	lz_loop_stop(l);
}

/* `systemctl reload` sends SIGHUP: a daemon must survive it.  The log
 * goes to stderr, owned by the service manager, so only the program's own
 * state is reloaded. */
static void
on_hup_signal(void *arg)
{
	struct lz_loop *l = arg;
	char what[160];

	if (l->reload_fn == NULL) {
		lz_log_info("reload: nothing to reload",
			    "signal=SIGHUP log=stderr");
		return;
	}
	lz_log_info("reload", "signal=SIGHUP log=stderr what=%s",
		    lz_log_quote(what, sizeof(what), l->reload_what));
	lz_notify_reloading();
	l->reload_fn(l->reload_arg);
	lz_notify_reloaded();
}

static void
on_callback(evutil_socket_t fd, short what, void *arg)
{
	struct lz_callback *cb = arg;

	cb->fn(cb->arg);
}

struct lz_loop *
lz_loop_new(void)
{
	struct lz_loop *l = xcalloc(1, sizeof(*l));

	l->base = event_base_new();
	if (l->base == NULL)
		lz_fatal("cannot create event base", NULL);
	l->zctx = zmq_ctx_new();
	if (l->zctx == NULL)
		lz_fatal("cannot create zmq context", "error=%s",
			 zmq_strerror(errno));
	/* A peer that goes away must not kill us on write. */
	signal(SIGPIPE, SIG_IGN);
	lz_loop_on_signal(l, SIGTERM, on_stop_signal, l);
	lz_loop_on_signal(l, SIGINT, on_stop_signal, l);
	lz_loop_on_signal(l, SIGHUP, on_hup_signal, l);
	return l;
}

void
lz_loop_destroy(struct lz_loop **lp)
{
	struct lz_loop *l = *lp;

	if (l == NULL)
		return;
	while (l->signals) {
		struct lz_callback *next = l->signals->next;
		event_free(l->signals->ev);
		free(l->signals);
		l->signals = next;
	}
	event_base_free(l->base);
	zmq_ctx_term(l->zctx);
	free(l);
	*lp = NULL;
}

struct event_base *
lz_loop_base(struct lz_loop *l)
{
	return l->base;
}

void *
lz_loop_zctx(struct lz_loop *l)
{
	return l->zctx;
}

int
lz_loop_run(struct lz_loop *l)
{
	int rc = 0, stopped;

	/* libevent forgets a loopbreak asked for before the loop runs. */
	if (!l->stopping && !l->failure)
		rc = event_base_loop(l->base, EVLOOP_NO_EXIT_ON_EMPTY);
	/* A stop ends one run (a test may run the loop again); a failure
	 * is for good. */
	stopped = l->stopping;
	l->stopping = 0;
	if (l->failure)
		return l->failure;
	if (stopped)
		return 0;
	lz_log_error("event loop ended unexpectedly", "rc=%d", rc);
	return -1;
}

void
lz_loop_stop(struct lz_loop *l)
{
	l->stopping = 1;
	event_base_loopbreak(l->base);
}

void
lz_loop_fail(struct lz_loop *l, int rc)
{
	if (l->failure == 0) {
		l->failure = rc < 0 ? rc : -1;
		lz_log_error("stopping", "reason=failure rc=%d", l->failure);
	}
	lz_loop_stop(l);
}

int
lz_loop_failure(const struct lz_loop *l)
{
	return l->failure;
}

int
lz_loop_stopping(const struct lz_loop *l)
{
	return l->stopping || l->failure;
}

void
lz_loop_on_reload(struct lz_loop *l, const char *what, lz_loop_fn fn, void *arg)
{
	snprintf(l->reload_what, sizeof(l->reload_what), "%s",
		 what && what[0] ? what : "-");
	l->reload_fn = fn;
	l->reload_arg = arg;
}

static int
zsock_readable(void *sock)
{
	int events = 0;
	size_t len = sizeof(events);

	if (zmq_getsockopt(sock, ZMQ_EVENTS, &events, &len) < 0)
		return 0;
	return (events & ZMQ_POLLIN) != 0;
}

static void
on_zsock(evutil_socket_t fd, short what, void *arg)
{
	struct lz_zwatch *w = arg;

	/* One batch per turn, so that timers and other sockets are served;
	 * if input remains, come back right after them. */
	if (!zsock_readable(w->sock))
		return;
	w->fn(w->sock, w->arg);
	if (!w->loop->stopping && zsock_readable(w->sock))
		event_active(w->ev, EV_READ, 0);
}

struct lz_zwatch *
lz_zwatch_new(struct lz_loop *l, void *sock, lz_zsock_fn fn, void *arg)
{
	struct lz_zwatch *w;
	int fd;
	size_t len = sizeof(fd);

	if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) < 0) {
		lz_log_error("cannot watch socket", "error=\"%s\"",
			     zmq_strerror(errno));
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->loop = l;
	w->sock = sock;
	w->fn = fn;
	w->arg = arg;
	w->ev = event_new(l->base, fd, EV_READ | EV_PERSIST, on_zsock, w);
	event_add(w->ev, NULL);
	/* Messages may already be queued: their edge has passed. */
	event_active(w->ev, EV_READ, 0);
	return w;
}

void
lz_zwatch_destroy(struct lz_zwatch **wp)
{
	struct lz_zwatch *w = *wp;

	if (w == NULL)
		return;
	event_free(w->ev);
	free(w);
	*wp = NULL;
}

void
lz_zwatch_poke(struct lz_zwatch *w)
{
	event_active(w->ev, EV_READ, 0);
}

struct lz_timer {
	struct lz_callback cb;
};

struct lz_timer *
lz_timer_new(struct lz_loop *l, int ms, int repeat, lz_loop_fn fn, void *arg)
{
	struct lz_timer *t = xcalloc(1, sizeof(*t));
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	t->cb.fn = fn;
	t->cb.arg = arg;
	t->cb.ev = event_new(l->base, -1, repeat ? EV_PERSIST : 0, on_callback,
			     &t->cb);
	event_add(t->cb.ev, &tv);
	return t;
}

void
lz_timer_destroy(struct lz_timer **tp)
{
	struct lz_timer *t = *tp;

	if (t == NULL)
		return;
	event_free(t->cb.ev);
	free(t);
	*tp = NULL;
}

int
lz_loop_on_signal(struct lz_loop *l, int sig, lz_loop_fn fn, void *arg)
{
	struct lz_callback *cb = xcalloc(1, sizeof(*cb));

	cb->fn = fn;
	cb->arg = arg;
	cb->ev = evsignal_new(l->base, sig, on_callback, cb);
	if (cb->ev == NULL || event_add(cb->ev, NULL) < 0) {
		if (cb->ev)
			event_free(cb->ev);
		free(cb);
		return -1;
	}
	cb->next = l->signals;
	l->signals = cb;
	return 0;
}
