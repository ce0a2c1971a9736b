#!/bin/sh
# An extraction bomb (issue #15, fault 9): an image whose entries share one
# extent used to extract to 100+ times its size without a word.  Shared
# data is reported, 10 times the image's size warns, 100 times stops
# unless --no-limits.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

mkdir "$TMP/src"
/usr/bin/python3 - "$TMP/src" <<'PY'
import os, random, sys
random.seed(15)
d = sys.argv[1]
open(os.path.join(d, "big.bin"), "wb").write(random.randbytes(1 << 20))
for i in range(150):
    open(os.path.join(d, "f%03d" % i), "wb").write(bytes([i]))
PY
"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/b.iso"
"$OPTIMG" ls -l "$TMP/b.iso" >"$TMP/ls"
# Point every small file's records (ISO and Joliet) at big.bin's extent.
/usr/bin/python3 - "$TMP/b.iso" "$TMP/ls" <<'PY'
import struct, sys
img = bytearray(open(sys.argv[1], "rb").read())
rows = [l.split() for l in open(sys.argv[2])]
lba = {r[-1]: int(r[-2]) for r in rows}
both = lambda v: struct.pack("<I", v) + struct.pack(">I", v)
new = both(lba["big.bin"]) + both(1 << 20)
n = 0
for name, l in lba.items():
    if name.startswith("f"):
        old = both(l) + both(1)
        n += img.count(old)
        img = img.replace(old, new)
assert n >= 150, n
open(sys.argv[1], "wb").write(img)
PY
size=$(stat -c %s "$TMP/b.iso")

mkdir "$TMP/x"
expect_exit 1 "$OPTIMG" extract -q "$TMP/b.iso" -C "$TMP/x"
grep -q "shares its data with another file" "$TMP/err" || fail "no shared-data warning: $(cat "$TMP/err")"
grep -q "pass 10 times the image's" "$TMP/err" || fail "no 10x warning: $(cat "$TMP/err")"
grep -q "pass 100 times the image's" "$TMP/err" || fail "no 100x stop: $(cat "$TMP/err")"
written=$(du -sb "$TMP/x" | cut -f1)
[ "$written" -le $((size * 101)) ] || fail "wrote $written bytes from a $size-byte image"

mkdir "$TMP/y"
"$OPTIMG" extract -q --no-limits "$TMP/b.iso" -C "$TMP/y" 2>"$TMP/err" ||
	fail "--no-limits: $(cat "$TMP/err")"
grep -q "pass 10 times the image's" "$TMP/err" || fail "no 10x warning with --no-limits"
same_file "$TMP/src/big.bin" "$TMP/y/f149"
echo ok
