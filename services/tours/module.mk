# SPDX-License-Identifier: AGPL-3.0-or-later
# The tour planning service: lz-tours, its unit tests and benchmark.

TOURS_CORE := services/tours/plan.c
# The files that apply events (the unit test checks their tables).
TOURS_APPLY := services/tours/commands.c services/tours/follow.c \
	services/tours/tasks.c services/tours/wave.c services/tours/store.c \
	$(TOURS_CORE)
TOURS_SRC := services/tours/main.c services/tours/query.c $(TOURS_APPLY)

BINS += $(B)/bin/lz-tours
$(B)/bin/lz-tours: $(call objs,$(TOURS_SRC)) $(COMMON_LIB) $(ROUTING_LIB)
	$(link)

UNIT_TESTS += $(B)/tests/unit/test_tours
$(B)/tests/unit/test_tours: $(call objs,tests/unit/test_tours.c \
	$(TOURS_APPLY)) $(COMMON_LIB) $(ROUTING_LIB)
	$(link)
$(call objs,tests/unit/test_tours.c): CPPFLAGS += -Iservices/tours

LINT_SRC += $(TOURS_SRC) tests/unit/test_tours.c

INTEG_TESTS += tests/integration/test_tours.sh
tests/integration/test_tours.sh: $(B)/bin/lz-tours $(B)/bin/lz-bus \
	$(B)/bin/lz-tap $(B)/tests/lz-cmdpub

# bench-tours: the planner against a nearest-neighbour baseline.
BENCHES += $(B)/tests/bench-tours
$(B)/tests/bench-tours: $(call objs,tests/bench/tours_bench.c \
	$(TOURS_CORE)) $(COMMON_LIB) $(ROUTING_LIB)
	$(link)
$(call objs,tests/bench/tours_bench.c): CPPFLAGS += -Iservices/tours
LINT_SRC += tests/bench/tours_bench.c

BENCH_TARGETS += bench-tours
bench-tours: $(B)/tests/bench-tours
	@B=$(B) ./tests/bench/bench_tours.sh

INTEG_TESTS += tests/integration/test_tours_orders.sh
tests/integration/test_tours_orders.sh: $(B)/bin/lz-tours $(B)/bin/lz-orders \
	$(B)/bin/lz-inventory $(B)/bin/lz-gateway $(B)/bin/lz-bus \
	$(B)/bin/lz-ctl
