BINS += $(B)/bin/lz-bus
$(B)/bin/lz-bus: $(call objs,services/bus/main.c) $(COMMON_LIB)
	$(link)
LINT_SRC += services/bus/main.c
