BINS += $(B)/bin/lz-tap
$(B)/bin/lz-tap: $(call objs,services/tools/tap.c) $(COMMON_LIB)
	$(link)
LINT_SRC += services/tools/tap.c
