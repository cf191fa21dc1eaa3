#!/usr/bin/env python3
"""pdf_fonts.py FILE.pdf [MIN_PT] - the smallest text size in a cairo PDF.

Inflates every content stream, follows q/Q and cm, and takes each text
matrix (Tm) times the font size (Tf) times the current transformation: the
size of a glyph on the page in points, whatever its rotation.  Prints the
smallest size and how many text runs are below MIN_PT (default 7); exits 1
when any is.  Only the operators cairo's PDF surface writes are needed.
"""
import math
import re
import sys
import zlib

NUM = rb'(-?[0-9.]+)'
OP = re.compile(rb'(?:' + (NUM + rb'\s+') * 6 + rb'(cm|Tm))|(?:' + NUM +
                rb'\s+Tf)|(?<![A-Za-z])(q|Q)(?![A-Za-z])')


def mul(a, b):
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]]


def sizes(stream):
    ctm, stack, tf, out = [1, 0, 0, 1], [], 1.0, []
    # text strings may contain operator-like bytes: drop (...) literals
    body = re.sub(rb'\((?:\\.|[^\\)])*\)', b'()', stream)
    for m in OP.finditer(body):
        if m.group(9):
            if m.group(9) == b'q':
                stack.append(ctm)
            elif stack:
                ctm = stack.pop()
        elif m.group(8):
            tf = float(m.group(8))
        else:
            mat = [float(m.group(k)) for k in range(1, 5)]
            if m.group(7) == b'cm':
                ctm = mul(mat, ctm)
            else:
                t = mul(mat, ctm)
                out.append((t, tf))
    # Tf may follow Tm inside a BT block: size is Tm scale x Tf
    return [math.sqrt(abs(t[0] * t[3] - t[1] * t[2])) * tf for t, tf in out]


def main():
    path = sys.argv[1]
    floor = float(sys.argv[2]) if len(sys.argv) > 2 else 7.0
    data = open(path, 'rb').read()
    found = []
    for m in re.finditer(rb'stream\r?\n(.*?)endstream', data, re.S):
        try:
            s = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        found += sizes(s)
    if not found:
        print('%s: no text found' % path)
        return 1
    small = [s for s in found if s < floor - 1e-6]
    print('%s: %d text runs, smallest %.2f pt, %d below %.1f pt' %
          (path, len(found), min(found), len(small), floor))
    return 1 if small else 0


if __name__ == '__main__':
    sys.exit(main())
