# SPDX-License-Identifier: AGPL-3.0-or-later
# Fuzzing with libFuzzer (clang): `make fuzz` builds each target with ASan
# and UBSan into build/fuzz/ and runs it for FUZZ_SECONDS (default 30) from
# its seed corpus in tests/fuzz/corpus/<target>/.  Not part of `make test`.
FUZZ_SECONDS ?= 30
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS = -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -DLZ_VERSION=\"$(VERSION)\" \
	-Iservices/common -I$(B)/gen \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_COMMON := $(filter-out services/common/lz_loop.c services/common/lz_http.c \
	services/common/lz_bus.c services/common/lz_store.c services/common/lz_config.c \
	services/common/lz_daemon.c services/common/lz_service.c \
	services/common/lz_notify.c, \
	$(COMMON_SRC)) $(PROTO_C) $(B)/gen/lz_registry.c

FUZZ_TARGETS := json envelope partners

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) | $(PROTO_H)
	@mkdir -p $(@D)
	$(call say,FUZZ,$@)clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_EXTRA_$*) \
		$(FUZZ_COMMON) $(LDLIBS_ALL)

fuzz: $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$t; \
		log=$(FUZZ_DIR)/fuzz_$$t.log; \
		if $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 $(FUZZ_DIR)/corpus-$$t \
			tests/fuzz/corpus/$$t >$$log 2>&1; then \
			echo "fuzz_$$t: ok, $$(sed -n 's/^stat::number_of_executed_units: *//p' $$log) runs in $(FUZZ_SECONDS) s"; \
		else \
			grep -A20 -E '^==[0-9]+==ERROR|runtime error|deadly signal' $$log | head -40; \
			echo "fuzz_$$t: FAILED (log: $$log)"; exit 1; \
		fi; \
	done

.PHONY: fuzz
