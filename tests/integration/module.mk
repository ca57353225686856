# SPDX-License-Identifier: AGPL-3.0-or-later
# Integration tests: scripts that start the real daemons on loopback.
TESTPEER := $(B)/tests/lz-testpeer
$(TESTPEER): $(call objs,tests/integration/peer.c) $(COMMON_LIB)
	$(link)

INTEG_TESTS += tests/integration/test_bus_durability.sh \
	tests/integration/test_garbage.sh tests/integration/test_tap.sh \
	tests/integration/test_gateway.sh tests/integration/test_interop_python.sh \
	tests/integration/test_orders_gateway.sh tests/integration/test_deploy.sh
$(INTEG_TESTS): $(TESTPEER) $(BINS) $(B)/tests/bench-gateway-load

# Failure semantics of every daemon: SIGHUP, SIGTERM, a store that cannot
# commit (a tiny tmpfs: needs root, skipped otherwise).
INTEG_TESTS += tests/integration/test_failures.sh
tests/integration/test_failures.sh: $(TESTPEER) $(BINS) $(CMDPUB)
LINT_SRC += tests/integration/peer.c

# The independent checker of a day (check_day.py) on the hand-made histories
# of tests/data/days/: python3 only, no daemon.
INTEG_TESTS += tests/integration/test_check_day.sh

# sd_notify: READY, WATCHDOG, RELOADING and STOPPING from every daemon.
INTEG_TESTS += tests/integration/test_notify.sh
tests/integration/test_notify.sh: $(BINS)

# The web application's door: users, sessions, CSRF, the read endpoints'
# narrowing, the app's files (curl; the browser is test_web.sh's).
INTEG_TESTS += tests/integration/test_sessions.sh
tests/integration/test_sessions.sh: $(BINS)

# The web application in headless Chromium (Selenium): every role's key
# actions end to end, the offline queue, sessions, 360 and 1280 px.
INTEG_TESTS += tests/integration/test_web.sh
tests/integration/test_web.sh: $(BINS)
