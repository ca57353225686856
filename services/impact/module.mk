# SPDX-License-Identifier: AGPL-3.0-or-later
# The impact service: lz-impact and its unit tests.  (This file is read
# before services/routing/module.mk: name the routing library by its path.)

IMPACT_CORE := services/impact/account.c services/impact/render.c
IMPACT_SRC := services/impact/main.c services/impact/follow.c \
	services/impact/report.c services/impact/query.c \
	services/impact/store.c $(IMPACT_CORE)

BINS += $(B)/bin/lz-impact
$(B)/bin/lz-impact: $(call objs,$(IMPACT_SRC)) $(COMMON_LIB) $(B)/lib/liblzrouting.a
	$(link)

UNIT_TESTS += $(B)/tests/unit/test_impact
$(B)/tests/unit/test_impact: $(call objs,tests/unit/test_impact.c \
	$(IMPACT_CORE)) $(COMMON_LIB) $(B)/lib/liblzrouting.a
	$(link)
$(call objs,tests/unit/test_impact.c): CPPFLAGS += -Iservices/impact

LINT_SRC += $(IMPACT_SRC) tests/unit/test_impact.c

INTEG_TESTS += tests/integration/test_impact.sh
tests/integration/test_impact.sh: $(B)/bin/lz-impact $(B)/bin/lz-tours \
	$(B)/bin/lz-orders $(B)/bin/lz-inventory $(B)/bin/lz-returns \
	$(B)/bin/lz-gateway $(B)/bin/lz-bus $(B)/bin/lz-ctl $(B)/tests/lz-cmdpub
