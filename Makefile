# SPDX-License-Identifier: AGPL-3.0-or-later
# Livrazou — one non-recursive Makefile.  Every module adds itself through a
# `module.mk` fragment (services/*/module.mk, tests/*/module.mk).
#
#   make               build everything into $(B)/
#   make test          unit + integration tests (what CI runs)
#   make check-asan    the tests again under ASan + UBSan, in build/asan/
#   make bench         every benchmark (bench-bus, bench-routing, ...)
#                      (these three and `make demo` first install the
#                      packages that are missing: deploy/install-deps.sh)
#   make lint          cppcheck, clang-format, docs links, SPDX licence lines
#   make install       PREFIX=/usr/local DESTDIR=
#   make clean

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

VERSION    := 0.1.0
B          ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
SYSTEMDDIR ?= /lib/systemd
SYSUSERSDIR ?= /usr/lib/sysusers.d
SAN        ?=
CC         ?= cc
PROTOC_C   ?= protoc-c
PKG_CONFIG ?= pkg-config

PKGS := libzmq libsodium libprotobuf-c lmdb libevent jansson inih libsystemd

ifeq ($(filter clean lint,$(MAKECMDGOALS)),)
missing_pkgs = $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) && echo y),,$(p))))
MISSING_PKGS := $(missing_pkgs)
# `make demo`, `make test`, `make check-asan` and `make bench` on a fresh
# machine install what is missing first: the script is idempotent (it
# installs only missing packages) and knows what the tests need besides
# the libraries (python3-zmq, chromium...).  It runs once per command: the
# sub-make of check-asan inherits LZ_DEPS_CHECKED.  Plain `make`, `make
# lint` and `make clean` never install anything.
INSTALL_GOALS := demo test check-asan bench bench-%
ifneq ($(filter $(INSTALL_GOALS),$(MAKECMDGOALS)),)
ifeq ($(LZ_DEPS_CHECKED),)
$(if $(shell ./deploy/install-deps.sh >&2 && echo ok),,$(error ./deploy/install-deps.sh failed))
export LZ_DEPS_CHECKED := 1
MISSING_PKGS := $(missing_pkgs)
endif
endif
ifneq ($(MISSING_PKGS),)
$(error missing libraries: $(MISSING_PKGS) -- run ./deploy/install-deps.sh)
endif
ifeq ($(shell command -v $(PROTOC_C) 2>/dev/null),)
$(error missing protoc-c (package protobuf-c-compiler) -- run ./deploy/install-deps.sh)
endif
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	    -Wno-unused-parameter
OPT      ?= -O2 -g
CFLAGS   ?=
CPPFLAGS += -D_GNU_SOURCE -DLZ_VERSION=\"$(VERSION)\" \
	    -Iservices/common -Iservices/routing -I$(B)/gen
ALLCFLAGS = -std=c11 $(OPT) $(WARN) -MMD -MP $(CFLAGS) \
	    $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS_ALL = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm -lpthread

ifeq ($(SAN),1)
ALLCFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif

# V=1 shows the full commands.
V ?= 0
ifeq ($(V),0)
Q := @
say = @printf '  %-7s %s\n' $(1) $(2);
else
Q :=
say :=
endif

# Collected from the fragments.
BINS        :=
UNIT_TESTS  :=
INTEG_TESTS :=
BENCHES     :=
LINT_SRC    :=

# Libraries every fragment may link against (defined before the fragments).
COMMON_LIB  := $(B)/lib/liblzcommon.a

objs = $(patsubst %.c,$(B)/obj/%.o,$(1))

# link = link the prerequisites (objects and archives) into $@
define link
	@mkdir -p $(@D)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS_ALL)
endef

include $(sort $(wildcard proto/module.mk services/*/module.mk tests/*/module.mk))

# Every hand-written object may include generated headers.
$(B)/obj/%.o: %.c | $(PROTO_H)
	@mkdir -p $(@D)
	$(call say,CC,$<)$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

all: $(BINS) $(UNIT_TESTS)

# Tests: each unit binary prints "N passed, N failed"; integration tests are
# scripts that start the real daemons.  tests/run.sh sums them up.
test: all $(INTEG_TESTS)
	@B=$(B) ./tests/run.sh $(UNIT_TESTS) -- $(INTEG_TESTS)

check-asan:
	$(MAKE) B=build/asan SAN=1 OPT="-O1 -g" test

bench: all $(BENCHES)
	@for b in $(BENCH_TARGETS); do $(MAKE) --no-print-directory $$b || exit 1; done

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	  --enable=warning,portability,performance \
	  --suppress=missingIncludeSystem -Iservices/common -Iservices/routing \
	  $(LINT_SRC)
	clang-format --dry-run --Werror $(LINT_SRC) $(wildcard services/*/*.h tests/*/*.h)
	python3 tests/lint/check_docs.py
	python3 tests/lint/check_spdx.py
	@echo "lint: ok"

format:
	clang-format -i $(LINT_SRC) $(wildcard services/*/*.h tests/*/*.h)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	for f in $(filter-out proto/lz/testing/%,$(PROTO_FILES)); do \
		install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/livrazou/$$f; \
	done
	install -d $(DESTDIR)$(PREFIX)/share/doc/livrazou
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/livrazou/
	for f in $$(find docs -name '*.md'); do \
		install -D -m 0644 $$f $(DESTDIR)$(PREFIX)/share/doc/livrazou/$$f; \
	done
	install -d $(DESTDIR)$(PREFIX)/share/livrazou/examples
	install -m 0644 deploy/livrazou.ini deploy/partners.example \
		$(DESTDIR)$(PREFIX)/share/livrazou/examples/
	install -d $(DESTDIR)$(SYSTEMDDIR)/system $(DESTDIR)$(SYSUSERSDIR)
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' \
	    -e 's|@DOCDIR@|$(PREFIX)/share/doc/livrazou|g' \
	    deploy/systemd/livrazou@.service.in \
	    > $(DESTDIR)$(SYSTEMDDIR)/system/livrazou@.service
	install -m 0644 deploy/systemd/livrazou.target \
		$(DESTDIR)$(SYSTEMDDIR)/system/
	install -m 0644 deploy/systemd/livrazou.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/livrazou.conf

clean:
	rm -rf build

.PHONY: all test check-asan bench lint format install clean $(BENCH_TARGETS)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
