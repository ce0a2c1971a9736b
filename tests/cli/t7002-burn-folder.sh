#!/bin/sh
# optimg burn FOLDER: the mkiso writer streamed into libburn (no temporary
# image), onto a stdio: pseudo-drive, verified, and extracted identically
# by xorriso.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso

mkdir -p "$TMP/tree/docs/deep/er" "$TMP/tree/empty"
echo "first file" >"$TMP/tree/a.txt"
SEED=${OPTIMG_TEST_SEED:-7002}
echo "seed $SEED"
"$MKFIXTURE" random "$TMP/tree/docs/random.bin" 1234567 "$SEED"
"$MKFIXTURE" random "$TMP/tree/docs/deep/er/one-sector" 2048 $((SEED + 1))
printf '' >"$TMP/tree/docs/zero-length"
ln -s a.txt "$TMP/tree/link"

expect_exit 0 "$OPTIMG" burn --dry-run "$TMP/tree"
grep -q "^format:   folder" "$TMP/out" || fail "dry-run: $(cat "$TMP/out")"
[ ! -e "$TMP/f.img" ] || fail "dry-run wrote"

expect_exit 0 "$OPTIMG" burn "$TMP/tree" --drive "stdio:$TMP/f.img" --volid TREE
grep -q "verified" "$TMP/out" || fail "no verify: $(cat "$TMP/out")"
mkdir "$TMP/x"
xorriso -osirrox on -indev "$TMP/f.img" -extract / "$TMP/x" >/dev/null \
	2>"$TMP/xerr" || { cat "$TMP/xerr" >&2; fail "xorriso extract"; }
diff -r "$TMP/tree" "$TMP/x" || fail "extracted tree differs"
[ "$(readlink "$TMP/x/link")" = a.txt ] || fail "symlink lost"
xorriso -indev "$TMP/f.img" -pvd_info 2>/dev/null | grep -q "Volume Id    : TREE" ||
	fail "volume id"

# The burnt stream is what mkiso makes of the same tree.
SOURCE_DATE_EPOCH=1700000000 "$OPTIMG" burn -q "$TMP/tree" \
	--drive "stdio:$TMP/g.img" --volid TREE || fail "burn with a date"
SOURCE_DATE_EPOCH=1700000000 "$OPTIMG" mkiso -q -V TREE "$TMP/tree" \
	-o "$TMP/g.iso" || fail "mkiso"
cmp -n "$(wc -c <"$TMP/g.iso")" "$TMP/g.iso" "$TMP/g.img" ||
	fail "burnt folder differs from mkiso's image"

# A corrupted target: the stream's per-sector checksums name the sector
# (the folder is made again, the same with the same SOURCE_DATE_EPOCH).
printf 'Z' | dd of="$TMP/g.img" bs=1 seek=$((2048 * 40)) conv=notrunc 2>/dev/null
SOURCE_DATE_EPOCH=1700000000 expect_exit 1 "$OPTIMG" burn "$TMP/tree" \
	--drive "stdio:$TMP/g.img" --volid TREE --verify-only
grep -q "verify: track 1: 1 bad sector, first at 40$" "$TMP/err" ||
	fail "bad sector not named: $(cat "$TMP/err")"
echo ok
