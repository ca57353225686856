# SPDX-License-Identifier: AGPL-3.0-or-later
# The inventory service: lz-inventory and its unit tests.

INVENTORY_CORE := services/inventory/alloc.c
INVENTORY_SRC := services/inventory/main.c services/inventory/commands.c \
	services/inventory/follow.c services/inventory/picking.c \
	services/inventory/stock.c \
	services/inventory/expiry.c services/inventory/query.c \
	services/inventory/store.c $(INVENTORY_CORE)

# Unit tests of the pure decisions (allocation, receptions, expiry).
UNIT_TESTS += $(B)/tests/unit/test_inventory
$(B)/tests/unit/test_inventory: $(call objs,tests/unit/test_inventory.c \
	$(INVENTORY_CORE)) $(COMMON_LIB)
	$(link)
$(call objs,tests/unit/test_inventory.c): CPPFLAGS += -Iservices/inventory

LINT_SRC += tests/unit/test_inventory.c

BINS += $(B)/bin/lz-inventory
$(B)/bin/lz-inventory: $(call objs,$(INVENTORY_SRC)) $(COMMON_LIB)
	$(link)
LINT_SRC += $(INVENTORY_SRC)

INTEG_TESTS += tests/integration/test_inventory.sh
tests/integration/test_inventory.sh: $(B)/bin/lz-inventory $(B)/bin/lz-orders \
	$(B)/bin/lz-gateway $(B)/bin/lz-bus $(B)/bin/lz-tap $(B)/bin/lz-ctl

INTEG_TESTS += tests/integration/test_inventory_random.sh
tests/integration/test_inventory_random.sh: $(B)/bin/lz-inventory \
	$(B)/bin/lz-orders $(B)/bin/lz-bus $(B)/bin/lz-tap $(CMDPUB)

# Picking lists, PickTour, the start check (lz-tours) and pick-on-start.
INTEG_TESTS += tests/integration/test_picking.sh
tests/integration/test_picking.sh: $(B)/bin/lz-inventory $(B)/bin/lz-tours \
	$(B)/bin/lz-orders $(B)/bin/lz-gateway $(B)/bin/lz-bus $(B)/bin/lz-tap \
	$(B)/bin/lz-ctl

BENCHES += $(B)/tests/bench-inventory-alloc
$(B)/tests/bench-inventory-alloc: $(call objs,tests/bench/inventory_alloc.c \
	$(INVENTORY_CORE)) $(COMMON_LIB)
	$(link)
$(call objs,tests/bench/inventory_alloc.c): CPPFLAGS += -Iservices/inventory
LINT_SRC += tests/bench/inventory_alloc.c

BENCH_TARGETS += bench-inventory
bench-inventory: $(B)/bin/lz-bus $(B)/bin/lz-inventory $(B)/bin/lz-ctl \
		$(B)/tests/bench-inventory-alloc $(CMDPUB)
	@B=$(B) ./tests/bench/bench_inventory.sh
