# SPDX-License-Identifier: AGPL-3.0-or-later
# The bike relay dispatch service: lz-bikes and its unit tests.
# (The routing library by name: services/routing/module.mk comes later.)

BIKES_CORE := services/bikes/runs.c services/bikes/zone.c
BIKES_SRC := services/bikes/main.c services/bikes/commands.c \
	services/bikes/follow.c services/bikes/dispatch.c \
	services/bikes/events.c services/bikes/query.c \
	services/bikes/store.c $(BIKES_CORE)

BINS += $(B)/bin/lz-bikes
$(B)/bin/lz-bikes: $(call objs,$(BIKES_SRC)) $(COMMON_LIB) $(B)/lib/liblzrouting.a
	$(link)

UNIT_TESTS += $(B)/tests/unit/test_bikes
$(B)/tests/unit/test_bikes: $(call objs,tests/unit/test_bikes.c \
	$(BIKES_CORE)) $(COMMON_LIB) $(B)/lib/liblzrouting.a
	$(link)
$(call objs,tests/unit/test_bikes.c): CPPFLAGS += -Iservices/bikes

LINT_SRC += $(BIKES_SRC) tests/unit/test_bikes.c

INTEG_TESTS += tests/integration/test_bikes.sh
tests/integration/test_bikes.sh: $(B)/bin/lz-bikes $(B)/bin/lz-tours \
	$(B)/bin/lz-orders $(B)/bin/lz-inventory $(B)/bin/lz-gateway \
	$(B)/bin/lz-bus $(B)/bin/lz-ctl $(B)/bin/lz-tap $(B)/tests/lz-cmdpub

INTEG_TESTS += tests/integration/test_bikes_late.sh
tests/integration/test_bikes_late.sh: $(B)/bin/lz-bikes $(B)/bin/lz-tours \
	$(B)/bin/lz-orders $(B)/bin/lz-inventory $(B)/bin/lz-gateway \
	$(B)/bin/lz-bus $(B)/bin/lz-ctl
