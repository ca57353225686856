/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_partners.c -- see lz_partners.h.
 */
#include "lz_partners.h"

#include "lz_util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static const struct {
	const char *name;
	unsigned bit;
} role_names[] = {
	{"shipper", LZ_ROLE_SHIPPER},   {"receiver", LZ_ROLE_RECEIVER},
	{"driver", LZ_ROLE_DRIVER},     {"rider", LZ_ROLE_RIDER},
	{"relay", LZ_ROLE_RELAY},       {"processor", LZ_ROLE_PROCESSOR},
	{"operator", LZ_ROLE_OPERATOR},
};

int
lz_partners_parse_roles(const char *list, unsigned *out, char *bad,
			size_t badlen)
{
	const char *p = list;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t i;

		for (i = 0; i < LZ_ARRAY_LEN(role_names); i++)
			if (strlen(role_names[i].name) == n &&
			    strncmp(role_names[i].name, p, n) == 0)
				break;
		if (i == LZ_ARRAY_LEN(role_names)) {
			snprintf(bad, badlen, "%.*s", (int)n, p);
			return -1;
		}
		*out |= role_names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	if (*out == 0) {
		snprintf(bad, badlen, "%s", "(none)");
		return -1;
	}
	return 0;
}

void
lz_partners_format_roles(unsigned mask, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < LZ_ARRAY_LEN(role_names); i++) {
		if (!(mask & role_names[i].bit))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
				 role_names[i].name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

void
lz_partners_hash_token(const char *token, char hex[65])
{
	unsigned char h[32];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static void
free_partner(struct lz_partner *p)
{
	free(p->id);
	free(p->member);
}

void
lz_partners_destroy(struct lz_partners **pp)
{
	struct lz_partners *p = *pp;

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		free_partner(&p->v[i]);
	free(p->v);
	free(p);
	*pp = NULL;
}

/* Parses one non-comment line into P; returns NULL or the reason. */
static const char *
parse_line(char *line, struct lz_partner *p, char *bad, size_t badlen)
{
	char *f[6];
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 6)
			return "more than 5 fields";
		f[n++] = t;
	}
	if (n != 5)
		return "want 5 fields: id member roles curve-key token-sha256";
	if (!lz_valid_id(f[0]))
		return "bad partner id (1-64 of A-Z a-z 0-9 . _ -)";
	if (!lz_valid_id(f[1]))
		return "bad member id (1-64 of A-Z a-z 0-9 . _ -)";
	if (lz_partners_parse_roles(f[2], &p->roles, bad, badlen) < 0)
		return "unknown role";
	if (strcmp(f[3], "-") != 0) {
		uint8_t key[32];
		if (strlen(f[3]) != 40 || zmq_z85_decode(key, f[3]) == NULL)
			return "bad CURVE public key (40 Z85 characters)";
		memcpy(p->curve_key, f[3], 41);
	}
	if (strcmp(f[4], "-") != 0) {
		size_t len = 0;
		if (strlen(f[4]) != 64 ||
		    sodium_hex2bin(p->token_hash, 32, f[4], 64, NULL, &len,
				   NULL) != 0 ||
		    len != 32)
			return "bad token hash (64 hex digits)";
		p->has_token = 1;
	}
	p->id = xstrdup(f[0]);
	p->member = xstrdup(f[1]);
	return NULL;
}

int
lz_partners_load(const char *path, struct lz_partners **out, char *err,
		 size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct lz_partners *ps;
	char line[1024];
	int lineno = 0;

	*out = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ps = xcalloc(1, sizeof(*ps));
	while (fgets(line, sizeof(line), f)) {
		struct lz_partner p;
		char bad[64] = "";
		const char *why;
		size_t lead = strspn(line, " \t\r\n");

		lineno++;
		/* Only whole lines are comments: '#' is a Z85 digit. */
		if (line[lead] == '\0' || line[lead] == '#')
			continue;
		memset(&p, 0, sizeof(p));
		if ((why = parse_line(line, &p, bad, sizeof(bad))) != NULL) {
			snprintf(err, errlen, "%s:%d: %s%s%s", path, lineno,
				 why, bad[0] ? ": " : "", bad);
			free_partner(&p);
			goto fail;
		}
		if (lz_partners_by_id(ps, p.id) ||
		    (p.curve_key[0] && lz_partners_by_key(ps, p.curve_key))) {
			snprintf(err, errlen, "%s:%d: partner id or key %s",
				 path, lineno, "listed twice");
			free_partner(&p);
			goto fail;
		}
		ps->v = xrealloc(ps->v, sizeof(*ps->v) * (ps->n + 1));
		ps->v[ps->n++] = p;
	}
	fclose(f);
	*out = ps;
	return 0;
fail:
	fclose(f);
	lz_partners_destroy(&ps);
	return -1;
}

struct lz_partner *
lz_partners_by_id(const struct lz_partners *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].id, id) == 0)
			return &p->v[i];
	return NULL;
}

struct lz_partner *
lz_partners_by_key(const struct lz_partners *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].curve_key[0] && strcmp(p->v[i].curve_key, key) == 0)
			return &p->v[i];
	return NULL;
}

struct lz_partner *
lz_partners_by_token(const struct lz_partners *p, const char *token)
{
	unsigned char h[32];
	struct lz_partner *found = NULL;

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	/* Look at every entry, in constant time per entry. */
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].has_token &&
		    sodium_memcmp(p->v[i].token_hash, h, 32) == 0)
			found = &p->v[i];
	return found;
}

int
lz_partners_rate_allow(struct lz_partner *p, double rate, double burst,
		       int64_t now_us)
{
	if (p->refill_us == 0) {
		p->tokens = burst;
		p->refill_us = now_us;
	}
	p->tokens += (double)(now_us - p->refill_us) * rate / 1e6;
	if (p->tokens > burst)
		p->tokens = burst;
	p->refill_us = now_us;
	if (p->tokens < 1.0)
		return 0;
	p->tokens -= 1.0;
	return 1;
}
