#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes the bash completion of a Livrazou program, made from what its
--help prints, so that it completes exactly the options the program takes:

    gen-completion.py build/bin/lz-ctl > build/completion/lz-ctl

What it completes:
  * the options (--name; -x too where the help shows one);
  * the subcommands of the Usage line ("keygen | partner add | user
    add|passwd|remove|list | submit ...": the first word of each
    alternative, then the words after it), and positional words such as
    lz-route's "[solomon|lilim|json|vroom] FILE";
  * after a subcommand, the options whose help names it ("partner add:
    ...; impact: ...") and those that name none;
  * an option's value: a file or directory when its help says so (or its
    argument is FILE), the words of "a, b or c" when its help starts with
    such a list (--log-level: debug, info, warn, error), nothing else.

The script needs bash only (no bash-completion helper), so that a test
can source it and call the function.  Python 3 standard library only.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "docs", "man"))
from lz_help import parse_help, run_help  # noqa: E402 (the man pages' reader)

ENUM = re.compile(r"(?:^|: )([a-z][a-z0-9-]*(?:, [a-z][a-z0-9-]*)+) or "
                  r"([a-z][a-z0-9-]*)\b")


def parse_usage(usage):
    """Returns (subcommands, positional): SUBCOMMANDS maps each first word
    to the words that may follow it; POSITIONAL lists, for a program
    without subcommands, the words of its first positional argument and
    whether a file follows."""
    # an optional choice of words ("[solomon|lilim|json|vroom]") is
    # completed like a required one; other brackets ("[OPTIONS]") are not
    u = re.sub(r"\[([a-z][a-z|-]*)\]", r"\1", usage)
    u = re.sub(r"\[[^]]*\]", " ", u).strip()
    subs = {}
    positional = ([], False)
    if not u:
        return subs, positional
    alts = [a.strip() for a in u.split(" | ")]
    if len(alts) > 1 or (alts[0].split()[0].islower() and
                         "|" not in alts[0].split()[0]):
        for a in alts:
            words = a.split()
            if not words:
                continue
            subs.setdefault(words[0], [])
            for w in words[1:]:
                subs[words[0]] += [x for x in w.split("|")
                                   if x and x.islower()]
        return subs, positional
    words = alts[0].split()
    first = [x for x in words[0].split("|") if x.islower()]
    return subs, (first, any(w == "FILE" for w in words[1:]))


def option_subcommands(help_text, subs):
    """The subcommands an option's help names ("partner add, user add: the
    member; impact: ..."), or None when it names none (every one)."""
    named = set()
    for seg in help_text.split("; "):
        m = re.match(r"^([a-z][a-z|, ]*?): ", seg)
        if not m:
            continue
        for name in m.group(1).split(","):
            first = name.strip().split(" ")[0]
            if first in subs:
                named.add(first)
    return named or None


def value_kind(o):
    h = o["help"].lower()
    if not o["arg"]:
        return ("none", None)
    m = ENUM.search(o["help"])
    if m:
        return ("words", m.group(1).split(", ") + [m.group(2)])
    if o["arg"] == "FILE" or re.search(r"\bfile\b", h):
        return ("file", None)
    if re.search(r"\bdirectory\b", h):
        return ("dir", None)
    return ("other", None)


