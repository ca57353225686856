/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_users.h -- the users file: the people who log in to the web
 * application (hub operators, members' staff, drivers, riders, relay
 * points, processors), each with one role, a member and a password hash.
 * Read by lz-gateway (and again on SIGHUP), written by `lz-ctl user`.
 *
 * Format: one user per line, four fields separated by blanks; a line whose
 * first non-blank character is '#' is a comment; '-' is "no member".
 *
 *   # name   role      member     argon2id password hash
 *   marie    operator  livrazou   $argon2id$v=19$m=65536,t=2,p=1$...
 *   paul     driver    -          $argon2id$v=19$m=65536,t=2,p=1$...
 *
 * A user acts exactly like a partner with the roles of its role (below):
 * its name is the actor of its commands, so a user and a partner never
 * share a name.  Passwords are stored as libsodium's crypto_pwhash_str
 * (Argon2id) strings, never in clear.
 */
#ifndef LZ_USERS_H
#define LZ_USERS_H

#include "lz_partners.h"

#include <stddef.h>

/* The longest hash string crypto_pwhash_str writes, with its NUL. */
#define LZ_USER_HASH_MAX 128
#define LZ_PASSWORD_MIN 8
#define LZ_PASSWORD_MAX 256

struct lz_user {
	struct lz_partner p; /* id = the user's name; roles from ROLE */
	char role[16];       /* operator, member, driver, rider, ... */
	char hash[LZ_USER_HASH_MAX];
};

struct lz_users {
	struct lz_user *v;
	size_t n;
};

/* The partner roles (lz_partners.h bits) of user role NAME, or 0 when NAME
 * is not one: operator (operator, receiver), member (shipper), driver,
 * rider, relay, processor. */
unsigned lz_user_role_bits(const char *name);
/* Whether user role NAME needs a member (member, relay, processor). */
int lz_user_role_needs_member(const char *name);

/* Reads the users file PATH; a file that does not exist is an empty set
 * when MISSING_OK.  Returns 0 and *OUT (caller destroys), or -1 with
 * "path:line: reason" in ERR. */
int lz_users_load(const char *path, int missing_ok, struct lz_users **out,
		  char *err, size_t errlen);
void lz_users_destroy(struct lz_users **up);
struct lz_user *lz_users_by_name(const struct lz_users *u, const char *name);

/* Writes U to PATH atomically (a temporary file renamed over it, mode
 * 0640).  Returns 0, or -1 with the reason in ERR. */
int lz_users_save(const struct lz_users *u, const char *path, char *err,
		  size_t errlen);

/* Checks PASSWORD against the policy: NULL when acceptable, else why. */
const char *lz_password_problem(const char *password);
/* Hashes PASSWORD (Argon2id, libsodium's interactive limits) into OUT.
 * Returns 0, or -1 when out of memory. */
int lz_password_hash(const char *password, char out[LZ_USER_HASH_MAX]);
/* 1 when PASSWORD is U's; 0 otherwise.  With U NULL (an unknown name) it
 * still spends the time of one verification, so that timing does not tell
 * which names exist, and answers 0. */
int lz_user_verify(const struct lz_user *u, const char *password);

#endif
