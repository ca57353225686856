# SPDX-License-Identifier: AGPL-3.0-or-later
# Wire schemas: proto/**/*.proto -> $(B)/gen/**/*.pb-c.[ch] (never committed)
# plus $(B)/gen/lz_registry.c, the table from type name to descriptor.

PROTO_FILES := $(sort $(shell find proto -name '*.proto'))
PROTO_C     := $(patsubst proto/%.proto,$(B)/gen/%.pb-c.c,$(PROTO_FILES))
PROTO_H     := $(PROTO_C:.c=.h)

$(B)/gen/%.pb-c.c $(B)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(B)/gen
	$(call say,PROTOC,$<)$(PROTOC_C) -Iproto --c_out=$(B)/gen $<

$(B)/gen/lz_registry.c: $(PROTO_H) proto/gen-registry.sh
	@mkdir -p $(@D)
	$(call say,GEN,$@)sh proto/gen-registry.sh $(B)/gen $(PROTO_H) > $@

$(B)/obj/$(B)/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CPPFLAGS) $(ALLCFLAGS) -Wno-missing-prototypes -c -o $@ $<

PROTO_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(PROTO_C) $(B)/gen/lz_registry.c)
