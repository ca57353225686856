# SPDX-License-Identifier: AGPL-3.0-or-later
# The circular-economy service: lz-returns and its unit tests.  The routing
# library (great-circle distances) is named in full: its fragment is read
# after this one.

RETURNS_CORE := services/returns/match.c services/returns/ledger.c \
	services/returns/forecast.c
RETURNS_SRC := services/returns/main.c services/returns/follow.c \
	services/returns/directory.c \
	services/returns/commands.c services/returns/book.c \
	services/returns/flows.c \
	services/returns/query.c services/returns/store.c $(RETURNS_CORE)

BINS += $(B)/bin/lz-returns
$(B)/bin/lz-returns: $(call objs,$(RETURNS_SRC)) $(COMMON_LIB) $(B)/lib/liblzrouting.a
	$(link)

UNIT_TESTS += $(B)/tests/unit/test_returns
$(B)/tests/unit/test_returns: $(call objs,tests/unit/test_returns.c \
	$(RETURNS_CORE)) $(COMMON_LIB) $(B)/lib/liblzrouting.a
	$(link)
$(call objs,tests/unit/test_returns.c): CPPFLAGS += -Iservices/returns

LINT_SRC += $(RETURNS_SRC) tests/unit/test_returns.c
INTEG_TESTS += tests/integration/test_returns.sh
tests/integration/test_returns.sh: $(B)/bin/lz-returns $(B)/bin/lz-tours \
	$(B)/bin/lz-orders $(B)/bin/lz-inventory $(B)/bin/lz-gateway \
	$(B)/bin/lz-bus $(B)/bin/lz-ctl $(B)/bin/lz-tap

INTEG_TESTS += tests/integration/test_returns_random.sh
tests/integration/test_returns_random.sh: $(B)/bin/lz-returns \
	$(B)/bin/lz-bus $(B)/bin/lz-tap $(B)/tests/lz-cmdpub
