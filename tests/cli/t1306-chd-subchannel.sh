#!/bin/sh
# CHD subchannel, with chdman as the oracle (#13).  A CD track whose
# frames carry raw P-W (SUBTYPE RW_RAW, what chdman makes of a cdrdao
# RW_RAW track) is read with its subchannel, and a CloneCD image's .sub
# is written so.  Checked: chdman's CHD of a RW_RAW TOC read back by
# optimg gives the source's .sub; optimg's CHD of a .ccd passes chdman
# verify, chdman extractcd gives its sectors and (deinterleaved by
# python here, not by optimg) its .sub, and its overall SHA-1 is the one
# chdman gives the same data through a TOC; CCD -> CHD -> CCD is byte
# for byte; packed R-W (SUBTYPE RW) is named as not read.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool chdman
need_tool python3

# Fixtures from seeded constants: an ISO of noise as a data track, noise
# as an audio track; CCDs made by optimg, so Q is the TOC's (valid CRCs).
"$MKFIXTURE" random "$TMP/noise.dat" 600000 1306
"$MKFIXTURE" iso "$TMP/data.iso" SUBTEST "$TMP/noise.dat"
"$MKFIXTURE" random "$TMP/audio.bin" $((2352 * 450)) 1307
printf 'FILE "data.iso" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n' >"$TMP/data.cue"
printf 'FILE "audio.bin" BINARY\n  TRACK 02 AUDIO\n' >"$TMP/tail.txt"
{ cat "$TMP/data.cue" "$TMP/tail.txt"; printf '    INDEX 01 00:00:00\n'; } >"$TMP/flat.cue"
{ cat "$TMP/data.cue" "$TMP/tail.txt"; printf '    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n'; } >"$TMP/mix.cue"
for c in data flat mix; do
	expect_exit 0 "$OPTIMG" convert "$TMP/$c.cue" "$TMP/$c.ccd"
done
data_bytes=$(($(stat -c %s "$TMP/data.img")))

# frames.py BIN SUB IMG SWAP_FROM: BIN holds 2448-byte frames (a RW_RAW
# TOC's); its raw interleaved P-W, deinterleaved to CloneCD's 12 bytes a
# channel, must be SUB, and its sectors IMG, byte-swapped from byte
# SWAP_FROM on (chdman takes a TOC's audio as big-endian, cdrdao and a
# .ccd's .img hold it little-endian).
cat >"$TMP/frames.py" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
sub = open(sys.argv[2], "rb").read()
img = open(sys.argv[3], "rb").read()
swap_from = int(sys.argv[4])
n = len(b) // 2448
assert len(b) == n * 2448 and len(sub) == n * 96 and len(img) == n * 2352, \
    (len(b), len(sub), len(img))
