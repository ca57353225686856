/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ctl_user.c -- `lz-ctl user`, the users file (lz_users.h):
 *
 *   lz-ctl user add NAME --role ROLE [--member M] [--password-file F]
 *   lz-ctl user passwd NAME [--password-file F]
 *   lz-ctl user remove NAME
 *   lz-ctl user list
 *
 * The password comes from the first line of --password-file, else from
 * standard input: asked twice without echo on a terminal, one line
 * otherwise.  The gateway reads the file again on SIGHUP.
 */
#include "ctl_user.h"

#include "lz_config.h"
#include "lz_partners.h"
#include "lz_users.h"
#include "lz_util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

const char ctl_user_usage[] =
	"add NAME --role ROLE [--member M] [--password-file F] | passwd NAME "
	"[--password-file F] | remove NAME | list";
const char ctl_user_summary[] =
	"Manages the web application's users in the users file: add a user "
	"with a role (and the member it acts for), give one a new password, "
	"remove one, list them.  Passwords are stored as Argon2id hashes; "
	"the password is the first line of --password-file, else read from "
	"standard input (asked twice on a terminal).  The gateway reads the "
	"file again on SIGHUP.";
const char *const ctl_user_options[] = {"users", "role", "member",
					"password-file", NULL};

/* Reads one line of F into BUF (LEN bytes) without its newline; -1 at end
 * of file or when the line does not fit. */
static int
read_line(FILE *f, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, f) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && !feof(f))
		return -1; /* longer than the buffer */
	buf[n] = '\0';
	return 0;
}

