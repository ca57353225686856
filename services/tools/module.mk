# SPDX-License-Identifier: AGPL-3.0-or-later
BINS += $(B)/bin/lz-tap
$(B)/bin/lz-tap: $(call objs,services/tools/tap.c) $(COMMON_LIB)
	$(link)
LINT_SRC += services/tools/tap.c

BINS += $(B)/bin/lz-ctl
CTL_SRC := services/tools/ctl.c services/tools/ctl_user.c
$(B)/bin/lz-ctl: $(call objs,$(CTL_SRC)) $(COMMON_LIB)
	$(link)
LINT_SRC += $(CTL_SRC)
