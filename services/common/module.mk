# SPDX-License-Identifier: AGPL-3.0-or-later
# The shared runtime: services/common/ -> $(B)/lib/liblzcommon.a

COMMON_SRC := services/common/lz_util.c services/common/lz_log.c \
	services/common/lz_config.c services/common/lz_loop.c \
	services/common/lz_store.c services/common/lz_metrics.c \
	services/common/lz_http.c services/common/lz_bus.c \
	services/common/lz_evjson.c services/common/lz_zmq.c \
	services/common/lz_date.c services/common/lz_client.c \
	services/common/lz_partners.c services/common/lz_users.c \
	services/common/lz_daemon.c services/common/lz_service.c \
	services/common/lz_notify.c

# The JSON mapping and type registry add themselves here.
-include services/common/registry.mk

$(COMMON_LIB): $(call objs,$(COMMON_SRC)) $(PROTO_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(call say,AR,$@)ar rcs $@ $^

LINT_SRC += $(COMMON_SRC) tests/unit/test_common.c tests/unit/test_store.c

UNIT_TESTS += $(B)/tests/unit/test_common $(B)/tests/unit/test_store
$(B)/tests/unit/test_common: $(call objs,tests/unit/test_common.c) $(COMMON_LIB)
	$(link)
$(B)/tests/unit/test_store: $(call objs,tests/unit/test_store.c) $(COMMON_LIB)
	$(link)
