# SPDX-License-Identifier: AGPL-3.0-or-later
# The orders service: lz-orders, its unit tests, and the integration test
# with its command publisher (lz-cmdpub).

ORDERS_CORE := services/orders/rules.c
ORDERS_SRC := services/orders/main.c services/orders/commands.c \
	services/orders/follow.c services/orders/lifecycle.c \
	services/orders/query.c services/orders/store.c $(ORDERS_CORE)

BINS += $(B)/bin/lz-orders
$(B)/bin/lz-orders: $(call objs,$(ORDERS_SRC)) $(COMMON_LIB)
	$(link)

# Unit tests of the pure rules (and of the store, on a real LMDB).
UNIT_TESTS += $(B)/tests/unit/test_orders
$(B)/tests/unit/test_orders: $(call objs,tests/unit/test_orders.c \
	services/orders/store.c $(ORDERS_CORE)) $(COMMON_LIB)
	$(link)
$(call objs,tests/unit/test_orders.c): CPPFLAGS += -Iservices/orders

# lz-cmdpub: publishes commands as source "gateway" for integration tests.
CMDPUB := $(B)/tests/lz-cmdpub
$(CMDPUB): $(call objs,tests/integration/cmdpub.c) $(COMMON_LIB)
	$(link)

INTEG_TESTS += tests/integration/test_orders.sh
tests/integration/test_orders.sh: $(B)/bin/lz-orders $(B)/bin/lz-bus \
	$(B)/bin/lz-tap $(CMDPUB)

LINT_SRC += $(ORDERS_SRC) tests/unit/test_orders.c tests/integration/cmdpub.c
