/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_config.h -- options from defaults, an INI file and the command line.
 *
 * One table of options per program drives everything: the --help text, the
 * keys accepted in the program's [SECTION] of the configuration file, and the
 * --NAME VALUE flags.  Precedence, lowest first: the default, the [common]
 * section, the program's own section, the command line.  Every program also
 * takes --help, --version, --config FILE and --log-level LEVEL.
 */
#ifndef LZ_CONFIG_H
#define LZ_CONFIG_H

enum lz_opt_kind {
	LZ_OPT_STRING = 0,
	LZ_OPT_INT,  /* a decimal integer within [min, max] */
	LZ_OPT_FLAG, /* no argument on the command line; "true"/"false" in INI */
};

struct lz_option {
	const char *name; /* "--name" and INI key "name"; NULL ends a table */
	enum lz_opt_kind kind;
	const char *defval; /* default as text; NULL: no default */
	const char *help;
	long long min, max; /* for LZ_OPT_INT; both 0 means no bounds */
};

struct lz_config;

/* Creates a configuration for program PROG reading section SECTION.
 * USAGE is the synopsis after the program name (e.g. "[OPTIONS]"), SUMMARY a
 * paragraph for --help.  OPTS must outlive the object.  Caller owns the
 * result; free with lz_config_destroy(). */
struct lz_config *lz_config_new(const char *prog, const char *section,
				const char *usage, const char *summary,
				const struct lz_option *opts);
void lz_config_destroy(struct lz_config **cp);

/* Adds a further table of options after the first (OPTS must outlive the
 * object), before lz_config_parse. */
void lz_config_add(struct lz_config *c, const struct lz_option *opts);

/* A subcommand of a program (lz-ctl keygen, lz-ctl user...): `PROG NAME
 * --help` prints "Usage: PROG NAME USAGE", its SUMMARY and only its
 * OPTIONS (names of the table's options, NULL-terminated; --config and
 * --log-level always shown) instead of the program's help. */
struct lz_subcommand {
	const char *name; /* the first positional argument; NULL ends a table */
	const char *usage;
	const char *summary;
	const char *const *options;
};

/* Sets the program's subcommands (SUBS must outlive the object), before
 * lz_config_parse. */
void lz_config_subcommands(struct lz_config *c,
			   const struct lz_subcommand *subs);

/* Parses the command line (and the file named by --config).  Returns 0 when
 * the program should run, 1 when --help or --version was printed (exit 0),
 * -1 after printing an error to stderr (exit 2).  Positional arguments are
 * kept for lz_config_arg(); "--" ends the options. */
int lz_config_parse(struct lz_config *c, int argc, char **argv);
/* lz_config_parse for a program's main: returns -1 when the program is to
 * run, otherwise its exit status (0 after --help or --version, 2 after an
 * error), *CP destroyed. */
int lz_config_main(struct lz_config **cp, int argc, char **argv);
/* lz_config_main for a daemon, which takes no argument: a stray word (a
 * mistyped option, not something to ignore) is named on stderr and is an
 * error (2, *CP destroyed). */
int lz_config_daemon_main(struct lz_config **cp, int argc, char **argv);

/* The value of option NAME: a string (NULL if unset and no default), an
 * integer (validated by lz_config_parse), a flag (0 or 1).  NAME must be in
 * the table: asking for an unknown name is a programmer error and aborts. */
const char *lz_config_str(const struct lz_config *c, const char *name);
long long lz_config_int(const struct lz_config *c, const char *name);
int lz_config_flag(const struct lz_config *c, const char *name);

/* Positional arguments. */
int lz_config_nargs(const struct lz_config *c);
const char *lz_config_arg(const struct lz_config *c, int i);

/* For a client of the deployment the --config file describes (lz-ctl,
 * lz-tap): after lz_config_parse, when --config was given and option NAME
 * still has its default (it was set neither on the command line nor in
 * the program's own or the [common] section), sets it to the value of KEY
 * in the file's SECTION, another program's (e.g. --gateway from the
 * gateway's "zmq").  An address the daemon binds on every interface
 * (host 0.0.0.0, or * in a ZeroMQ endpoint) becomes its loopback address,
 * which a client on the same host can connect to.  Returns 1 when it set
 * the value, 0 when not (no --config, NAME was given, or SECTION has no
 * non-empty KEY). */
int lz_config_from_section(struct lz_config *c, const char *name,
			   const char *section, const char *key);

/* Initialises lz_log with the program name and the --log-level value. */
void lz_config_init_log(const struct lz_config *c);

#endif
