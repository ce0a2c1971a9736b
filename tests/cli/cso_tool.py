#!/usr/bin/env python3
"""cso_tool.py: CSO/ZSO made and read from maxcso's README_CSO.md alone,
as an oracle independent of optimg's code.

  cso_tool.py pack KIND IN.iso OUT   KIND: v1 (deflate, index shift 1,
                                     every third block stored), v2
                                     (deflate and LZ4 mixed), zso (LZ4)
  cso_tool.py unpack IN OUT.iso      any of them
"""
import struct
import sys
import zlib

BLOCK = 2048


def lz4():
    import lz4.block
    return lz4.block


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def pack(kind, src, dst):
    data = open(src, "rb").read()
    n = (len(data) + BLOCK - 1) // BLOCK
    magic = b"ZISO" if kind == "zso" else b"CISO"
    version = 2 if kind == "v2" else 1
    shift = 1 if kind == "v1" else 0
    out = bytearray(struct.pack("<4sIQIBBH", magic, 0x18, len(data), BLOCK,
                                version, shift, 0))
    index_at = len(out)
    out += bytes(4 * (n + 1))
    index = []
    for i in range(n):
        block = data[i * BLOCK:(i + 1) * BLOCK]
        while len(out) % (1 << shift):
            out += b"\0"
        pos = len(out) >> shift
        if kind == "zso":
            comp, flag = lz4().compress(block, mode="high_compression",
                                        store_size=False), 0
        elif kind == "v2":
            if i % 2:
                comp, flag = lz4().compress(block, store_size=False), 1 << 31
            else:
                comp, flag = deflate(block), 0
        else:
            comp, flag = deflate(block), 0
        stored = len(comp) >= BLOCK or (kind == "v1" and i % 3 == 0)
        if stored:
            out += block
            index.append(pos | (0 if kind == "v2" else 1 << 31))
        else:
            out += comp
            index.append(pos | flag)
    while len(out) % (1 << shift):
        out += b"\0"
    index.append(len(out) >> shift)
    out[index_at:index_at + 4 * (n + 1)] = struct.pack("<%dI" % (n + 1),
                                                       *index)
    open(dst, "wb").write(out)


def unpack(src, dst):
    f = open(src, "rb").read()
    magic, _, size, block, version, shift, _ = struct.unpack_from(
        "<4sIQIBBH", f)
    n = (size + block - 1) // block
    index = struct.unpack_from("<%dI" % (n + 1), f, 0x18)
    out = bytearray()
    for i in range(n):
        a = (index[i] & 0x7fffffff) << shift
        b = (index[i + 1] & 0x7fffffff) << shift
        want = min(block, size - i * block)
        high = index[i] >> 31
        raw = f[a:b]
        if version == 2:
            if b - a >= block:
                out += raw[:want]
            elif high:
                out += lz4().decompress(raw, uncompressed_size=want)
            else:
                out += zlib.decompressobj(-15).decompress(raw)[:want]
        elif high:
            out += raw[:want]
        elif magic == b"ZISO":
            out += lz4().decompress(raw, uncompressed_size=want)
        else:
            out += zlib.decompressobj(-15).decompress(raw)[:want]
    open(dst, "wb").write(out)


if sys.argv[1] == "pack":
    pack(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    unpack(sys.argv[2], sys.argv[3])
