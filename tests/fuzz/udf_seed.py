#!/usr/bin/env python3
"""udf_seed.py IMAGE OUT: the sectors of IMAGE that are not all zero, as
fuzz_udf.c reads its input: a 2-byte little-endian sector number, then
the sector's 2048 bytes (the last sector cut after its last nonzero byte).
Sectors past 4095 and the anchor's copies after sector 256 (tag 2) are
left out, which keeps seeds small."""
import sys

data = open(sys.argv[1], "rb").read()
out = bytearray()
last = None
for s in range(min(len(data) // 2048, 4096)):
    sec = data[s * 2048:(s + 1) * 2048]
    if s > 256 and sec[:2] == b"\2\0":
        continue
    if sec.strip(b"\0"):
        out += s.to_bytes(2, "little") + sec
        last = sec
if last is not None:
    out = out[:len(out) - len(last) + len(last.rstrip(b"\0"))]
open(sys.argv[2], "wb").write(bytes(out))
