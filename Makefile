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
#   make lint          cppcheck, clang-format, docs links, SPDX licence
#                      lines, the Kubernetes manifests and the
#                      Containerfile (offline), the man pages' build
#   make install       PREFIX=/usr/local DESTDIR= DAEMONS="bus gateway ..."
#   make uninstall     the same variables
#   make man           the man pages into $(B)/man/, completions into
#                      $(B)/completion/ (both from the programs' --help)
#   make clean

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

VERSION    := 0.1.0
B          ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian 12 keeps the packages' units in /lib/systemd; any other prefix
# keeps them under it (systemd reads /usr/local/lib/systemd/system too)
SYSTEMDDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd,$(PREFIX)/lib/systemd)
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# the daemons livrazou.target wants (each one livrazou@NAME.service)
DAEMONS    ?= bus gateway orders inventory tours bikes returns impact
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
	python3 tests/lint/check_k8s.py
	python3 tests/lint/check_containerfile.py
	$(MAKE) --no-print-directory B=$(B) man
	@for m in $(MANS); do \
		w=$$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 $$m 2>&1); \
		if [ -n "$$w" ]; then echo "$$m: $$w"; exit 1; fi; \
	done; echo "man: $(words $(MANS)) pages built, groff -ww silent"
	@echo "lint: ok"

format:
	clang-format -i $(LINT_SRC) $(wildcard services/*/*.h tests/*/*.h)

# Man pages (docs/man/NAME.SECTION.in, roff with the options of each
# program's --help put in at build time) and bash completions (from the
# same --help), both made by running the programs just built.
MAN_IN      := $(wildcard docs/man/*.in)
MANS        := $(patsubst docs/man/%.in,$(B)/man/%,$(MAN_IN))
COMPLETIONS := $(patsubst $(B)/bin/%,$(B)/completion/%,$(BINS))

$(B)/man/%: docs/man/%.in docs/man/gen-man.py docs/man/lz_help.py $(BINS)
	@mkdir -p $(@D)
	$(call say,MAN,$@)python3 docs/man/gen-man.py --bin $(B)/bin \
		--version $(VERSION) $< >$@

$(B)/completion/%: $(B)/bin/% deploy/bash-completion/gen-completion.py \
		docs/man/lz_help.py
	@mkdir -p $(@D)
	$(call say,GEN,$@)python3 deploy/bash-completion/gen-completion.py $< >$@

man: $(MANS) $(COMPLETIONS)
tests/package/test_man.sh: $(MANS) $(COMPLETIONS)

# The routing library as installed: one object whose only global symbols
# are the lz_route_* of lz_route.h (its lz_util helpers made local, so
# that they cannot clash with a program's own xmalloc).
ROUTING_DIST := $(B)/dist/liblzrouting.a
OBJCOPY ?= objcopy
$(ROUTING_DIST): $(call objs,$(ROUTING_SRC)) $(ROUTING_UTIL)
	@mkdir -p $(@D)
	$(call say,AR,$@)$(LD) -r -o $(@D)/lzrouting.o $^
	$(Q)$(OBJCOPY) --wildcard --keep-global-symbol='lz_route_*' \
		$(@D)/lzrouting.o
	$(Q)rm -f $@ && $(AR) rcs $@ $(@D)/lzrouting.o

# PREFIX, BINDIR, LIBDIR, INCLUDEDIR, MANDIR, BASHCOMPDIR, SYSTEMDDIR,
# SYSUSERSDIR (above) and DESTDIR; DAEMONS, the daemons livrazou.target
# wants.  The web application (web/, when there) goes to
# $(PREFIX)/share/livrazou/web.
install: all man $(ROUTING_DIST)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)/
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
	if [ -d web ]; then \
		find web -type f | while read -r f; do \
			install -D -m 0644 "$$f" \
				"$(DESTDIR)$(PREFIX)/share/livrazou/$$f" || exit 1; \
		done && \
		find web -type l | while read -r f; do \
			install -d "$(DESTDIR)$(PREFIX)/share/livrazou/$${f%/*}" && \
			cp -P "$$f" "$(DESTDIR)$(PREFIX)/share/livrazou/$$f" || exit 1; \
		done; \
	fi
	for m in $(MANS); do \
		install -D -m 0644 $$m \
			$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; \
	done
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $(COMPLETIONS) $(DESTDIR)$(BASHCOMPDIR)/
	install -D -m 0644 $(ROUTING_DIST) $(DESTDIR)$(LIBDIR)/liblzrouting.a
	install -D -m 0644 services/routing/lz_route.h \
		$(DESTDIR)$(INCLUDEDIR)/lz_route.h
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig
	printf '%s\n' 'prefix=$(PREFIX)' \
		'libdir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))' \
		'includedir=$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))' \
		'' 'Name: lzrouting' \
		'Description: Livrazou vehicle-routing engine (static library)' \
		'Version: $(VERSION)' 'Libs: -L$${libdir} -llzrouting -lm' \
		'Cflags: -I$${includedir}' \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/lzrouting.pc
	install -d $(DESTDIR)$(SYSTEMDDIR)/system $(DESTDIR)$(SYSUSERSDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' \
	    -e 's|@DOCDIR@|$(PREFIX)/share/doc/livrazou|g' \
	    deploy/systemd/livrazou@.service.in \
	    > $(DESTDIR)$(SYSTEMDDIR)/system/livrazou@.service
	sed -e 's|^Wants=.*|Wants=$(patsubst %,livrazou@%.service,$(DAEMONS))|' \
	    deploy/systemd/livrazou.target \
	    > $(DESTDIR)$(SYSTEMDDIR)/system/livrazou.target
	install -m 0644 deploy/systemd/livrazou.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/livrazou.conf

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(BINS)))
	rm -rf $(DESTDIR)$(PREFIX)/share/livrazou \
		$(DESTDIR)$(PREFIX)/share/doc/livrazou
	for m in $(notdir $(MANS)); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; \
	done
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(BINS)))
	rm -f $(DESTDIR)$(LIBDIR)/liblzrouting.a \
		$(DESTDIR)$(INCLUDEDIR)/lz_route.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/lzrouting.pc
	rm -f $(DESTDIR)$(SYSTEMDDIR)/system/livrazou@.service \
		$(DESTDIR)$(SYSTEMDDIR)/system/livrazou.target \
		$(DESTDIR)$(SYSUSERSDIR)/livrazou.conf

.PHONY: man uninstall

clean:
	rm -rf build

.PHONY: all test check-asan bench lint format install clean $(BENCH_TARGETS)

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
