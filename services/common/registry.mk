# SPDX-License-Identifier: AGPL-3.0-or-later
# lz_json + lz_registry: generic protobuf <-> JSON mapping and the table of
# message types (included from services/common/module.mk).

COMMON_SRC += services/common/lz_json.c services/common/lz_registry.c

UNIT_TESTS += $(B)/tests/unit/test_json

$(B)/tests/unit/test_json: $(call objs,tests/unit/test_json.c \
	services/common/lz_json.c services/common/lz_registry.c \
	services/common/lz_evjson.c services/common/lz_util.c) $(PROTO_OBJ)
	$(link)

# lz_json.c and lz_registry.c are linted with the rest of COMMON_SRC.
LINT_SRC += tests/unit/test_json.c

# test_json.c includes generated headers: have them before compiling (an
# explicit rule, since a recipe-less pattern rule adds no prerequisites).
$(call objs,tests/unit/test_json.c): | $(PROTO_H)
