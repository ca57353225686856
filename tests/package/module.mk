# SPDX-License-Identifier: AGPL-3.0-or-later
# The man pages and bash completions checked against the programs' --help
# (make test; their prerequisites, $(MANS) $(COMPLETIONS), are added where
# the Makefile defines them).  test_package.sh, which builds the .deb,
# installs and starts it, is not part of make test: .ci/run runs it.
INTEG_TESTS += tests/package/test_man.sh
