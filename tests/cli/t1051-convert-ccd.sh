#!/bin/sh
# A cue written as CloneCD: ccd2iso (an independent reader of the .img)
# gives the same ISO as optimg's own cue -> ISO, the .sub holds P and Q
# made from the TOC with valid Q CRCs, and the .ccd has the full TOC.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool ccd2iso

"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/x.ccd"
for f in x.img x.sub x.ccd; do [ -f "$TMP/$f" ] || fail "$f not written"; done
n=$(( $(stat -c %s "$TMP/x.img") / 2352 ))
[ $(( n * 96 )) -eq "$(stat -c %s "$TMP/x.sub")" ] || fail ".sub is not 96 bytes a sector"
ccd2iso "$TMP/x.img" "$TMP/y.iso" >/dev/null 2>&1 || fail "ccd2iso failed"
"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/z.iso"
same_file "$TMP/y.iso" "$TMP/z.iso"
grep -q '^Point=0xa2$' "$TMP/x.ccd" || fail "no lead-out entry"
grep -q "^PLBA=$n$" "$TMP/x.ccd" || fail "lead-out PLBA is not $n"
grep -q '^CATALOG=0000012101954$' "$TMP/x.ccd" || fail "catalog lost"
python3 - "$TMP/x.sub" "$n" <<'PY' || fail "Q subchannel"
import sys
sub = open(sys.argv[1], "rb").read()
def crc(q):
    c = 0
    for b in q[:10]:
        c ^= b << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else c << 1
            c &= 0xffff
    return c ^ 0xffff
for lba in range(int(sys.argv[2])):
    q = sub[lba * 96 + 12: lba * 96 + 24]
    assert crc(q) == (q[10] << 8 | q[11]), lba
    assert q[0] == 0x41 and q[1] == 1 and q[2] == 1, (lba, q.hex())
    f = lba + 150
    bcd = lambda v: (v // 10) << 4 | v % 10
    assert q[7:10] == bytes([bcd(f // 4500), bcd(f // 75 % 60), bcd(f % 75)]), lba
PY

# What a CloneCD image cannot hold is named.
expect_exit 1 "$OPTIMG" convert "$TESTDATA/cdda.cue" "$TMP/c.ccd"
grep -q "cannot hold the image's CD-TEXT" "$TMP/err" || fail "$(cat "$TMP/err")"
grep -q -- "--lossy" "$TMP/err" || fail "no --lossy hint: $(cat "$TMP/err")"
"$OPTIMG" convert -q --lossy "$TESTDATA/cdda.cue" "$TMP/c.ccd"
cmp "$TMP/c.img" "$TESTDATA/cdda.bin" || fail "audio .img differs from the bin"

# Read back: the CloneCD reader gives the same tracks, the cue's bin again
# (its subchannel is what a cue cannot hold), and CCD -> CCD is identical.
"$OPTIMG" info "$TMP/x.ccd" | grep -q 'subchannel (96 bytes of P-W a sector) kept' ||
	fail "the .sub was not taken"
expect_exit 1 "$OPTIMG" convert "$TMP/x.ccd" "$TMP/b.cue"
grep -q "a cue sheet cannot hold the image's subchannel (track 1)" "$TMP/err" ||
	fail "$(cat "$TMP/err")"
"$OPTIMG" convert -q --lossy "$TMP/x.ccd" "$TMP/b.cue"
same_file "$TMP/b.bin" "$TESTDATA/isofs-m1.bin"
mkdir "$TMP/again"
"$OPTIMG" convert -q "$TMP/x.ccd" "$TMP/again/x.ccd"
for f in x.img x.sub x.ccd; do same_file "$TMP/$f" "$TMP/again/$f"; done
[ "$("$OPTIMG" cat "$TMP/x.ccd" /COPYING | head -c 100)" = "$(head -c 100 "$TMP/z.iso" >/dev/null; "$OPTIMG" cat "$TESTDATA/isofs-m1.cue" /COPYING | head -c 100)" ] ||
	fail "a file read through the CloneCD image differs"
