/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench-zmq-raw -- the ceiling for bench-bus: raw libzmq PUSH/PULL
 * throughput over TCP loopback, one message of SIZE bytes at a time, no
 * persistence.  Prints "raw_zmq_msgs_per_s=N".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct args {
	void *ctx;
	const char *ep;
	long n;
	size_t size;
};

static void *
pusher(void *arg)
{
	struct args *a = arg;
	void *s = zmq_socket(a->ctx, ZMQ_PUSH);
	char *buf = calloc(1, a->size);

	zmq_connect(s, a->ep);
	for (long i = 0; i < a->n; i++)
		zmq_send(s, buf, a->size, 0);
	zmq_close(s);
	free(buf);
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct args a;
	pthread_t t;
	char *buf;
	double t0;
	void *pull;

	if (argc != 4) {
		fprintf(stderr, "usage: bench-zmq-raw ENDPOINT COUNT SIZE\n");
		return 2;
	}
	a.ctx = zmq_ctx_new();
	a.ep = argv[1];
	a.n = atol(argv[2]);
	a.size = (size_t)atol(argv[3]);
	pull = zmq_socket(a.ctx, ZMQ_PULL);
	if (zmq_bind(pull, a.ep) < 0) {
		perror("bind");
		return 1;
	}
	buf = malloc(a.size + 1);
	pthread_create(&t, NULL, pusher, &a);
	zmq_recv(pull, buf, a.size, 0);
	t0 = now();
	for (long i = 1; i < a.n; i++)
		zmq_recv(pull, buf, a.size, 0);
	printf("raw_zmq_msgs_per_s=%.0f\n", (double)(a.n - 1) / (now() - t0));
	pthread_join(t, NULL);
	zmq_close(pull);
	zmq_ctx_term(a.ctx);
	free(buf);
	return 0;
}
