/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_zmq.c -- see lz_zmq.h.
 */
#include "lz_zmq.h"

#include <ini.h>
#include <string.h>
#include <zmq.h>

int
lz_zmq_recv(void *sock, zmq_msg_t *f, int nf)
{
	int n = 0, more = 1;
	size_t ml = sizeof(more);

	while (more) {
		zmq_msg_t x;

		zmq_msg_init(&x);
		/* The first frame may be absent; the others follow it. */
		if (zmq_msg_recv(&x, sock, n ? 0 : ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&x);
			return n;
		}
		if (n < nf)
			zmq_msg_move(&f[n], &x);
		zmq_msg_close(&x);
		n++;
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml);
	}
	return n;
}

struct keys {
	char pub[41], sec[41];
};

static int
on_key_line(void *user, const char *section, const char *name,
	    const char *value)
{
	struct keys *k = user;
	char *dst = strcmp(name, "public-key") == 0   ? k->pub
		    : strcmp(name, "secret-key") == 0 ? k->sec
						      : NULL;

	if (dst == NULL || strlen(value) != 40)
		return 0;
	memcpy(dst, value, 41);
	return 1;
}

int
lz_zmq_keys_read(const char *path, char pub[41], char sec[41])
{
	struct keys k;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = ini_parse(path, on_key_line, &k);
	if (rc != 0 || !k.pub[0] || (sec && !k.sec[0])) {
		memset(&k, 0, sizeof(k));
		return -1;
	}
	memcpy(pub, k.pub, 41);
	if (sec)
		memcpy(sec, k.sec, 41);
	memset(&k, 0, sizeof(k));
	return 0;
}

void
lz_zmq_keys_write(FILE *f, const char *pub, const char *sec)
{
	fprintf(f,
		"# Livrazou CURVE key pair: keep secret-key secret\n"
		"public-key = %s\nsecret-key = %s\n",
		pub, sec);
}
