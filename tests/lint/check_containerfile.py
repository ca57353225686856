#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Static check of deploy/container/Containerfile (make lint): what can be
said of the image without building it (a build needs the network for the
base image and Debian's packages).

  * every stage starts FROM a Debian image (debian:TAG, debian:TAG-slim);
  * nothing is fetched but Debian packages: no ADD of a URL, no curl,
    wget, git clone, pip or npm in a RUN; apt-get install with
    --no-install-recommends and -y;
  * every file COPY takes from the build context exists in the tree;
  * the last stage runs as a user that is not root, declares the volume
    /var/lib/livrazou, and has an ENTRYPOINT that a COPY put there;
  * with --bin DIR (the programs built): every shared library they link
    (readelf -d, NEEDED) belongs to a Debian package (dpkg -S) that the
    last stage installs, or to libc6, which every Debian image has.

    check_containerfile.py [--bin DIR] [CONTAINERFILE]

Prints one line per problem and exits 1 when there is one, else
"containerfile: ok (N stages)".  Python 3 standard library only (--bin
also needs readelf and dpkg).
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
FETCH = re.compile(r"\b(curl|wget|git\s+clone|pip3?\s+install|npm\s|"
                   r"apt-key|add-apt-repository)\b")
BASE = re.compile(r"^(docker\.io/(library/)?)?debian:[a-z0-9._-]+$")


def instructions(text):
    """(line number, INSTRUCTION, arguments), continuation lines joined,
    comments dropped."""
    out, buf, start = [], "", 0
    for n, line in enumerate(text.splitlines(), 1):
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue
        if not buf:
            start = n
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        parts = buf.strip().split(None, 1)
        out.append((start, parts[0].upper(), parts[1] if len(parts) > 1
                    else ""))
        buf = ""
    return out


def needed_packages(bindir):
    libs = set()
    for b in glob.glob(os.path.join(bindir, "*")):
        out = subprocess.run(["readelf", "-d", b], capture_output=True,
                             text=True).stdout
        libs |= set(re.findall(r"\(NEEDED\).*\[(.+)\]", out))
    # a sanitizer build (make check-asan) links its runtimes, which the
    # image -- a release build -- never has
    libs = {l for l in libs if not re.match(r"lib(asan|ubsan|lsan|tsan)\.so", l)}
    owners = {}
    for lib in sorted(libs):
        out = subprocess.run(["dpkg", "-S", "*/" + lib], capture_output=True,
                             text=True).stdout
        owners[lib] = {p.split(":")[0].strip()
                       for l in out.splitlines()
                       for p in l.split(":", 1)[0].split(",")}
    return owners


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("file", nargs="?", default=os.path.join(
        ROOT, "deploy", "container", "Containerfile"))
    a = ap.parse_args()
    problems = []
    text = open(a.file).read()
    ins = instructions(text)
    args = {}
    stages = []  # lists of instructions
    for n, op, rest in ins:
        if op == "ARG" and not stages:
            k, _, v = rest.partition("=")
            args[k.strip()] = v.strip()
            continue
        if op == "FROM":
            stages.append([])
        if not stages:
            problems.append("%d: %s before FROM" % (n, op))
            continue
        stages[-1].append((n, op, rest))
    if not stages:
        problems.append("no FROM")
    for st in stages:
        n, _, rest = st[0]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), ""),
                       rest.split()[0])
        if not BASE.match(image):
            problems.append("%d: FROM %s: not a Debian image" % (n, image))
        for n, op, rest in st:
            if op == "ADD" and re.search(r"\b(https?|ftp)://", rest):
                problems.append("%d: ADD of a URL" % n)
            if op == "RUN":
                m = FETCH.search(rest)
                if m:
                    problems.append("%d: RUN fetches with %s" % (n,
                                                                 m.group(1)))
                for inst in re.findall(r"apt-get\s+install\b[^&;|]*", rest):
                    if "--no-install-recommends" not in inst:
                        problems.append("%d: apt-get install without "
                                        "--no-install-recommends" % n)
                    if not re.search(r"\s-y\b|--yes\b", inst):
                        problems.append("%d: apt-get install without -y"
                                        % n)
            if op in ("COPY", "ADD") and "--from=" not in rest:
                srcs = shlex.split(rest)[:-1]
                for s in srcs:
                    if s.startswith("--"):
                        continue
                    if not glob.glob(os.path.join(ROOT, s)):
                        problems.append("%d: COPY %s: not in the tree"
                                        % (n, s))
    last = stages[-1] if stages else []
    users = [rest for n, op, rest in last if op == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        problems.append("the image does not run as a user other than root")
    vols = " ".join(rest for n, op, rest in last if op == "VOLUME")
    if "/var/lib/livrazou" not in vols:
        problems.append("no VOLUME /var/lib/livrazou")
    eps = [rest for n, op, rest in last if op == "ENTRYPOINT"]
    copied = {shlex.split(rest)[-1] for n, op, rest in last if op == "COPY"}
    if not eps:
        problems.append("no ENTRYPOINT")
    else:
        try:
            ep = __import__("json").loads(eps[-1])[0]
        except ValueError:
            ep = shlex.split(eps[-1])[0]
        if ep not in copied:
            problems.append("ENTRYPOINT %s: no COPY puts it there" % ep)
    if a.bin:
        installed = set()
        for n, op, rest in last:
            if op == "RUN":
                for inst in re.findall(r"apt-get\s+install\b([^&;|]*)",
                                       rest):
                    installed |= {w for w in inst.split()
                                  if not w.startswith("-")}
        owners = needed_packages(a.bin)
        if not owners:
            problems.append("%s: no program links a library" % a.bin)
        for lib, pkgs in owners.items():
            if not pkgs & (installed | {"libc6"}):
                problems.append("%s (from %s) is not installed in the "
                                "image" % (lib, " or ".join(sorted(pkgs))
                                           or "no package"))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("containerfile: ok (%d stages)" % len(stages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
