# SPDX-License-Identifier: AGPL-3.0-or-later
BINS += $(B)/bin/lz-bus
$(B)/bin/lz-bus: $(call objs,services/bus/main.c) $(COMMON_LIB)
	$(link)
LINT_SRC += services/bus/main.c
