#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Builds a man page from its source, docs/man/NAME.SECTION.in: roff
(man(7)) written by hand, in which these lines and words are replaced
with what the programs built in --bin say in their --help, so that the
options listed are the options the program takes:

    @VERSION@, @DATE@   the version given, and the date of the sources
                        (SOURCE_DATE_EPOCH, else the last commit, else
                        today), for the .TH line
    @USAGE@             a line: the program's synopsis, from "Usage:"
    @OPTIONS@           a line: every option, one .TP entry each
    @SECTION lz-X@      a line: the keys of lz-X's section of the
                        configuration file (its options but --config,
                        --help and --version), under .SS [section]

The program is the file's NAME (lz-orders.8.in: lz-orders) unless named.
Writes the page on standard output; exits 1 when a program cannot be run
or prints no option.  Python 3 standard library only.

    gen-man.py --bin build/bin --version 0.1.0 docs/man/lz-orders.8.in
"""
import argparse
import datetime
import os
import re
import subprocess
import sys

from lz_help import parse_help, run_help  # noqa: E402 (beside this file)


def esc(s):
    """Text for roff: backslashes escaped, every option-like word's
    hyphens made minus signs (so that it can be copied), and a line that
    would start with a control character protected."""
    s = s.replace("\\", "\\e")
    s = re.sub(r"(?<![\w-])--?[A-Za-z][A-Za-z0-9-]*",
               lambda m: m.group(0).replace("-", "\\-"), s)
    if s[:1] in (".", "'"):
        s = "\\&" + s
    return s


def opt_entry(o):
    names = "\\fB%s\\fR" % o["long"].replace("-", "\\-")
    if o["short"]:
        names = "\\fB%s\\fR, %s" % (o["short"].replace("-", "\\-"), names)
    if o["arg"]:
        names += " \\fI%s\\fR" % o["arg"]
    return ".TP\n%s\n%s" % (names, esc(o["help"]) or "\\&")


def key_entry(o):
    key = o["long"][2:].replace("-", "\\-")
    if o["arg"]:
        head = "\\fB%s\\fR = \\fI%s\\fR" % (key, o["arg"])
    else:
        head = "\\fB%s\\fR = \\fBtrue\\fR|\\fBfalse\\fR" % key
    return ".TP\n%s\n%s" % (head, esc(o["help"]) or "\\&")


def source_date(path):
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde:
        return datetime.datetime.fromtimestamp(
            int(sde), datetime.timezone.utc).strftime("%Y-%m-%d")
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs"],
                             cwd=os.path.dirname(os.path.abspath(path)),
                             capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except OSError:
        pass
    return datetime.date.today().isoformat()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("source")
    a = ap.parse_args()
    base = os.path.basename(a.source)
    own = base.split(".")[0]
    helps = {}

    def help_of(prog):
        if prog not in helps:
            helps[prog] = parse_help(run_help(os.path.join(a.bin, prog), "gen-man"))
            if not helps[prog][2]:
                sys.exit("gen-man: %s --help lists no option" % prog)
        return helps[prog]

    out = []
    with open(a.source) as f:
        for line in f:
            line = line.rstrip("\n")
            line = line.replace("@VERSION@", a.version)
            line = line.replace("@DATE@", source_date(a.source))
            if line == "@USAGE@":
                usage = help_of(own)[0]
                if not usage:
                    sys.exit("gen-man: %s --help has no Usage line" % own)
                words = usage.split(" ", 1)
                out.append(".B %s" % words[0])
                if len(words) > 1:
                    out.append(esc(words[1]))
            elif line == "@OPTIONS@":
                for o in help_of(own)[2]:
                    out.append(opt_entry(o))
            elif line.startswith("@SECTION ") and line.endswith("@"):
                prog = line[len("@SECTION "):-1]
                _, section, opts = help_of(prog)
                if not section:
                    sys.exit("gen-man: %s --help names no section" % prog)
                out.append(".SS [%s]" % section)
                out.append("Read by \\fB%s\\fR(%s)." %
                           (prog.replace("-", "\\-"),
                            "1" if prog in ("lz-ctl", "lz-tap", "lz-sim")
                            else "8"))
                for o in opts:
                    if o["long"] not in ("--config", "--help", "--version"):
                        out.append(key_entry(o))
            elif "@" in line and re.search(r"@[A-Z]+[ @]", line):
                sys.exit("gen-man: %s: unknown placeholder: %s" %
                         (a.source, line))
            else:
                out.append(line)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
