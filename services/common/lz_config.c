/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_config.c -- see lz_config.h.
 */
#include "lz_config.h"

#include "lz_log.h"
#include "lz_util.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LZ_VERSION
#define LZ_VERSION "dev"
#endif

/* Where a value came from, to let a higher layer override a lower one.
 * FROM_OTHER: another program's section (lz_config_from_section). */
enum origin { FROM_DEFAULT, FROM_OTHER, FROM_COMMON, FROM_SECTION, FROM_FLAG };

static const struct lz_option builtin_opts[] = {
	{"config", LZ_OPT_STRING, NULL, "read options from this INI file", 0,
	 0},
	{"log-level", LZ_OPT_STRING, "info", "debug, info, warn or error", 0,
	 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

struct slot {
	const struct lz_option *opt;
	char *value;
	enum origin origin;
};

struct lz_config {
	const char *prog;
	const char *section;
	const char *usage;
	const char *summary;
	struct slot *slots;
	int nslots;
	char **args;
	int nargs;
	char *error; /* first error met while reading the INI file */
	const struct lz_subcommand *subs;
};

static void
add_slots(struct lz_config *c, const struct lz_option *opts)
{
	for (const struct lz_option *o = opts; o->name; o++) {
		c->slots = xrealloc(c->slots, sizeof(*c->slots) *
						      (size_t)(c->nslots + 1));
		c->slots[c->nslots].opt = o;
		c->slots[c->nslots].value =
			o->defval ? xstrdup(o->defval) : NULL;
		c->slots[c->nslots].origin = FROM_DEFAULT;
		c->nslots++;
	}
}

struct lz_config *
lz_config_new(const char *prog, const char *section, const char *usage,
	      const char *summary, const struct lz_option *opts)
{
	struct lz_config *c = xcalloc(1, sizeof(*c));

	c->prog = prog;
	c->section = section;
	c->usage = usage;
	c->summary = summary;
	add_slots(c, builtin_opts);
	add_slots(c, opts);
	return c;
}

void
lz_config_add(struct lz_config *c, const struct lz_option *opts)
{
	add_slots(c, opts);
}

void
lz_config_subcommands(struct lz_config *c, const struct lz_subcommand *subs)
{
	c->subs = subs;
}

void
lz_config_destroy(struct lz_config **cp)
{
	struct lz_config *c = *cp;

	if (c == NULL)
		return;
	for (int i = 0; i < c->nslots; i++)
		free(c->slots[i].value);
	free(c->slots);
	free(c->args);
	free(c->error);
	free(c);
	*cp = NULL;
}

static struct slot *
find_slot(const struct lz_config *c, const char *name, size_t len)
{
	for (int i = 0; i < c->nslots; i++)
		if (strlen(c->slots[i].opt->name) == len &&
		    strncmp(c->slots[i].opt->name, name, len) == 0)
			return &c->slots[i];
	return NULL;
}

static void
set_slot(struct slot *s, const char *value, enum origin origin)
{
	if (origin < s->origin)
		return;
	free(s->value);
	s->value = xstrdup(value);
	s->origin = origin;
}

static void
unknown_key(struct lz_config *c, const char *name)
{
	char buf[512];

	if (c->error != NULL)
		return;
	snprintf(buf, sizeof(buf), "unknown key \"%s\" in section [%s]", name,
		 c->section);
	c->error = xstrdup(buf);
}

static int
on_ini_line(void *user, const char *section, const char *name,
	    const char *value)
{
	struct lz_config *c = user;
	int own = strcmp(section, c->section) == 0;
	struct slot *s;

	if (!own && strcmp(section, "common") != 0)
		return 1;
	s = find_slot(c, name, strlen(name));
	if (s == NULL || strcmp(name, "config") == 0) {
		/* [common] is shared by every program: keys of others are fine
		 * there; in our own section an unknown key is a typo. */
		if (own)
			unknown_key(c, name);
		return 1;
	}
	set_slot(s, value, own ? FROM_SECTION : FROM_COMMON);
	return 1;
}

static int
parse_bool(const char *v)
{
	if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") ||
	    !strcmp(v, "on"))
		return 1;
	if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") ||
	    !strcmp(v, "off"))
		return 0;
	return -1;
}

static int
parse_int(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno == 0 && end != v && *end == '\0' ? 0 : -1;
}