sectors = bytearray()
for i in range(n):
    raw = b[i * 2448 + 2352:(i + 1) * 2448]
    lin = bytearray(96)
    for c in range(8):
        for k in range(96):
            if raw[k] & (0x80 >> c):
                lin[c * 12 + k // 8] |= 0x80 >> (k % 8)
    assert bytes(lin) == sub[i * 96:(i + 1) * 96], "subchannel of frame %d" % i
    sectors += b[i * 2448:i * 2448 + 2352]
tail = bytearray(sectors[swap_from:])
tail[0::2], tail[1::2] = sectors[swap_from + 1::2], sectors[swap_from::2]
assert bytes(sectors[:swap_from]) + bytes(tail) == img, "sectors differ"
PY

# 1. chdman's CHD of a RW_RAW TOC, read by optimg.
expect_exit 0 "$OPTIMG" convert "$TMP/flat.ccd" "$TMP/flat.toc"
[ "$(grep -c 'RW_RAW' "$TMP/flat.toc")" -eq 2 ] || fail "flat.toc: $(cat "$TMP/flat.toc")"
chdman createcd -f -i "$TMP/flat.toc" -o "$TMP/c-flat.chd" >/dev/null 2>&1 ||
	fail "chdman createcd flat.toc"
[ "$(chdman info -v -i "$TMP/c-flat.chd" | grep -c 'SUBTYPE:RW_RAW')" -eq 2 ] ||
	fail "chdman's CHD lacks SUBTYPE:RW_RAW"
"$OPTIMG" info "$TMP/c-flat.chd" >"$TMP/info"
grep -q "subchannel (96 bytes of P-W a sector) kept" "$TMP/info" || fail "$(cat "$TMP/info")"
frames=$(($(stat -c %s "$TMP/flat.img") / 2352))
grep -q "subq: *$frames sectors: 0 CRC bad, 0 MCN/ISRC, $frames position, $frames of them agree" "$TMP/info" ||
	fail "subq: $(grep subq "$TMP/info")"
mkdir "$TMP/a"
expect_exit 0 "$OPTIMG" convert "$TMP/c-flat.chd" "$TMP/a/flat.ccd"
same_file "$TMP/a/flat.sub" "$TMP/flat.sub"
# The data track as it was; the audio as chdman stored it (swapped).
cmp -n "$data_bytes" "$TMP/a/flat.img" "$TMP/flat.img" || fail "data track differs"
expect_exit 0 "$OPTIMG" convert "$TMP/c-flat.chd" "$TMP/a/flat.toc"
[ "$(grep -c 'RW_RAW' "$TMP/a/flat.toc")" -eq 2 ] || fail "RW_RAW lost: $(cat "$TMP/a/flat.toc")"
python3 "$TMP/frames.py" "$TMP/a/flat.bin" "$TMP/flat.sub" "$TMP/a/flat.img" \
	"$(stat -c %s "$TMP/a/flat.img")" || fail "a/flat.bin: frames differ"

# 2. optimg's CHD of a CloneCD image, checked by chdman.
n=0
for c in data mix; do
	expect_exit 0 "$OPTIMG" convert "$TMP/$c.ccd" "$TMP/$c.chd"
	chdman verify -i "$TMP/$c.chd" >"$TMP/verify" 2>&1 ||
		{ cat "$TMP/verify" >&2; fail "chdman verify $c.chd"; }
	chdman info -v -i "$TMP/$c.chd" | grep -q 'SUBTYPE:RW_RAW' ||
		fail "$c.chd: no SUBTYPE:RW_RAW"
	# As a cue, chdman gives the sectors (audio little-endian) ...
	chdman extractcd -f -i "$TMP/$c.chd" -o "$TMP/x-$c.cue" \
		-ob "$TMP/x-$c.bin" >/dev/null 2>&1 || fail "chdman extractcd $c.chd"
	same_file "$TMP/x-$c.bin" "$TMP/$c.img"
	# ... as a TOC, the subchannel too (audio big-endian).
	chdman extractcd -f -i "$TMP/$c.chd" -o "$TMP/x-$c.toc" \
		-ob "$TMP/x-$c.toc.bin" >/dev/null 2>&1 || fail "chdman extractcd $c.chd"
	python3 "$TMP/frames.py" "$TMP/x-$c.toc.bin" "$TMP/$c.sub" "$TMP/$c.img" \
		"$data_bytes" || fail "chdman's TOC of $c.chd differs"
	# Back to CloneCD, byte for byte.
	mkdir "$TMP/back-$c"
	expect_exit 0 "$OPTIMG" convert "$TMP/$c.chd" "$TMP/back-$c/$c.ccd"
	for ext in ccd img sub; do
		same_file "$TMP/back-$c/$c.$ext" "$TMP/$c.$ext"
	done
	n=$((n + 1))
done

# 3. The same overall SHA-1 as chdman's for the same frames (a data
# track: a TOC's RW_RAW audio is little-endian to optimg, as to cdrdao,
# and big-endian to chdman).
expect_exit 0 "$OPTIMG" convert "$TMP/data.ccd" "$TMP/data.toc"
chdman createcd -f -i "$TMP/data.toc" -o "$TMP/c-data.chd" >/dev/null 2>&1 ||
	fail "chdman createcd data.toc"
sha1_of() {
	chdman info -i "$1" | sed -n 's/^SHA1: *//p'
}
[ -n "$(sha1_of "$TMP/data.chd")" ] &&
	[ "$(sha1_of "$TMP/data.chd")" = "$(sha1_of "$TMP/c-data.chd")" ] ||
	fail "data.chd: SHA-1 $(sha1_of "$TMP/data.chd"), chdman's $(sha1_of "$TMP/c-data.chd")"
expect_exit 0 "$OPTIMG" convert "$TMP/data.toc" "$TMP/t-data.chd"
[ "$(sha1_of "$TMP/t-data.chd")" = "$(sha1_of "$TMP/c-data.chd")" ] ||
	fail "TOC -> CHD: SHA-1 differs from chdman's"

# 4. Packed R-W (cdrdao's RW) is stored by chdman as it is; optimg reads
# the sectors and says the subchannel is not read.
sed 's/RW_RAW/RW/' "$TMP/data.toc" >"$TMP/rw.toc"
chdman createcd -f -i "$TMP/rw.toc" -o "$TMP/rw.chd" >/dev/null 2>&1 ||
	fail "chdman createcd rw.toc"
chdman info -v -i "$TMP/rw.chd" | grep -q 'SUBTYPE:RW ' || fail "rw.chd: no SUBTYPE:RW"
expect_exit 0 "$OPTIMG" convert "$TMP/rw.chd" "$TMP/rw.iso"
grep -q "track 1's subcode (packed R-W after 2352-byte sectors) is not read" \
	"$TMP/err" || fail "no warning: $(cat "$TMP/err")"
same_file "$TMP/rw.iso" "$TMP/data.iso"

echo "$n CHDs with subchannel written that chdman verifies and extracts"
