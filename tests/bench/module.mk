# SPDX-License-Identifier: AGPL-3.0-or-later
# Benchmarks.  `make bench` runs every target in BENCH_TARGETS.
BENCHES += $(B)/tests/bench-zmq-raw
$(B)/tests/bench-zmq-raw: $(call objs,tests/bench/zmq_raw.c)
	$(link)
LINT_SRC += tests/bench/zmq_raw.c

BENCH_TARGETS += bench-bus
bench-bus: $(B)/bin/lz-bus $(B)/tests/lz-testpeer $(B)/tests/bench-zmq-raw
	@B=$(B) ./tests/bench/bench_bus.sh

BENCHES += $(B)/tests/bench-gateway-load
$(B)/tests/bench-gateway-load: $(call objs,tests/bench/gateway_load.c) $(COMMON_LIB)
	$(link)
LINT_SRC += tests/bench/gateway_load.c

BENCH_TARGETS += bench-gateway
bench-gateway: $(B)/bin/lz-bus $(B)/bin/lz-gateway $(B)/bin/lz-ctl \
		$(B)/tests/bench-gateway-load
	@B=$(B) ./tests/bench/bench_gateway.sh
