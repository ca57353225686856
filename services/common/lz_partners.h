/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_partners.h -- the partners file: who may talk to the gateway, as which
 * member, with which roles, and how they prove it.  Read by lz-gateway
 * (and again on SIGHUP), written by `lz-ctl partner add` and `lz-sim
 * setup`.
 *
 * Format: one partner per line, five fields separated by blanks; a line
 * whose first non-blank character is '#' is a comment ('#' is also a Z85
 * digit, so comments cannot follow fields); '-' stands for an absent key or
 * token.
 *
 *   # id        member    roles              curve-public-key  token-sha256
 *   bakery-app  fournil   shipper            rq:rM>}U?@Lns...  9f86d081884c7d65...
 *   hub-ops     livrazou  operator,receiver  -                 2c26b46b68ffc68f...
 *
 * The CURVE key is the partner's public key in Z85 (40 characters); the
 * token field is the hex SHA-256 of the partner's HTTP bearer token (the
 * token itself is never stored).  `lz-ctl partner add` appends lines.
 */
#ifndef LZ_PARTNERS_H
#define LZ_PARTNERS_H

#include <stddef.h>
#include <stdint.h>

enum lz_role {
	LZ_ROLE_SHIPPER = 1u << 0,
	LZ_ROLE_RECEIVER = 1u << 1,
	LZ_ROLE_DRIVER = 1u << 2,
	LZ_ROLE_RIDER = 1u << 3,
	LZ_ROLE_RELAY = 1u << 4,
	LZ_ROLE_PROCESSOR = 1u << 5,
	LZ_ROLE_OPERATOR = 1u << 6,
};

struct lz_partner {
	char *id;
	char *member;
	unsigned roles;
	char curve_key[41]; /* Z85, "" when none */
	unsigned char token_hash[32];
	int has_token;
	/* token bucket of the rate limit */
	double tokens;
	int64_t refill_us;
};

struct lz_partners {
	struct lz_partner *v;
	size_t n;
};

/* Parses a comma-separated list of role names into a bit set; returns -1
 * and the first unknown name in BAD (BADLEN bytes) if one is unknown. */
int lz_partners_parse_roles(const char *list, unsigned *out, char *bad,
			    size_t badlen);
/* Writes the roles of MASK as a comma-separated list into BUF. */
void lz_partners_format_roles(unsigned mask, char *buf, size_t len);

/* Reads the partners file PATH.  Returns 0 and *OUT (caller destroys), or
 * -1 with "path:line: reason" in ERR. */
int lz_partners_load(const char *path, struct lz_partners **out, char *err,
		     size_t errlen);
void lz_partners_destroy(struct lz_partners **pp);

/* The partner of P with id ID, key KEY or token TOKEN, or NULL.  The
 * partner belongs to P and lives as long as it does. */
struct lz_partner *lz_partners_by_id(const struct lz_partners *p,
				     const char *id);
/* KEY is a Z85 public key. */
struct lz_partner *lz_partners_by_key(const struct lz_partners *p,
				      const char *key);
/* TOKEN is the bearer token as sent; compared by its SHA-256 in constant
 * time. */
struct lz_partner *lz_partners_by_token(const struct lz_partners *p,
					const char *token);

/* Hex SHA-256 of TOKEN into HEX (65 bytes). */
void lz_partners_hash_token(const char *token, char hex[65]);

/* Takes one token from P's bucket, refilled at RATE per second up to
 * BURST; returns 1 if allowed, 0 if over the rate.  NOW_US: monotonic. */
int lz_partners_rate_allow(struct lz_partner *p, double rate, double burst,
			   int64_t now_us);

#endif