static int
validate(struct lz_config *c)
{
	for (int i = 0; i < c->nslots; i++) {
		const struct lz_option *o = c->slots[i].opt;
		const char *v = c->slots[i].value;
		long long n;

		if (v == NULL)
			continue;
		if (o->kind == LZ_OPT_FLAG && parse_bool(v) < 0) {
			fprintf(stderr,
				"%s: %s: expected true or false, got "
				"\"%s\"\n",
				c->prog, o->name, v);
			return -1;
		}
		if (o->kind != LZ_OPT_INT)
			continue;
		if (parse_int(v, &n) < 0) {
			fprintf(stderr,
				"%s: %s: expected an integer, got \"%s\"\n",
				c->prog, o->name, v);
			return -1;
		}
		if ((o->min || o->max) && (n < o->min || n > o->max)) {
			fprintf(stderr,
				"%s: %s: %lld is out of range [%lld, %lld]\n",
				c->prog, o->name, n, o->min, o->max);
			return -1;
		}
	}
	if (lz_log_parse_level(lz_config_str(c, "log-level")) < 0) {
		fprintf(stderr, "%s: log-level: unknown level \"%s\"\n",
			c->prog, lz_config_str(c, "log-level"));
		return -1;
	}
	return 0;
}

/* Whether option O is one of SUB's (SUB NULL: the whole program's). */
static int
shown(const struct lz_option *o, const struct lz_subcommand *sub)
{
	if (sub == NULL || (o >= builtin_opts &&
			    o < builtin_opts + LZ_ARRAY_LEN(builtin_opts)))
		return 1;
	for (size_t i = 0; sub->options && sub->options[i]; i++)
		if (strcmp(sub->options[i], o->name) == 0)
			return 1;
	return 0;
}

/* The program's help or, when the first argument names a subcommand, that
 * subcommand's. */
static void
print_help(const struct lz_config *c)
{
	const struct lz_subcommand *sub = NULL;

	for (const struct lz_subcommand *s = c->subs;
	     s && s->name && c->nargs > 0; s++)
		if (strcmp(s->name, c->args[0]) == 0)
			sub = s;
	if (sub)
		printf("Usage: %s %s %s\n\n%s\n\nOptions:\n", c->prog,
		       sub->name, sub->usage, sub->summary);
	else
		printf("Usage: %s %s\n\n%s\n\nOptions (also keys of section "
		       "[%s] in the --config file):\n",
		       c->prog, c->usage, c->summary, c->section);
	for (int i = 0; i < c->nslots; i++) {
		const struct lz_option *o = c->slots[i].opt;
		char left[64];

		if (!shown(o, sub))
			continue;
		snprintf(left, sizeof(left), "--%s%s", o->name,
			 o->kind == LZ_OPT_FLAG  ? ""
			 : o->kind == LZ_OPT_INT ? " N"
						 : " VALUE");
		printf("  %-28s %s", left, o->help);
		if (o->defval && o->kind != LZ_OPT_FLAG)
			printf(" (default: %s)", o->defval);
		printf("\n");
	}
	printf("  %-28s %s\n  %-28s %s\n", "--help", "show this help and exit",
	       "--version", "show the version and exit");
}

static int
read_file(struct lz_config *c, const char *path)
{
	int rc = ini_parse(path, on_ini_line, c);

	if (rc == -1) {
		fprintf(stderr, "%s: cannot open config file %s: %s\n", c->prog,
			path, strerror(errno));
		return -1;
	}
	if (rc > 0) {
		fprintf(stderr, "%s: %s:%d: syntax error\n", c->prog, path, rc);
		return -1;
	}
	if (c->error) {
		fprintf(stderr, "%s: %s: %s\n", c->prog, path, c->error);
		return -1;
	}
	return 0;
}

int
lz_config_parse(struct lz_config *c, int argc, char **argv)
{
	const char *config_path = NULL;
	int only_args = 0;

	c->args = xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq;
		struct slot *s;

		if (only_args || a[0] != '-' || a[1] != '-' || a[2] == '\0') {
			if (!only_args && strcmp(a, "--") == 0) {
				only_args = 1;
				continue;
			}
			if (!only_args && a[0] == '-' && a[1] != '\0') {
				fprintf(stderr,
					"%s: unknown option %s (see --help)\n",
					c->prog, a);
				return -1;
			}
			c->args[c->nargs++] = argv[i];
			continue;
		}
		a += 2;
		if (strcmp(a, "help") == 0) {
			print_help(c);
			return 1;
		}
		if (strcmp(a, "version") == 0) {
			printf("%s %s\n", c->prog, LZ_VERSION);
			return 1;
		}
		eq = strchr(a, '=');
		s = find_slot(c, a, eq ? (size_t)(eq - a) : strlen(a));
		if (s == NULL) {
			fprintf(stderr,
				"%s: unknown option --%s (see --help)\n",
				c->prog, a);
			return -1;
		}
		if (s->opt->kind == LZ_OPT_FLAG) {
			set_slot(s, eq ? eq + 1 : "true", FROM_FLAG);
		} else if (eq) {
			set_slot(s, eq + 1, FROM_FLAG);
		} else if (i + 1 < argc) {
			set_slot(s, argv[++i], FROM_FLAG);
		} else {
			fprintf(stderr, "%s: option --%s needs a value\n",
				c->prog, a);
			return -1;
		}
		if (strcmp(s->opt->name, "config") == 0)
			config_path = s->value;
	}
	if (config_path != NULL && read_file(c, config_path) < 0)
		return -1;
	return validate(c);
}

