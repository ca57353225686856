/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_users.c -- see lz_users.h.
 */
#include "lz_users.h"

#include "lz_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(crypto_pwhash_STRBYTES <= LZ_USER_HASH_MAX,
	       "hash buffer too small");

static const struct {
	const char *name;
	unsigned bits;
	int needs_member;
} roles[] = {
	{"operator", LZ_ROLE_OPERATOR | LZ_ROLE_RECEIVER, 0},
	{"member", LZ_ROLE_SHIPPER, 1},
	{"driver", LZ_ROLE_DRIVER, 0},
	{"rider", LZ_ROLE_RIDER, 0},
	{"relay", LZ_ROLE_RELAY, 1},
	{"processor", LZ_ROLE_PROCESSOR, 1},
};

unsigned
lz_user_role_bits(const char *name)
{
	for (size_t i = 0; name && i < LZ_ARRAY_LEN(roles); i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].bits;
	return 0;
}

int
lz_user_role_needs_member(const char *name)
{
	for (size_t i = 0; name && i < LZ_ARRAY_LEN(roles); i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].needs_member;
	return 0;
}

static void
free_user(struct lz_user *u)
{
	free(u->p.id);
	free(u->p.member);
	sodium_memzero(u->hash, sizeof(u->hash));
}

void
lz_users_destroy(struct lz_users **up)
{
	struct lz_users *u = *up;

	if (u == NULL)
		return;
	for (size_t i = 0; i < u->n; i++)
		free_user(&u->v[i]);
	free(u->v);
	free(u);
	*up = NULL;
}

struct lz_user *
lz_users_by_name(const struct lz_users *u, const char *name)
{
	for (size_t i = 0; u && name && i < u->n; i++)
		if (strcmp(u->v[i].p.id, name) == 0)
			return &u->v[i];
	return NULL;
}

/* Parses one non-comment line into U; returns NULL or the reason. */
static const char *
parse_line(char *line, struct lz_user *u)
{
	char *f[5], *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 5)
			return "more than 4 fields";
		f[n++] = t;
	}
	if (n != 4)
		return "want 4 fields: name role member password-hash";
	if (!lz_valid_id(f[0]))
		return "bad user name (1-64 of A-Z a-z 0-9 . _ -)";
	if ((u->p.roles = lz_user_role_bits(f[1])) == 0)
		return "unknown role (operator, member, driver, rider, relay, "
		       "processor)";
	if (strcmp(f[2], "-") != 0 && !lz_valid_id(f[2]))
		return "bad member id (1-64 of A-Z a-z 0-9 . _ -, or -)";
	if (strcmp(f[2], "-") == 0 && lz_user_role_needs_member(f[1]))
		return "this role needs a member";
	if (strncmp(f[3], "$argon2id$", 10) != 0 ||
	    strlen(f[3]) >= sizeof(u->hash))
		return "bad password hash (an Argon2id string, from lz-ctl "
		       "user)";
	snprintf(u->role, sizeof(u->role), "%s", f[1]);
	memcpy(u->hash, f[3], strlen(f[3]) + 1);
	u->p.id = xstrdup(f[0]);
	u->p.member = xstrdup(strcmp(f[2], "-") == 0 ? "" : f[2]);
	return NULL;
}

int
lz_users_load(const char *path, int missing_ok, struct lz_users **out,
	      char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct lz_users *us = xcalloc(1, sizeof(*us));
	char line[1024];
	int lineno = 0;

	*out = NULL;
	if (f == NULL) {
		if (errno == ENOENT && missing_ok) {
			*out = us;
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(us);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct lz_user u;
		const char *why;
		size_t lead = strspn(line, " \t\r\n");

		lineno++;
		if (line[lead] == '\0' || line[lead] == '#')
			continue;
		memset(&u, 0, sizeof(u));
		if ((why = parse_line(line, &u)) != NULL ||
		    (lz_users_by_name(us, u.p.id) &&
		     (why = "user listed twice"))) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			free_user(&u);
			fclose(f);
			lz_users_destroy(&us);
			return -1;
		}
		us->v = xrealloc(us->v, sizeof(*us->v) * (us->n + 1));
		us->v[us->n++] = u;
	}
	sodium_memzero(line, sizeof(line));
	fclose(f);
	*out = us;
	return 0;
}

int
lz_users_save(const struct lz_users *u, const char *path, char *err,
	      size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "# Livrazou users (lz-ctl user): name role member "
		   "argon2id-hash\n");
	for (size_t i = 0; i < u->n; i++)
		fprintf(f, "%s %s %s %s\n", u->v[i].p.id, u->v[i].role,
			u->v[i].p.member[0] ? u->v[i].p.member : "-",
			u->v[i].hash);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

const char *
lz_password_problem(const char *password)
{
	size_t n = password ? strlen(password) : 0;

	if (n < LZ_PASSWORD_MIN)
		return "a password has at least 8 characters";
	if (n > LZ_PASSWORD_MAX)
		return "a password has at most 256 characters";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)password[i] < 0x20 || password[i] == 0x7f)
			return "a password has no control characters";
	return NULL;
}

int
lz_password_hash(const char *password, char out[LZ_USER_HASH_MAX])
{
	return crypto_pwhash_str_alg(out, password, strlen(password),
				     crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE,
				     crypto_pwhash_ALG_ARGON2ID13) == 0
		       ? 0
		       : -1;
}

int
lz_user_verify(const struct lz_user *u, const char *password)
{
	static char dummy[LZ_USER_HASH_MAX];

	if (password == NULL || strlen(password) > LZ_PASSWORD_MAX)
		return 0;
	if (u == NULL) {
		if (dummy[0] == '\0' && lz_password_hash("-", dummy) != 0)
			return 0;
		/* The answer is "no" whatever this one says. */
		if (crypto_pwhash_str_verify(dummy, password,
					     strlen(password)) != 0)
			return 0;
		return 0;
	}
	return crypto_pwhash_str_verify(u->hash, password, strlen(password)) ==
	       0;
}
