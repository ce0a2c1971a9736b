#!/bin/sh
# optimg mkiso: a sparse 4.5 GiB file becomes a multi-extent file that
# xorriso, bsdtar and optimg read back byte for byte.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso
avail=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
[ "$avail" -gt 12000000 ] || skip "needs 12 GB free in $TMP"

mkdir "$TMP/src"
big="$TMP/src/big.bin"
size=$((4 * 1024 * 1024 * 1024 + 512 * 1024 * 1024 + 123))
truncate -s "$size" "$big"
# Marks at the start, across the first extent's end, and at the end.
printf 'start' | dd of="$big" conv=notrunc bs=1 seek=0 2>/dev/null
printf 'across the 4 GiB - 2048 boundary' |
	dd of="$big" conv=notrunc bs=1 seek=$((4294965248 - 10)) 2>/dev/null
printf 'end' | dd of="$big" conv=notrunc bs=1 seek=$((size - 3)) 2>/dev/null
echo small >"$TMP/src/small.txt"

"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/a.iso" || fail "mkiso failed"

# The ISO records: two records named BIG.BIN;1, the first with flag 0x80.
xorriso -indev "$TMP/a.iso" -lsl /big.bin 2>/dev/null | grep -q " $size " ||
	fail "xorriso sees a different size"
mkdir "$TMP/x"
xorriso -osirrox on -indev "$TMP/a.iso" -extract /big.bin "$TMP/x/big.bin" \
	>/dev/null 2>&1 || fail "xorriso extract"
cmp "$big" "$TMP/x/big.bin" || fail "xorriso read back differs"
rm -f "$TMP/x/big.bin"

if command -v bsdtar >/dev/null 2>&1; then
	bsdtar tvf "$TMP/a.iso" | grep -q " $size .*big.bin" ||
		fail "bsdtar sees a different size"
fi
mkdir "$TMP/o"
"$OPTIMG" extract -q -C "$TMP/o" "$TMP/a.iso" /big.bin || fail "optimg extract"
cmp "$big" "$TMP/o/big.bin" || fail "optimg read back differs"
exit 0
