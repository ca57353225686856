# SPDX-License-Identifier: AGPL-3.0-or-later
# Routing engine: liblzrouting.a (pure C11), the lz-route CLI, unit tests,
# benchmark.  See services/routing/README.md.

ROUTING_SRC := services/routing/route_problem.c \
	       services/routing/route_model.c \
	       services/routing/route_solve.c \
	       services/routing/route_check.c \
	       services/routing/route_solomon.c
ROUTING_CLI_SRC := services/routing/main.c services/routing/route_json.c
ROUTING_LIB := $(B)/lib/liblzrouting.a
ROUTING_UTIL := $(B)/obj/services/common/lz_util.o

$(ROUTING_LIB): $(call objs,$(ROUTING_SRC))
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/lz-route: $(call objs,$(ROUTING_CLI_SRC)) $(ROUTING_LIB) \
		   $(ROUTING_UTIL)
	$(link)

$(B)/tests/unit/test_routing: $(call objs,tests/unit/test_routing.c \
		services/routing/route_json.c) $(ROUTING_LIB) $(ROUTING_UTIL)
	$(link)

$(B)/tests/bench/bench_routing: $(call objs,tests/bench/bench_routing.c) \
		$(ROUTING_LIB) $(ROUTING_UTIL)
	$(link)

BINS += $(B)/bin/lz-route
UNIT_TESTS += $(B)/tests/unit/test_routing
BENCHES += $(B)/tests/bench/bench_routing
LINT_SRC += $(ROUTING_SRC) $(ROUTING_CLI_SRC) tests/unit/test_routing.c \
	    tests/bench/bench_routing.c

# Every Solomon instance at BENCH_TIME seconds each (single thread).
BENCH_TIME ?= 1
SOLOMON_DIR ?= ../shared/data/vrp/solomon
LILIM_DIR ?= ../shared/data/vrp/lilim
BENCH_TARGETS += bench-routing

bench-routing: $(B)/tests/bench/bench_routing
	$(B)/tests/bench/bench_routing --time $(BENCH_TIME) \
		--dir $(SOLOMON_DIR) --lilim $(LILIM_DIR)

# The long run (10 s per instance, ~5 minutes), not part of `make bench`.
bench-routing-10: $(B)/tests/bench/bench_routing
	$(B)/tests/bench/bench_routing --time 10 --dir $(SOLOMON_DIR) \
		--lilim $(LILIM_DIR)

.PHONY: bench-routing bench-routing-10
