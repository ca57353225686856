# SPDX-License-Identifier: AGPL-3.0-or-later
GATEWAY_SRC := services/gateway/main.c services/gateway/submit.c services/gateway/acks.c \
	services/gateway/zmq_api.c services/gateway/http_api.c \
	services/gateway/commands.c services/gateway/sessions.c \
	services/gateway/reads.c services/gateway/web.c

BINS += $(B)/bin/lz-gateway
$(B)/bin/lz-gateway: $(call objs,$(GATEWAY_SRC)) $(COMMON_LIB)
	$(link)
LINT_SRC += $(GATEWAY_SRC)