def shell_words(ws):
    return " ".join(ws)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-completion.py PROGRAM")
    path = sys.argv[1]
    prog = os.path.basename(path)
    usage, _, opts = parse_help(run_help(path, "gen-completion"))
    usage = (usage or "").partition(" ")[2].strip()  # without the NAME
    if not opts:
        sys.exit("gen-completion: %s --help lists no option" % path)
    subs, (positional, file_after) = parse_usage(usage)
    fn = "_" + re.sub(r"[^A-Za-z0-9]", "_", prog)

    names = []
    with_arg = []
    value_cases = {"file": [], "dir": [], "other": []}
    word_cases = []
    per_sub = {s: [] for s in subs}
    for o in opts:
        ns = [o["long"]] + ([o["short"]] if o["short"] else [])
        names += ns
        kind, words = value_kind(o)
        if kind != "none":
            with_arg += ns
        if kind == "words":
            word_cases.append((ns, words))
        elif kind in value_cases:
            value_cases[kind] += ns
        named = option_subcommands(o["help"], subs) if subs else None
        for s in subs:
            if named is None or s in named:
                per_sub[s] += ns

    w = []
    w.append("# SPDX-License-Identifier: AGPL-3.0-or-later")
    w.append("# bash completion for %s, generated from its --help by "
             "deploy/bash-completion/gen-completion.py" % prog)
    w.append("%s()" % fn)
    w.append("{")
    w.append("\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i sub= n=0")
    w.append("\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}")
    w.append("\t# --option=value: bash splits at the '='")
    w.append("\tif [ \"$cur\" = = ]; then")
    w.append("\t\tcur=")
    w.append("\telif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -gt 1 ]; then")
    w.append("\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}")
    w.append("\tfi")
    w.append("\tCOMPREPLY=()")
    w.append("\tcase $prev in")
    for ns, words in word_cases:
        w.append("\t%s)" % "|".join(ns))
        w.append("\t\tCOMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" %
                 shell_words(words))
        w.append("\t\treturn 0")
        w.append("\t\t;;")
    if value_cases["file"]:
        w.append("\t%s)" % "|".join(value_cases["file"]))
        w.append("\t\tcompopt -o filenames 2>/dev/null")
        w.append("\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))")
        w.append("\t\treturn 0")
        w.append("\t\t;;")
    if value_cases["dir"]:
        w.append("\t%s)" % "|".join(value_cases["dir"]))
        w.append("\t\tcompopt -o filenames 2>/dev/null")
        w.append("\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))")
        w.append("\t\treturn 0")
        w.append("\t\t;;")
    if value_cases["other"]:
        w.append("\t%s)" % "|".join(value_cases["other"]))
        w.append("\t\treturn 0")
        w.append("\t\t;;")
    w.append("\tesac")
    w.append("\t# the positional words before the cursor")
    w.append("\tfor ((i = 1; i < COMP_CWORD; i++)); do")
    w.append("\t\tcase ${COMP_WORDS[i]} in")
    if with_arg:
        w.append("\t\t%s)" % "|".join(with_arg))
        w.append("\t\t\t[ \"${COMP_WORDS[i + 1]:-}\" = = ] && i=$((i + 1))")
        w.append("\t\t\ti=$((i + 1)) ;;")
    w.append("\t\t=) i=$((i + 1)) ;;")
    w.append("\t\t-*) ;;")
    w.append("\t\t*)")
    w.append("\t\t\tn=$((n + 1))")
    w.append("\t\t\t[ $n -eq 1 ] && sub=${COMP_WORDS[i]}")
    w.append("\t\t\t;;")
    w.append("\t\tesac")
    w.append("\tdone")
    w.append("\tif [[ $cur == -* ]]; then")
    if subs:
        w.append("\t\tcase $sub in")
        for s in subs:
            w.append("\t\t%s)" % s)
            w.append("\t\t\tCOMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" %
                     shell_words(per_sub[s]))
            w.append("\t\t\treturn 0")
            w.append("\t\t\t;;")
        w.append("\t\tesac")
    w.append("\t\tCOMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" %
             shell_words(names))
    w.append("\t\treturn 0")
    w.append("\tfi")
    if subs:
        w.append("\tif [ $n -eq 0 ]; then")
        w.append("\t\tCOMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" %
                 shell_words(subs))
        w.append("\t\treturn 0")
        w.append("\tfi")
        seconds = {s: ws for s, ws in subs.items() if ws}
        if seconds:
            w.append("\tif [ $n -eq 1 ]; then")
            w.append("\t\tcase $sub in")
            for s, ws in seconds.items():
                w.append("\t\t%s) COMPREPLY=($(compgen -W \"%s\" -- "
                         "\"$cur\")) ;;" % (s, shell_words(ws)))
            w.append("\t\tesac")
            w.append("\tfi")
    elif positional:
        w.append("\tif [ $n -eq 0 ]; then")
        w.append("\t\tCOMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))" %
                 shell_words(positional))
        w.append("\t\treturn 0")
        w.append("\tfi")
        if file_after:
            w.append("\tif [ $n -eq 1 ]; then")
            w.append("\t\tcompopt -o filenames 2>/dev/null")
            w.append("\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))")
            w.append("\tfi")
    w.append("\treturn 0")
    w.append("}")
    w.append("complete -F %s %s" % (fn, prog))
    sys.stdout.write("\n".join(w) + "\n")


if __name__ == "__main__":
    main()
