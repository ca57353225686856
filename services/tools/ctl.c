/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz-ctl -- the operators' command-line client.
 *
 *   lz-ctl keygen [--out FILE]             make a CURVE key pair
 *   lz-ctl partner add --partners FILE --id ID --member M --roles R,R
 *          [--public-key Z85]              add a partner, print its token
 *   lz-ctl user add NAME --role ROLE [--member M] [--password-file F]
 *   lz-ctl user passwd NAME | user remove NAME | user list
 *                                          the web application's users
 *                                          (ctl_user.c)
 *   lz-ctl submit --type T --json '{...}' --key FILE --server-key Z85
 *          [--gateway EP] [--msg-id ID]    send a command as a partner
 *   lz-ctl [--config FILE] health          /healthz and /readyz of every
 *                                          daemon the file configures
 *   lz-ctl impact [--from D] [--to D] [--member M] [--format F]
 *          [--impact-api HOST:PORT] [--out FILE]
 *                                          an impact report (json, csv or
 *                                          html) from lz-impact
 *
 * With --config FILE (a deployment's livrazou.ini), every subcommand takes
 * the deployment's addresses and files from the daemons' sections, the
 * command line still winning: --gateway from [gateway] zmq, --server-key
 * from [gateway] server-key, --partners from [gateway] partners,
 * --users from [gateway] users, --impact-api from [impact] admin, the admin addresses from every
 * section's admin.
 */
#include "ctl_user.h"
#include "lz/gateway/v1/gateway.pb-c.h"
#include "lz_client.h"
#include "lz_config.h"
#include "lz_json.h"
#include "lz_log.h"
#include "lz_partners.h"
#include "lz_registry.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <arpa/inet.h>
#include <event2/http.h>
#include <errno.h>
#include <ini.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

static const struct lz_option options[] = {
	{"out", LZ_OPT_STRING, NULL,
	 "keygen: write the key pair to this file (mode 0600); impact: write "
	 "the report to this file",
	 0, 0},
	{"partners", LZ_OPT_STRING, "/etc/livrazou/partners",
	 "partner add: the partners file (with --config: [gateway] partners)",
	 0, 0},
	{"id", LZ_OPT_STRING, NULL, "partner add: partner id", 0, 0},
	{"users", LZ_OPT_STRING, "/etc/livrazou/users",
	 "user: the users file (with --config: [gateway] users)", 0, 0},
	{"role", LZ_OPT_STRING, NULL,
	 "user add: operator, member, driver, rider, relay or processor", 0, 0},
	{"password-file", LZ_OPT_STRING, NULL,
	 "user add, passwd: read the password from this file's first line "
	 "(default: standard input, asked twice on a terminal)",
	 0, 0},
	{"member", LZ_OPT_STRING, NULL,
	 "partner add, user add: the member; impact: the member reported on "
	 "(default: the whole association)",
	 0, 0},
	{"roles", LZ_OPT_STRING, NULL,
	 "partner add: shipper, receiver, driver, rider, relay, processor, "
	 "operator (comma-separated)",
	 0, 0},
	{"public-key", LZ_OPT_STRING, NULL,
	 "partner add: the partner's CURVE public key (Z85)", 0, 0},
	{"no-token", LZ_OPT_FLAG, "false",
	 "partner add: no HTTP token (ZeroMQ only)", 0, 0},
	{"gateway", LZ_OPT_STRING, "tcp://127.0.0.1:7000",
	 "submit: the gateway's ZeroMQ endpoint (with --config: [gateway] "
	 "zmq)",
	 0, 0},
	{"key", LZ_OPT_STRING, NULL, "submit: the partner's key pair file", 0,
	 0},
	{"server-key", LZ_OPT_STRING, NULL,
	 "submit: the gateway's public key (Z85) or key file (with --config: "
	 "[gateway] server-key, of which only the public key is read)",
	 0, 0},
	{"type", LZ_OPT_STRING, NULL, "submit: command type", 0, 0},
	{"json", LZ_OPT_STRING, NULL,
	 "submit: the command as proto3 JSON ('-': read standard input)", 0, 0},
	{"msg-id", LZ_OPT_STRING, NULL,
	 "submit: client_msg_id (default: random)", 0, 0},
	{"timeout", LZ_OPT_INT, "10", "submit: seconds to wait for the Ack", 1,
	 3600},
	{"impact-api", LZ_OPT_STRING, "127.0.0.1:7187",
	 "impact: lz-impact's admin address (with --config: [impact] admin)", 0,
	 0},
	{"from", LZ_OPT_STRING, NULL,
	 "impact: first local date of the period, YYYY-MM-DD (default: today)",
	 0, 0},
	{"to", LZ_OPT_STRING, NULL,
	 "impact: last local date of the period (default: --from)", 0, 0},
	{"format", LZ_OPT_STRING, "json", "impact: json, csv or html", 0, 0},
	{NULL, 0, NULL, NULL, 0, 0},
};

/* What `lz-ctl SUBCOMMAND --help` prints: each subcommand's synopsis,
 * summary and options. */
static const struct lz_subcommand subcommands[] = {
	{"keygen", "[--out FILE]",
	 "Makes a CURVE key pair (Z85) and prints it, or writes it to --out "
	 "(mode 0600) and prints its public key.",
	 (const char *const[]){"out", NULL}},
	{"partner",
	 "add --id ID --member M --roles R,R [--public-key Z85] [--no-token] "
	 "[--partners FILE]",
	 "Adds a partner to the partners file, with its roles and its CURVE "
	 "public key, and prints its HTTP token once (only its hash is "
	 "kept).  The gateway reads the file again on SIGHUP.",
	 (const char *const[]){"partners", "id", "member", "roles",
			       "public-key", "no-token", NULL}},
	{"user", ctl_user_usage, ctl_user_summary, ctl_user_options},
	{"submit",
	 "--type T --json JSON --key FILE --server-key Z85 [--gateway EP] "
	 "[--msg-id ID] [--timeout N]",
	 "Sends one command to the gateway as the partner whose key pair "
	 "--key holds, prints the Ack as JSON, and exits 1 if the command "
	 "was rejected.",
	 (const char *const[]){"type", "json", "key", "server-key", "gateway",
			       "msg-id", "timeout", NULL}},
	{"health", "[--config FILE]",
	 "Asks every daemon the --config file configures (or every daemon "
	 "at its default port) for /healthz and /readyz, prints one line "
	 "each, and exits 1 if one is down or not ready.",
	 (const char *const[]){NULL}},
	{"impact",
	 "[--from D] [--to D] [--member M] [--format F] [--impact-api "
	 "HOST:PORT] [--out FILE]",
	 "Prints lz-impact's report of a period (json, csv or html), for the "
	 "whole association or one member; exits 1 when lz-impact refuses, "
	 "2 when it does not answer.",
	 (const char *const[]){"from", "to", "member", "format", "impact-api",
			       "out", NULL}},
	{NULL, NULL, NULL, NULL},
};

struct keypair {
	char pub[41], sec[41];
};

static int
keygen(const struct lz_config *c)
{
	struct keypair k;
	const char *out = lz_config_str(c, "out");
	FILE *f = stdout;
	int fd;

	if (zmq_curve_keypair(k.pub, k.sec) != 0) {
		fprintf(stderr, "lz-ctl: CURVE is not available in libzmq\n");
		return 1;
	}
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "lz-ctl: %s: %s\n", out,
				strerror(errno));
			return 1;
		}
	}
	fprintf(f,
		"# Livrazou CURVE key pair: keep secret-key secret\n"
		"public-key = %s\nsecret-key = %s\n",
		k.pub, k.sec);
	if (out) {
		fclose(f);
		printf("public-key = %s\n", k.pub);
	}
	sodium_memzero(&k, sizeof(k));
	return 0;
}

