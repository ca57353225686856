#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Licence check: every source file of the repository carries an SPDX
licence identifier in its first lines.

    python3 tests/lint/check_spdx.py          check (make lint)
    python3 tests/lint/check_spdx.py --add    add the line where it lacks

Source files are the files git tracks under services/, tests/, proto/,
deploy/, web/ and .ci/ whose names end in .c, .h, .proto, .py, .sh, .mk,
.js, .css, .html, .in, .ini, .target, .sysusers, .yaml or .yml, or named
Containerfile, plus Makefile, .dockerignore and .ci/run; test data
(tests/data, fuzz corpora) is not source.  The line is
"SPDX-License-Identifier: AGPL-3.0-or-later" inside the file's comment
syntax, within its first three lines (after a #! line); a .json file
outside tests/ (the Grafana dashboard), which has no comments, carries it
in its first key.  Prints
"file: no SPDX licence identifier" for each file without it and exits 1,
else prints "spdx: N files ok".  Python 3 standard library only.
"""
import os
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
ID = "SPDX-License-Identifier: AGPL-3.0-or-later"
DIRS = ("services/", "tests/", "proto/", "deploy/", "web/", ".ci/")
SKIP = ("tests/data/", "tests/fuzz/corpus/")
SLASH = (".c", ".h", ".proto", ".js", ".css")
HASH = (".py", ".sh", ".mk", ".in", ".target", ".sysusers", ".yaml",
        ".yml")
# JSON has no comments: a dashboard says it in its first key,
# "description", within the same first lines; --add cannot write it.
JSON = (".json",)
SEMI = (".ini",)


def comment(path):
    base = os.path.basename(path)
    if path.endswith(SLASH):
        return "/* %s */" % ID
    if path.endswith(".html"):
        return "<!-- %s -->" % ID
    if path.endswith(SEMI):
        return "; " + ID
    if path.endswith(HASH) or base in ("Makefile", "run", "Containerfile",
                                       ".dockerignore"):
        return "# " + ID
    if path.endswith(JSON) and not path.startswith("tests/"):
        return ""
    return None


def sources():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    for p in out:
        if p in ("Makefile", ".dockerignore") or (
                p.startswith(DIRS) and not p.startswith(SKIP)):
            if comment(p) is not None and os.path.isfile(os.path.join(ROOT, p)):
                yield p


def has_id(lines):
    return any(ID in l for l in lines[:4])


def add(path, lines):
    if path.endswith(JSON):
        print("%s: add the line by hand (\"description\": \"... %s\")"
              % (path, ID))
        return
    c = comment(path) + "\n"
    at = 1 if lines and lines[0].startswith("#!") else 0
    if path.endswith(".html") and lines and lines[0].lower().startswith("<!doctype"):
        at = 1
    lines.insert(at, c)
    with open(os.path.join(ROOT, path), "w") as f:
        f.writelines(lines)


def main():
    fix = "--add" in sys.argv[1:]
    bad = n = 0
    for p in sources():
        n += 1
        with open(os.path.join(ROOT, p)) as f:
            lines = f.readlines()
        if has_id(lines):
            continue
        if fix:
            add(p, lines)
            print("%s: SPDX line added" % p)
        else:
            print("%s: no SPDX licence identifier" % p)
            bad += 1
    if bad:
        return 1
    print("spdx: %d files ok" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