static int
prompt(const char *what, char *buf, size_t len)
{
	struct termios old, quiet;
	int rc;

	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = read_line(stdin, buf, len);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* The new password into PW (LEN bytes); 0, or 2 after saying why not. */
static int
get_password(const struct lz_config *c, char *pw, size_t len)
{
	const char *file = lz_config_str(c, "password-file");
	const char *problem;
	char again[LZ_PASSWORD_MAX + 2];
	int rc = 0;

	if (file) {
		FILE *f = fopen(file, "r");
		if (f == NULL) {
			fprintf(stderr, "lz-ctl: %s: %s\n", file,
				strerror(errno));
			return 2;
		}
		rc = read_line(f, pw, len);
		fclose(f);
	} else if (isatty(STDIN_FILENO)) {
		rc = prompt("Mot de passe / password", pw, len);
		if (rc == 0 &&
		    prompt("Encore / again", again, sizeof(again)) == 0 &&
		    strcmp(pw, again) != 0) {
			fprintf(stderr, "lz-ctl: the passwords differ\n");
			rc = 2;
		}
		sodium_memzero(again, sizeof(again));
	} else {
		rc = read_line(stdin, pw, len);
	}
	if (rc == 2)
		return 2;
	if (rc != 0) {
		fprintf(stderr,
			"lz-ctl: no password read (one line, at most "
			"%d characters)\n",
			LZ_PASSWORD_MAX);
		return 2;
	}
	if ((problem = lz_password_problem(pw)) != NULL) {
		fprintf(stderr, "lz-ctl: %s\n", problem);
		return 2;
	}
	return 0;
}

/* Sets U's hash from a password read as get_password does. */
static int
set_password(const struct lz_config *c, struct lz_user *u)
{
	char pw[LZ_PASSWORD_MAX + 2];
	int rc = get_password(c, pw, sizeof(pw));

	if (rc == 0 && lz_password_hash(pw, u->hash) != 0) {
		fprintf(stderr, "lz-ctl: cannot hash the password (out of "
				"memory)\n");
		rc = 1;
	}
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

/* A partner of the partners file named NAME, when that file is readable:
 * users and partners share one namespace (the actor of a command). */
static int
partner_named(const struct lz_config *c, const char *name)
{
	struct lz_partners *ps = NULL;
	char err[512];
	int found;

	if (lz_partners_load(lz_config_str(c, "partners"), &ps, err,
			     sizeof(err)) < 0)
		return 0;
	found = lz_partners_by_id(ps, name) != NULL;
	lz_partners_destroy(&ps);
	return found;
}

static int
user_add(const struct lz_config *c, struct lz_users *us, const char *name)
{
	const char *role = lz_config_str(c, "role");
	const char *member = lz_config_str(c, "member");
	struct lz_user u;
	int rc;

	if (role == NULL || lz_user_role_bits(role) == 0) {
		fprintf(stderr, "lz-ctl: user add needs --role operator, "
				"member, driver, rider, relay or processor\n");
		return 2;
	}
	if (member && !lz_valid_id(member)) {
		fprintf(stderr, "lz-ctl: bad --member (1-64 of A-Z a-z 0-9 . "
				"_ -)\n");
		return 2;
	}
	if (member == NULL && lz_user_role_needs_member(role)) {
		fprintf(stderr, "lz-ctl: a %s user needs --member\n", role);
		return 2;
	}
	if (lz_users_by_name(us, name) || partner_named(c, name)) {
		fprintf(stderr,
			"lz-ctl: %s is already a user or a partner (they "
			"share names)\n",
			name);
		return 1;
	}
	memset(&u, 0, sizeof(u));
	if ((rc = set_password(c, &u)) != 0)
		return rc;
	u.p.id = xstrdup(name);
	u.p.member = xstrdup(member ? member : "");
	u.p.roles = lz_user_role_bits(role);
	snprintf(u.role, sizeof(u.role), "%s", role);
	us->v = xrealloc(us->v, sizeof(*us->v) * (us->n + 1));
	us->v[us->n++] = u;
	return 0;
}

static void
user_list(const struct lz_users *us)
{
	printf("%-24s %-10s %s\n", "NAME", "ROLE", "MEMBER");
	for (size_t i = 0; i < us->n; i++)
		printf("%-24s %-10s %s\n", us->v[i].p.id, us->v[i].role,
		       us->v[i].p.member[0] ? us->v[i].p.member : "-");
}

int
ctl_user(const struct lz_config *c)
{
	const char *verb = lz_config_arg(c, 1), *name = lz_config_arg(c, 2);
	const char *path = lz_config_str(c, "users");
	struct lz_users *us = NULL;
	struct lz_user *u;
	char err[512];
	int rc = 0;

	if (verb == NULL || (strcmp(verb, "list") != 0 &&
			     (name == NULL || lz_config_arg(c, 3)))) {
		fprintf(stderr, "lz-ctl: say user add NAME, user passwd NAME, "
				"user remove NAME or user list\n");
		return 2;
	}
	if (name && !lz_valid_id(name)) {
		fprintf(stderr, "lz-ctl: bad user name (1-64 of A-Z a-z 0-9 . "
				"_ -)\n");
		return 2;
	}
	if (lz_users_load(path, strcmp(verb, "add") == 0, &us, err,
			  sizeof(err)) < 0) {
		fprintf(stderr, "lz-ctl: %s\n", err);
		return 1;
	}
	if (strcmp(verb, "list") == 0) {
		user_list(us);
		lz_users_destroy(&us);
		return 0;
	}
	u = lz_users_by_name(us, name);
	if (strcmp(verb, "add") == 0) {
		rc = user_add(c, us, name);
	} else if (strcmp(verb, "passwd") == 0 || strcmp(verb, "remove") == 0) {
		if (u == NULL) {
			fprintf(stderr, "lz-ctl: no user %s in %s\n", name,
				path);
			rc = 1;
		} else if (verb[0] == 'p') {
			rc = set_password(c, u);
		} else {
			free(u->p.id);
			free(u->p.member);
			memmove(u, u + 1,
				sizeof(*u) * (us->n - (size_t)(u - us->v) - 1));
			us->n--;
		}
	} else {
		fprintf(stderr, "lz-ctl: unknown user command %s\n", verb);
		rc = 2;
	}
	if (rc == 0 && lz_users_save(us, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "lz-ctl: %s\n", err);
		rc = 1;
	}
	if (rc == 0)
		printf("%s: user %s %s\n", path, name,
		       verb[0] == 'a'   ? "added"
		       : verb[0] == 'p' ? "has a new password"
					: "removed");
	lz_users_destroy(&us);
	return rc;
}
