/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_log.h -- one line per event, key=value, to stderr.
 *
 *   lz_log_info("started", "endpoint=%s batch=%d", ep, n);
 *   -> ts=2026-11-26T09:00:00.123Z level=info prog=lz-bus msg=started
 *      endpoint=tcp://127.0.0.1:7100 batch=1024
 *
 * The caller formats its own key=value pairs; values with spaces must be
 * quoted by the caller (lz_log_quote helps).  Secrets never go to logs.
 *
 * When stderr is the journal (systemd sets JOURNAL_STREAM to the
 * "DEVICE:INODE" of the stream it connects to stderr, and it is that
 * stream), each line starts with its syslog priority instead of a
 * timestamp, which the journal keeps itself (sd-daemon(3)):
 *
 *   <4>level=warn prog=lz-bus msg="message dropped" reason=frames
 *
 * <7> debug, <6> info, <4> warn, <3> error, <2> fatal.  Anywhere else
 * (a terminal, a file, a pipe; JOURNAL_STREAM inherited by a process whose
 * stderr was redirected) the lines are as above.
 */
#ifndef LZ_LOG_H
#define LZ_LOG_H

#include <stddef.h>
#include <stdint.h>

enum lz_log_level {
	LZ_LOG_DEBUG = 0,
	LZ_LOG_INFO = 1,
	LZ_LOG_WARN = 2,
	LZ_LOG_ERROR = 3,
	LZ_LOG_FATAL = 4,
};

/* Sets the program name printed in every line and the minimum level, and
 * looks whether stderr is the journal (see above). */
void lz_log_init(const char *prog, enum lz_log_level level);

/* The program name set by lz_log_init ("livrazou" before), e.g. "lz-bus";
 * a static string that lives as long as the program. */
const char *lz_log_prog(void);

/* Parses "debug", "info", "warn", "error"; returns -1 if unknown. */
int lz_log_parse_level(const char *s);

/* Writes one line if level is enabled.  FMT (may be NULL) holds the
 * key=value pairs that follow msg=MSG. */
void lz_log(enum lz_log_level level, const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logs at fatal level and exits with status 1.  For startup errors and
 * programmer errors only, never for input from a socket. */
void lz_fatal(const char *msg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* A limit on how many lines a source of bad input may log: at most
 * LZ_LOG_LIMIT_PER_SECOND a second, the others counted and reported in one
 * line when the next second starts.  Zero-initialise it. */
#define LZ_LOG_LIMIT_PER_SECOND 10
struct lz_log_limit {
	int64_t second;
	int lines;
	long suppressed;
};

/* Whether one more line may be logged now under L. */
int lz_log_allow(struct lz_log_limit *l);

/* Copies S into BUF as a log value: unchanged if it has no space, '=',
 * quote, backslash, control or non-ASCII byte, otherwise double-quoted with
 * those escaped (\xNN, so logs stay ASCII); truncated to fit.  Returns
 * BUF. */
const char *lz_log_quote(char *buf, size_t size, const char *s);

#define lz_log_debug(msg, ...) lz_log(LZ_LOG_DEBUG, msg, __VA_ARGS__)
#define lz_log_info(msg, ...) lz_log(LZ_LOG_INFO, msg, __VA_ARGS__)
#define lz_log_warn(msg, ...) lz_log(LZ_LOG_WARN, msg, __VA_ARGS__)
#define lz_log_error(msg, ...) lz_log(LZ_LOG_ERROR, msg, __VA_ARGS__)

#endif
