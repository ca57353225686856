# SPDX-License-Identifier: AGPL-3.0-or-later
"""The --help of Livrazou's programs, read by the tools made from it: the
man pages (gen-man.py) and the bash completions
(deploy/bash-completion/gen-completion.py).  Python 3 standard library
only."""
import os
import re
import subprocess
import sys

OPT = re.compile(r"^ {1,8}(?:(-[A-Za-z0-9]), )?(--[a-z0-9][a-z0-9-]*)"
                 r"(?:[ =]([A-Z][A-Z0-9_]*))?(?: {2,}(\S.*))?$")


def run_help(path, tool):
    """The --help output of the program at PATH; TOOL names the caller in
    the error that ends it."""
    try:
        out = subprocess.run([path, "--help"], capture_output=True,
                             text=True, timeout=10)
    except OSError as e:
        sys.exit("%s: cannot run %s: %s" % (tool, path, e))
    if out.returncode != 0:
        sys.exit("%s: %s --help exited %d" % (tool, path, out.returncode))
    return out.stdout


def parse_help(text):
    """Returns (usage, section, options); each option is a dict with
    short, long, arg, help.  Lines indented further than an option's name
    continue its description."""
    usage = section = None
    opts = []
    cur = None
    for line in text.splitlines():
        m = re.match(r"^[Uu]sage: *(.*)$", line)
        if m:
            usage = m.group(1).strip()
            cur = None
            continue
        m = re.search(r"keys of section \[([a-z0-9-]+)\]", line)
        if m:
            section = m.group(1)
        m = OPT.match(line)
        if m:
            cur = {"short": m.group(1), "long": m.group(2),
                   "arg": m.group(3), "help": m.group(4) or ""}
            opts.append(cur)
        elif cur is not None and re.match(r"^ {10,}\S", line):
            cur["help"] = (cur["help"] + " " + line.strip()).strip()
        else:
            cur = None
    return usage, section, opts