static const struct slot *
must_find(const struct lz_config *c, const char *name)
{
	const struct slot *s = find_slot(c, name, strlen(name));

	if (s == NULL)
		lz_fatal("unknown option asked for", "option=%s", name);
	return s;
}

const char *
lz_config_str(const struct lz_config *c, const char *name)
{
	return must_find(c, name)->value;
}

long long
lz_config_int(const struct lz_config *c, const char *name)
{
	const char *v = must_find(c, name)->value;
	long long n = 0;

	if (v != NULL)
		parse_int(v, &n);
	return n;
}

int
lz_config_flag(const struct lz_config *c, const char *name)
{
	const char *v = must_find(c, name)->value;

	return v != NULL && parse_bool(v) == 1;
}

int
lz_config_nargs(const struct lz_config *c)
{
	return c->nargs;
}

const char *
lz_config_arg(const struct lz_config *c, int i)
{
	return i >= 0 && i < c->nargs ? c->args[i] : NULL;
}

struct from_section {
	const char *section, *key;
	char *value;
};

static int
on_other_line(void *user, const char *section, const char *name,
	      const char *value)
{
	struct from_section *f = user;

	if (strcmp(section, f->section) == 0 && strcmp(name, f->key) == 0) {
		free(f->value);
		f->value = xstrdup(value);
	}
	return 1;
}

/* A daemon binds its sockets on every address (0.0.0.0, or * for
 * ZeroMQ); a client on the same host reaches them on loopback. */
static char *
connectable(char *v)
{
	static const char *const any[] = {
		"tcp://0.0.0.0:", "tcp://*:", "0.0.0.0:"};

	for (size_t i = 0; i < LZ_ARRAY_LEN(any); i++) {
		size_t n = strlen(any[i]);
		const char *scheme =
			strncmp(any[i], "tcp://", 6) ? "" : "tcp://";
		char *out;
		size_t len;

		if (strncmp(v, any[i], n) != 0)
			continue;
		len = strlen(scheme) + strlen("127.0.0.1:") + strlen(v + n) + 1;
		out = xmalloc(len);
		snprintf(out, len, "%s127.0.0.1:%s", scheme, v + n);
		free(v);
		return out;
	}
	return v;
}

int
lz_config_from_section(struct lz_config *c, const char *name,
		       const char *section, const char *key)
{
	struct slot *s = (struct slot *)must_find(c, name);
	const char *path = lz_config_str(c, "config");
	struct from_section f = {section, key, NULL};

	if (path == NULL || s->origin != FROM_DEFAULT)
		return 0;
	if (ini_parse(path, on_other_line, &f) != 0 || f.value == NULL ||
	    f.value[0] == '\0') {
		free(f.value);
		return 0;
	}
	free(s->value);
	s->value = connectable(f.value);
	s->origin = FROM_OTHER;
	return 1;
}

void
lz_config_init_log(const struct lz_config *c)
{
	lz_log_init(c->prog, (enum lz_log_level)lz_log_parse_level(
				     lz_config_str(c, "log-level")));
}

int
lz_config_main(struct lz_config **cp, int argc, char **argv)
{
	int rc = lz_config_parse(*cp, argc, argv);

	if (rc == 0)
		return -1;
	lz_config_destroy(cp);
	return rc > 0 ? 0 : 2;
}

int
lz_config_daemon_main(struct lz_config **cp, int argc, char **argv)
{
	int rc = lz_config_main(cp, argc, argv);

	if (rc >= 0 || lz_config_nargs(*cp) == 0)
		return rc;
	fprintf(stderr, "%s: unexpected argument \"%s\" (see --help)\n",
		(*cp)->prog, lz_config_arg(*cp, 0));
	lz_config_destroy(cp);
	return 2;
}