static int
partner_add(const struct lz_config *c)
{
	const char *path = lz_config_str(c, "partners");
	const char *id = lz_config_str(c, "id");
	const char *member = lz_config_str(c, "member");
	const char *roles = lz_config_str(c, "roles");
	const char *key = lz_config_str(c, "public-key");
	struct lz_partners *ps = NULL;
	unsigned mask;
	char bad[64], err[512], hash[65] = "-", token[65] = "";
	unsigned char raw[32], dummy[32];
	FILE *f;

	if (!id || !member || !roles) {
		fprintf(stderr, "lz-ctl: partner add needs --id, --member and "
				"--roles\n");
		return 2;
	}
	if (lz_partners_parse_roles(roles, &mask, bad, sizeof(bad)) < 0) {
		fprintf(stderr, "lz-ctl: unknown role %s\n", bad);
		return 2;
	}
	if (key && (strlen(key) != 40 || zmq_z85_decode(dummy, key) == NULL)) {
		fprintf(stderr, "lz-ctl: --public-key must be 40 Z85 "
				"characters\n");
		return 2;
	}
	if (access(path, F_OK) == 0 &&
	    lz_partners_load(path, &ps, err, sizeof(err)) < 0) {
		fprintf(stderr, "lz-ctl: %s\n", err);
		return 1;
	}
	if (ps && (lz_partners_by_id(ps, id) ||
		   (key && lz_partners_by_key(ps, key)))) {
		fprintf(stderr,
			"lz-ctl: partner %s or its key is already in "
			"%s\n",
			id, path);
		lz_partners_destroy(&ps);
		return 1;
	}
	lz_partners_destroy(&ps);
	if (!lz_config_flag(c, "no-token")) {
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
		lz_partners_hash_token(token, hash);
	}
	f = fopen(path, "a");
	if (f == NULL) {
		fprintf(stderr, "lz-ctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(f, "%s %s %s %s %s\n", id, member, roles, key ? key : "-",
		hash);
	if (fclose(f) != 0) {
		fprintf(stderr, "lz-ctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Validate what we wrote as the gateway will read it. */
	if (lz_partners_load(path, &ps, err, sizeof(err)) < 0) {
		fprintf(stderr, "lz-ctl: %s\n", err);
		return 1;
	}
	lz_partners_destroy(&ps);
	if (token[0])
		printf("token = %s\n# shown once: give it to the partner; only "
		       "its hash is kept\n",
		       token);
	return 0;
}

static char *
read_all(FILE *f)
{
	size_t cap = 4096, n = 0, r;
	char *buf = xmalloc(cap);

	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	return buf;
}

static int
submit(const struct lz_config *c)
{
	const char *type = lz_config_str(c, "type");
	const char *text = lz_config_str(c, "json");
	const char *server = lz_config_str(c, "server-key");
	struct lz_client_ack ack;
	struct lz_client *cl;
	char err[512], *input = NULL, *out;
	int rc;

	if (!type || !text || !lz_config_str(c, "key") || !server) {
		fprintf(stderr,
			"lz-ctl: submit needs --type, --json, --key and "
			"--server-key\n");
		return 2;
	}
	if (lz_registry_find(type) == NULL) {
		fprintf(stderr, "lz-ctl: unknown type %s\n", type);
		return 2;
	}
	cl = lz_client_new(lz_config_str(c, "gateway"), lz_config_str(c, "key"),
			   server, err, sizeof(err));
	if (cl == NULL) {
		fprintf(stderr, "lz-ctl: %s\n", err);
		return 1;
	}
	if (strcmp(text, "-") == 0)
		text = input = read_all(stdin);
	rc = lz_client_submit_json(cl, type, text, lz_config_str(c, "msg-id"),
				   (int)lz_config_int(c, "timeout") * 1000, 0,
				   &ack, err, sizeof(err));
	free(input);
	if (rc == -ETIMEDOUT)
		lz_client_explain(cl, err, sizeof(err));
	lz_client_destroy(&cl);
	if (rc == -EBADMSG || rc == -EINVAL) {
		fprintf(stderr, "lz-ctl: --json: %s\n", err);
		return 2;
	}
	if (rc == -ETIMEDOUT) {
		fprintf(stderr,
			"lz-ctl: no answer from the gateway at %s within "
			"%lld s: %s\n",
			lz_config_str(c, "gateway"),
			lz_config_int(c, "timeout"), err);
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "lz-ctl: undecodable answer\n");
		return 1;
	}
	out = ack.json ? json_dumps(ack.json, JSON_COMPACT) : NULL;
	printf("%s\n", out ? out : "{}");
	free(out);
	json_decref(ack.json);
	return ack.status == LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_REJECTED;
}

/* ---- health ---- */

struct daemon {
	char name[64];
	char admin[128];
};

struct daemons {
	struct daemon v[32];
	int n;
};

static const struct daemon default_daemons[] = {
	{"bus", "127.0.0.1:7180"},     {"gateway", "127.0.0.1:7181"},
	{"orders", "127.0.0.1:7182"},  {"inventory", "127.0.0.1:7183"},
	{"tours", "127.0.0.1:7184"},   {"bikes", "127.0.0.1:7185"},
	{"returns", "127.0.0.1:7186"}, {"impact", "127.0.0.1:7187"},
};

static int
on_ini_admin(void *user, const char *section, const char *name,
	     const char *value)
{
	struct daemons *d = user;

	if (strcmp(name, "admin") != 0 || d->n == (int)LZ_ARRAY_LEN(d->v))
		return 1;
	snprintf(d->v[d->n].name, sizeof(d->v[d->n].name), "%s", section);
	snprintf(d->v[d->n].admin, sizeof(d->v[d->n].admin), "%s", value);
	d->n++;
	return 1;
}

/* GET PATH from ADDR; returns the status code (0 when the daemon does not
 * answer) and the first line of the body in BODY. */
static int
http_get(const char *addr, const char *path, char *body, size_t bodylen)
{
	char *all = NULL;
	int code = lz_client_http_get(addr, path, 2000, &all);

	snprintf(body, bodylen, "%.*s", all ? (int)strcspn(all, "\r\n") : 0,
		 all ? all : "");
	free(all);
	return code;
}

static int
health(const struct lz_config *c)
{
	const char *path = lz_config_str(c, "config");
	struct daemons d;
	int bad = 0;

	memset(&d, 0, sizeof(d));
	if (path && ini_parse(path, on_ini_admin, &d) != 0) {
		fprintf(stderr, "lz-ctl: cannot read %s\n", path);
		return 2;
	}
	if (path == NULL) {
		d.n = (int)LZ_ARRAY_LEN(default_daemons);
		memcpy(d.v, default_daemons, sizeof(default_daemons));
	}
	printf("%-12s %-22s %-8s %s\n", "daemon", "admin", "health", "ready");
	for (int i = 0; i < d.n; i++) {
		char hb[256], rb[256];
		int h = http_get(d.v[i].admin, "/healthz", hb, sizeof(hb));
		int r = h ? http_get(d.v[i].admin, "/readyz", rb, sizeof(rb))
			  : 0;

		printf("%-12s %-22s %-8s %s\n", d.v[i].name, d.v[i].admin,
		       h == 200 ? "ok"
		       : h      ? "failing"
				: "down",
		       r == 200 ? "ready"
		       : r      ? rb
				: "-");
		bad |= h != 200 || r != 200;
	}
	return bad;
}

/* Appends "&NAME=VALUE" (VALUE percent-encoded) to PATH when VALUE is
 * set. */
static void
query_param(char *path, size_t len, const char *name, const char *value)
{
	char *enc;

	if (value == NULL || value[0] == '\0')
		return;
	enc = evhttp_encode_uri(value);
	snprintf(path + strlen(path), len - strlen(path), "&%s=%s", name,
		 enc ? enc : "");
	free(enc);
}

/* lz-ctl impact: GET /v1/report from lz-impact, body to stdout or --out;
 * 1 when the service refuses (its error on stderr), 2 when unreachable. */
static int
impact(const struct lz_config *c)
{
	const char *fmt = lz_config_str(c, "format");
	const char *out = lz_config_str(c, "out");
	char path[1024] = "/v1/report?format=";
	char *body = NULL;
	FILE *f = stdout;
	int code, rc = 0;

	if (strcmp(fmt, "json") != 0 && strcmp(fmt, "csv") != 0 &&
	    strcmp(fmt, "html") != 0) {
		fprintf(stderr, "lz-ctl: --format: json, csv or html\n");
		return 2;
	}
	strcat(path, fmt);
	query_param(path, sizeof(path), "from", lz_config_str(c, "from"));
	query_param(path, sizeof(path), "to", lz_config_str(c, "to"));
	query_param(path, sizeof(path), "member", lz_config_str(c, "member"));
	code = lz_client_http_get(lz_config_str(c, "impact-api"), path, 60000,
				  &body);
	if (code == 0) {
		fprintf(stderr, "lz-ctl: no answer from lz-impact at %s\n",
			lz_config_str(c, "impact-api"));
		return 2;
	}
	if (code != 200) {
		fprintf(stderr, "lz-ctl: lz-impact answered %d: %s\n", code,
			body ? body : "");
		free(body);
		return 1;
	}
	if (out && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "lz-ctl: cannot write %s: %s\n", out,
			strerror(errno));
		free(body);
		return 2;
	}
	if (fputs(body, f) == EOF || (out && fclose(f) != 0))
		rc = 2;
	free(body);
	return rc;
}

int
main(int argc, char **argv)
{
	struct lz_config *cfg = lz_config_new(
		"lz-ctl", "ctl",
		"keygen | partner add | user add|passwd|remove|list | submit | "
		"health | impact [OPTIONS]",
		"Operators' client: make CURVE key pairs, add partners to the "
		"partners file, manage the web application's users (user add "
		"NAME --role R [--member M], user passwd NAME, user remove "
		"NAME, user list; passwords stored as Argon2id hashes), send "
		"commands to the gateway as a partner.  "
		"submit prints the Ack as JSON and exits 1 if the command was "
		"rejected.  health asks every daemon of the --config file (or "
		"of the default ports) for /healthz and /readyz and exits 1 "
		"if one is down or not ready.  impact prints a report of "
		"lz-impact (--from, --to, --member, --format json, csv or "
		"html).  With --config, the endpoints and files not given "
		"on the command line are the deployment's: its [gateway] "
		"zmq, server-key and partners, its [impact] admin.",
		options);
	int rc;
	const char *cmd;

	lz_config_subcommands(cfg, subcommands);
	if ((rc = lz_config_main(&cfg, argc, argv)) >= 0)
		return rc;
	lz_config_init_log(cfg);
	if (sodium_init() < 0)
		lz_fatal("cannot initialise libsodium", NULL);
	/* With --config, the deployment's own addresses and files, unless
	 * given on the command line. */
	lz_config_from_section(cfg, "gateway", "gateway", "zmq");
	lz_config_from_section(cfg, "server-key", "gateway", "server-key");
	lz_config_from_section(cfg, "partners", "gateway", "partners");
	lz_config_from_section(cfg, "users", "gateway", "users");
	lz_config_from_section(cfg, "impact-api", "impact", "admin");
	cmd = lz_config_arg(cfg, 0);
	if (cmd && strcmp(cmd, "keygen") == 0) {
		rc = keygen(cfg);
	} else if (cmd && strcmp(cmd, "partner") == 0 &&
		   lz_config_arg(cfg, 1) &&
		   !strcmp(lz_config_arg(cfg, 1), "add")) {
		rc = partner_add(cfg);
	} else if (cmd && strcmp(cmd, "user") == 0) {
		rc = ctl_user(cfg);
	} else if (cmd && strcmp(cmd, "submit") == 0) {
		rc = submit(cfg);
	} else if (cmd && strcmp(cmd, "health") == 0) {
		rc = health(cfg);
	} else if (cmd && strcmp(cmd, "impact") == 0) {
		rc = impact(cfg);
	} else {
		fprintf(stderr,
			"lz-ctl: say keygen, partner add, user, submit, "
			"health or impact (see --help)\n");
		rc = 2;
	}
	lz_config_destroy(&cfg);
	return rc;
}
