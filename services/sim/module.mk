# SPDX-License-Identifier: AGPL-3.0-or-later
# The partner simulator lz-sim, its unit tests, the demo and its test.

SIM_CORE := services/sim/territory.c services/sim/timeline.c
SIM_SRC := services/sim/main.c services/sim/play.c services/sim/summary.c \
	services/sim/bikes.c services/sim/returns.c services/sim/partner.c \
	$(SIM_CORE)

BINS += $(B)/bin/lz-sim
$(B)/bin/lz-sim: $(call objs,$(SIM_SRC)) $(COMMON_LIB)
	$(link)

UNIT_TESTS += $(B)/tests/unit/test_sim
$(B)/tests/unit/test_sim: $(call objs,tests/unit/test_sim.c $(SIM_CORE)) \
		$(COMMON_LIB)
	$(link)
$(call objs,tests/unit/test_sim.c): CPPFLAGS += -Iservices/sim

LINT_SRC += $(SIM_SRC) tests/unit/test_sim.c

INTEG_TESTS += tests/integration/test_demo.sh
tests/integration/test_demo.sh: $(B)/bin/lz-sim $(B)/bin/lz-tours \
	$(B)/bin/lz-orders $(B)/bin/lz-inventory $(B)/bin/lz-gateway \
	$(B)/bin/lz-bus $(B)/bin/lz-ctl

# make demo: a simulated day in Marseille on this machine (DEMO_DIR,
# DEMO_ORDERS, DEMO_DAYS, DEMO_SEED, DEMO_SPEED change it).
demo: all
	@B=$(B) ./deploy/demo.sh

.PHONY: demo
