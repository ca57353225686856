/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * bench-gateway-load -- a partner that submits N PlaceOrder commands over
 * ZeroMQ+CURVE to lz-gateway with WINDOW commands in flight, and measures
 * accepted commands per second and the latency of each Ack.  With --echo it
 * instead runs its own CURVE ROUTER that answers each frame at once: the
 * raw ceiling for the same traffic, measured in the same run.
 *
 *   bench-gateway-load ENDPOINT SERVER_PUBLIC_KEY KEY_FILE N WINDOW [START]
 *   bench-gateway-load --echo ENDPOINT N WINDOW
 *
 * START is the delivery windows' start (seconds since the epoch; default
 * one day from now); the orders go to site "cafe-panier".
 */
#include "lz/gateway/v1/gateway.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz_util.h"
#include "lz_zmq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One Submit frame with a PlaceOrder of three lines (about 200 bytes). */
static size_t
make_frame(uint8_t *buf, size_t cap, long i, int64_t start)
{
	Lz__Orders__V1__PlaceOrder po = LZ__ORDERS__V1__PLACE_ORDER__INIT;
	Lz__Orders__V1__OrderLine l[3], *lp[3];
	Lz__Common__V1__TimeWindow w = LZ__COMMON__V1__TIME_WINDOW__INIT;
	Lz__Gateway__V1__Submit s = LZ__GATEWAY__V1__SUBMIT__INIT;
	static const char *const products[] = {
		"pain de campagne", "tomates anciennes", "yaourt brebis"};
	char ref[32], id[32];
	uint8_t payload[512];

	for (int k = 0; k < 3; k++) {
		lz__orders__v1__order_line__init(&l[k]);
		l[k].product = (char *)products[k];
		l[k].quantity = 4 + k;
		l[k].unit_grams = 500;
		l[k].temperature_class = 1 + k % 2;
		lp[k] = &l[k];
	}
	snprintf(ref, sizeof(ref), "bench-%ld", i);
	snprintf(id, sizeof(id), "m-%ld", i);
	w.start = start;
	w.end = start + 7200;
	po.reference = ref;
	po.destination_site_id = "cafe-panier";
	po.delivery_window = &w;
	po.n_lines = 3;
	po.lines = lp;
	po.source = LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_HUB_STOCK;
	s.client_msg_id = id;
	s.type = "lz.orders.v1.PlaceOrder";
	s.payload.len = lz__orders__v1__place_order__pack(&po, payload);
	s.payload.data = payload;
	if (lz__gateway__v1__submit__get_packed_size(&s) > cap)
		return 0;
	return lz__gateway__v1__submit__pack(&s, buf);
}

struct echo {
	void *ctx;
	const char *ep;
	char sec[41];
	volatile int ready;
};

static void *
echo_server(void *arg)
{
	struct echo *e = arg;
	void *r = zmq_socket(e->ctx, ZMQ_ROUTER);
	int one = 1;

	zmq_setsockopt(r, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(r, ZMQ_CURVE_SECRETKEY, e->sec, 40);
	zmq_bind(r, e->ep);
	e->ready = 1;
	for (;;) {
		zmq_msg_t id, body;
		zmq_msg_init(&id);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&id, r, 0) < 0 ||
		    zmq_msg_recv(&body, r, 0) < 0)
			break;
		zmq_msg_send(&id, r, ZMQ_SNDMORE);
		zmq_msg_send(&body, r, 0);
	}
	zmq_close(r);
	return NULL;
}

int
main(int argc, char **argv)
{
	char pub[41] = "", sec[41] = "", srv[41] = "", ssec[41];
	const char *ep;
	long n, window, sent = 0, got = 0, accepted = 0, rejected = 0;
	int echo = argc == 5 && strcmp(argv[1], "--echo") == 0;
	struct echo es;
	pthread_t th;
	int64_t *t_sent, *lat, t0, secs_us;
	void *ctx, *d;
	uint8_t frame[1024];

	int64_t start = lz_now_us() / 1000000 + 86400;

	if (!echo && argc != 6 && argc != 7) {
		fprintf(stderr, "usage: bench-gateway-load ENDPOINT SERVER_KEY "
				"KEY_FILE N WINDOW\n       bench-gateway-load "
				"--echo ENDPOINT N WINDOW\n");
		return 2;
	}
	ctx = zmq_ctx_new();
	if (echo) {
		ep = argv[2];
		n = atol(argv[3]);
		window = atol(argv[4]);
		zmq_curve_keypair(srv, ssec);
		zmq_curve_keypair(pub, sec);
		es.ctx = ctx;
		es.ep = ep;
		memcpy(es.sec, ssec, 41);
		es.ready = 0;
		pthread_create(&th, NULL, echo_server, &es);
		while (!es.ready)
			;
	} else {
		ep = argv[1];
		snprintf(srv, sizeof(srv), "%s", argv[2]);
		if (lz_zmq_keys_read(argv[3], pub, sec) < 0) {
			fprintf(stderr, "bench-gateway-load: bad key file %s\n",
				argv[3]);
			return 1;
		}
		n = atol(argv[4]);
		window = atol(argv[5]);
		if (argc == 7)
			start = atoll(argv[6]);
	}
	t_sent = xcalloc((size_t)n, sizeof(int64_t));
	lat = xcalloc((size_t)n, sizeof(int64_t));
	d = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY, srv, 40);
	zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, pub, 40);
	zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, sec, 40);
	zmq_connect(d, ep);
	t0 = lz_mono_us();
	while (got < n) {
		while (sent < n && sent - got < window) {
			size_t len =
				make_frame(frame, sizeof(frame), sent, start);
			t_sent[sent] = lz_mono_us();
			zmq_send(d, frame, len, 0);
			sent++;
		}
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, d, 0) < 0)
			break;
		if (echo) {
			lat[got] = lz_mono_us() - t_sent[got];
			accepted++;
		} else {
			Lz__Gateway__V1__Ack *a = lz__gateway__v1__ack__unpack(
				NULL, zmq_msg_size(&m), zmq_msg_data(&m));
			long i = a ? atol(a->client_msg_id + 2) : -1;
			if (a && i >= 0 && i < n)
				lat[got] = lz_mono_us() - t_sent[i];
			if (a &&
			    a->status ==
				    LZ__GATEWAY__V1__ACK_STATUS__ACK_STATUS_ACCEPTED)
				accepted++;
			else
				rejected++;
			if (a)
				lz__gateway__v1__ack__free_unpacked(a, NULL);
		}
		zmq_msg_close(&m);
		got++;
	}
	secs_us = lz_mono_us() - t0;
	qsort(lat, (size_t)got, sizeof(int64_t), cmp_i64);
	printf("%s per_s=%.0f accepted=%ld rejected=%ld p50_ms=%.3f "
	       "p99_ms=%.3f\n",
	       echo ? "echo" : "gateway", (double)got * 1e6 / (double)secs_us,
	       accepted, rejected, lat[got / 2] / 1000.0,
	       lat[(size_t)((double)got * 0.99)] / 1000.0);
	zmq_close(d);
	if (echo) {
		zmq_ctx_shutdown(ctx);
		pthread_join(th, NULL);
	}
	zmq_ctx_term(ctx);
	free(t_sent);
	free(lat);
	return rejected ? 1 : 0;
}
