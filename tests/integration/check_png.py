#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Checks a PNG screenshot: it decodes, is not blank, and holds at least N
pixels of each colour given as RRGGBB:N.  Standard library only (8-bit
RGB or RGBA, not interlaced, as Chromium writes them).

usage: check_png.py FILE RRGGBB:N...
"""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(
                ">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError("unsupported PNG format")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    out = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pr) & 255
        out.append(bytes(line))
        prev = line
    return w, h, bpp, out


def main():
    w, h, bpp, rows = pixels(sys.argv[1])
    counts, other = {}, 0
    for row in rows:
        for x in range(0, len(row), bpp):
            rgb = row[x:x + 3].hex()
            counts[rgb] = counts.get(rgb, 0) + 1
    white = counts.get("ffffff", 0)
    bad = 0
    if white > 0.995 * w * h:
        print("blank page: %d of %d pixels white" % (white, w * h))
        bad = 1
    for arg in sys.argv[2:]:
        colour, need = arg.split(":")
        have = counts.get(colour.lower(), 0)
        if have < int(need):
            print("colour %s: %d pixels, want %s" % (colour, have, need))
            bad = 1
    print("%dx%d, %d colours" % (w, h, len(counts)))
    return bad


if __name__ == "__main__":
    sys.exit(main())
