#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Docs link check: every relative link and anchor in README.md and
docs/**/*.md must resolve.

    python3 tests/lint/check_docs.py [FILE.md...]

A link is [text](target), ![alt](target) or a reference definition
"[id]: target", outside fenced code blocks and inline code.  Links to
http(s):// and mailto: are not checked.  A relative target must name an
existing file or directory inside the repository; its #anchor, or a bare
#anchor, must be the GitHub-style slug of a heading of that Markdown file
(lowercase, punctuation removed except '-' and '_', each space turned into
'-', "-1", "-2"... for repeated headings) or an explicit <a id=...> /
<a name=...>.  Anchors into files that are not Markdown are not checked.

Prints "file:line: broken link X" for each broken one and exits 1, else
prints "docs: N links ok" (N: the links checked) and exits 0.  Python 3
standard library only.
"""
import os
import re
import sys
import urllib.parse

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# [text](target) and ![alt](target); the text may hold one level of [...]
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HTML_ANCHOR = re.compile(r"<a\s+[^>]*(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)
EXTERNAL = re.compile(r"^(https?:|mailto:)", re.I)


def slug(text):
    """GitHub's anchor for a heading's text."""
    # the rendered text: links keep their text, images their alt, code its
    # content; emphasis markers and HTML tags go
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def markdown_lines(path):
    """(number, line, in_code) for each line of PATH."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fence = None
    for i, line in enumerate(lines, 1):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            yield i, line, True
            continue
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) <= {fence[0]}:
                fence = None
            yield i, line, True
            continue
        yield i, line, False


_anchors = {}


def anchors(path):
    """The anchors a Markdown file defines."""
    if path in _anchors:
        return _anchors[path]
    found = set()
    seen = {}
    previous = None
    for _, line, code in markdown_lines(path):
        text = None
        if not code:
            m = HEADING.match(line)
            if m:
                text = m.group(2)
            elif previous is not None and previous.strip() and SETEXT.match(line) \
                    and not HEADING.match(previous):
                text = previous.strip()
            for a in HTML_ANCHOR.findall(line):
                found.add(a)
        if text is not None:
            s = slug(INLINE_CODE.sub(lambda c: c.group(2), text))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else "%s-%d" % (s, n))
        previous = None if code else line
    _anchors[path] = found
    return found


def links(path):
    """(line number, target) of each link of PATH."""
    for number, line, code in markdown_lines(path):
        if code:
            continue
        m = REF_DEF.match(line)
        if m:
            yield number, m.group(1)
            continue
        plain = INLINE_CODE.sub(lambda c: " " * len(c.group(0)), line)
        for m in INLINE_LINK.finditer(plain):
            yield number, m.group(1)


def broken(path, target):
    """Why TARGET, linked from PATH, does not resolve; None when it does;
    False when it is not checked (an external link)."""
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1]
    if EXTERNAL.match(target):
        return False
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
        return "not a relative link"
    part, _, anchor = target.partition("#")
    part = urllib.parse.unquote(part)
    anchor = urllib.parse.unquote(anchor)
    if part == "":
        dest = path
    elif part.startswith("/"):
        dest = os.path.join(ROOT, part.lstrip("/"))
    else:
        dest = os.path.join(os.path.dirname(path), part)
    dest = os.path.realpath(dest)
    if dest != ROOT and not dest.startswith(ROOT + os.sep):
        return "outside the repository"
    if not os.path.exists(dest):
        return "no such file"
    if anchor == "":
        return None
    if os.path.isdir(dest) or not dest.endswith(".md"):
        return None if not os.path.isdir(dest) else "anchor on a directory"
    if anchor not in anchors(dest):
        return "no such heading"
    return None


def default_files():
    files = [os.path.join(ROOT, "README.md")]
    for base, dirs, names in os.walk(os.path.join(ROOT, "docs")):
        dirs.sort()
        files += [os.path.join(base, n) for n in sorted(names) if n.endswith(".md")]
    return [f for f in files if os.path.exists(f)]


def main(argv):
    files = [os.path.realpath(a) for a in argv[1:]] or default_files()
    ok = 0
    bad = 0
    for path in files:
        rel = os.path.relpath(path, ROOT)
        for number, target in links(path):
            why = broken(path, target)
            if why is None:
                ok += 1
            elif why is not False:
                bad += 1
                print("%s:%d: broken link %s" % (rel, number, target))
    if bad:
        return 1
    print("docs: %d links ok" % ok)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
