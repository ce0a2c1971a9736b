#!/usr/bin/env python3
"""ECM v1 written from the format's description alone (Neill Corlett's
ecm.c/unecm.c, 2002), as a second implementation to check optimg against:
Debian has no ecm package.

    ecm_tool.py unpack IN.ecm OUT.bin   decode, checking the final EDC
    ecm_tool.py pack IN.bin OUT.ecm     encode, one record per sector
    ecm_tool.py mode2 OUT.bin N SEED    N raw Mode 2 Form 1/Form 2 sectors

The packer cuts records differently from optimg (one per sector, literal
runs kept whole), so optimg's reader sees a layout its writer never makes.
"""
import sys

SYNC = b"\x00" + b"\xff" * 10 + b"\x00"

F_LUT = [0] * 256
B_LUT = [0] * 256
EDC_LUT = [0] * 256
for i in range(256):
    j = ((i << 1) ^ (0x11D if i & 0x80 else 0)) & 0xFF
    F_LUT[i] = j
    B_LUT[i ^ j] = i
    e = i
    for _ in range(8):
        e = (e >> 1) ^ (0xD8018001 if e & 1 else 0)
    EDC_LUT[i] = e


def edc(data, e=0):
    for b in data:
        e = (e >> 8) ^ EDC_LUT[(e ^ b) & 0xFF]
    return e


def ecc_block(src, major_count, minor_count, major_mult, minor_inc):
    size = major_count * minor_count
    out = bytearray(2 * major_count)
    for major in range(major_count):
        index = (major >> 1) * major_mult + (major & 1)
        a = b = 0
        for _ in range(minor_count):
            t = src[index]
            index += minor_inc
            if index >= size:
                index -= size
            a ^= t
            b ^= t
            a = F_LUT[a]
        a = B_LUT[F_LUT[a] ^ b]
        out[major] = a
        out[major + major_count] = a ^ b
    return out


def ecc_generate(s, zero_address):
    """P and Q of a 2352-byte bytearray, in place."""
    saved = bytes(s[12:16])
    if zero_address:
        s[12:16] = b"\0\0\0\0"
    s[0x81C:0x8C8] = ecc_block(s[12:], 86, 24, 2, 86)
    s[0x8C8:0x930] = ecc_block(s[12:], 52, 43, 86, 88)
    s[12:16] = saved


def rebuild(kind, stored):
    s = bytearray(2352)
    if kind == 1:
        s[0:12] = SYNC
        s[12:15] = stored[0:3]
        s[15] = 1
        s[16:0x810] = stored[3:]
        s[0x810:0x814] = edc(s[0:0x810]).to_bytes(4, "little")
        ecc_generate(s, False)
        return bytes(s)
    s[0x14:0x14 + len(stored)] = stored
    s[0x10:0x14] = s[0x14:0x18]
    if kind == 2:
        s[0x818:0x81C] = edc(s[0x10:0x818]).to_bytes(4, "little")
        ecc_generate(s, True)
    else:
        s[0x92C:0x930] = edc(s[0x10:0x92C]).to_bytes(4, "little")
    return bytes(s[16:])


STORED = {1: 2051, 2: 2052, 3: 2328}


def unpack(data):
    if data[:4] != b"ECM\0":
        raise SystemExit("not ECM")
    pos, out = 4, bytearray()
    while True:
        c = data[pos]
        pos += 1
        kind, num, bits = c & 3, (c >> 2) & 0x1F, 5
        while c & 0x80:
            c = data[pos]
            pos += 1
            num |= (c & 0x7F) << bits
            bits += 7
        if num == 0xFFFFFFFF:
            break
        num += 1
        if kind == 0:
            out += data[pos:pos + num]
            pos += num
            continue
        for _ in range(num):
            out += rebuild(kind, data[pos:pos + STORED[kind]])
            pos += STORED[kind]
    want = int.from_bytes(data[pos:pos + 4], "little")
    if edc(out) != want:
        raise SystemExit("EDC mismatch")
    return bytes(out)


def classify(d, at):
    s = d[at:at + 2352]
    if len(s) == 2352 and s[0:12] == SYNC and s[15] == 1 and \
            s[0x814:0x81C] == b"\0" * 8 and \
            edc(s[0:0x810]) == int.from_bytes(s[0x810:0x814], "little"):
        t = bytearray(s)
        ecc_generate(t, False)
        if t[0x81C:] == s[0x81C:]:
            return 1
    b = d[at:at + 2336]
    if len(b) < 2336 or b[0:4] != b[4:8]:
        return 0
    if edc(b[0:0x808]) == int.from_bytes(b[0x808:0x80C], "little"):
        t = bytearray(16) + bytearray(b)
        ecc_generate(t, True)
        if t[0x81C:] == b[0x80C:]:
            return 2
    if edc(b[0:0x91C]) == int.from_bytes(b[0x91C:0x920], "little"):
        return 3
    return 0


def head(kind, count):
    n = count - 1 if count else 0xFFFFFFFF
    out = bytearray([(0x80 if n >= 32 else 0) | (n & 31) << 2 | kind])
    n >>= 5
    while n:
        out.append((0x80 if n >= 128 else 0) | (n & 127))
        n >>= 7
    return bytes(out)


def pack(d):
    out, at, lit = bytearray(b"ECM\0"), 0, bytearray()
    while at < len(d):
        # Sectors start at a sync or 16 bytes after one; elsewhere skip on.
        kind = classify(d, at) if d[at:at + 12] == SYNC or \
            d[at - 16:at - 4] == SYNC or d[at:at + 4] == d[at + 4:at + 8] \
            else 0
        if kind == 0:
            lit.append(d[at])
            at += 1
            continue
        if lit:
            out += head(0, len(lit)) + lit
            lit = bytearray()
        s = d[at:at + (2352 if kind == 1 else 2336)]
        out += head(kind, 1)
        out += s[12:15] + s[16:0x810] if kind == 1 else s[4:4 + STORED[kind]]
        at += len(s)
    if lit:
        out += head(0, len(lit)) + lit
    out += head(0, 0) + edc(d).to_bytes(4, "little")
    return bytes(out)


def bcd(n):
    return (n // 10) << 4 | n % 10


def mode2(count, seed):
    """count raw Mode 2 sectors, Form 1 and Form 2 by turns, seeded."""
    import random
    rnd, out = random.Random(seed), bytearray()
    for lba in range(count):
        a = lba + 150
        s = bytearray(2352)
        s[0:12] = SYNC
        s[12:16] = bytes([bcd(a // 4500), bcd(a // 75 % 60), bcd(a % 75), 2])
        form2 = lba % 3 == 2
        sub = bytes([0, 0, 0x20 if form2 else 0x08, 0])
        s[16:24] = sub + sub
        n = 2324 if form2 else 2048
        s[24:24 + n] = bytes(rnd.getrandbits(8) for _ in range(n))
        if form2:
            s[0x92C:0x930] = edc(s[16:0x92C]).to_bytes(4, "little")
        else:
            s[0x818:0x81C] = edc(s[16:0x818]).to_bytes(4, "little")
            ecc_generate(s, True)
        out += s
    return bytes(out)


def main():
    if sys.argv[1] == "mode2":
        with open(sys.argv[2], "wb") as f:
            f.write(mode2(int(sys.argv[3]), int(sys.argv[4])))
        return
    cmd, src, dst = sys.argv[1:4]
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(unpack(data) if cmd == "unpack" else pack(data))


main()
