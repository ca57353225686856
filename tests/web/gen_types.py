#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""web/js/types.js from proto/: every message type the event stream may
name (lz.bus, lz.common, lz.gateway and lz.testing left out), which the
app's EventSource listens to by name.

    tests/web/gen_types.py          rewrite web/js/types.js
    tests/web/gen_types.py --check  exit 1 if it is not up to date
"""
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "web", "js", "types.js")
HEAD = """// SPDX-License-Identifier: AGPL-3.0-or-later
// Every message type of proto/ (lz.bus, lz.common, lz.gateway and lz.testing
// left out): the names the event stream may carry as `event:`.  An
// EventSource only hands named events to listeners registered by name, so
// the app listens to each.  Made by tests/web/gen_types.py, which
// test_web.sh runs with --check.
"""


def names():
    out = []
    for f in sorted(glob.glob(os.path.join(ROOT, "proto", "lz", "*", "v1", "*.proto"))):
        text = open(f).read()
        pkg = re.search(r"^package ([\w.]+);", text, re.M).group(1)
        if pkg.startswith(("lz.testing", "lz.bus", "lz.gateway", "lz.common")):
            continue
        depth = 0
        for line in text.splitlines():
            s = line.split("//")[0]
            m = re.match(r"\s*message (\w+)", s)
            if m and depth == 0:
                out.append(pkg + "." + m.group(1))
            depth += s.count("{") - s.count("}")
    return out


def render():
    return HEAD + "export const TYPES = [\n" + "".join('  "%s",\n' % n for n in names()) + "];\n"


if __name__ == "__main__":
    want = render()
    if "--check" in sys.argv[1:]:
        have = open(OUT).read() if os.path.exists(OUT) else ""
        if have != want:
            sys.exit("web/js/types.js is not up to date: run tests/web/gen_types.py")
        sys.exit(0)
    open(OUT, "w").write(want)
