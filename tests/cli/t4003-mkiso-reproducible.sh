#!/bin/sh
# optimg mkiso: SOURCE_DATE_EPOCH makes byte-identical images (dates
# clamped, GUIDs and disk ids derived from the tree); outputs are never
# written over inputs or existing files without --force; exit statuses.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"

$PY "$SRCDIR/tests/cli/mkiso_tree.py" gen 4003 "$TMP/src"
printf 'FAT' >"$TMP/src/efi.img"
opts="-V REPRO --efi-boot efi.img --gpt --boot-catalog boot.cat"

SOURCE_DATE_EPOCH=1700000000 "$OPTIMG" mkiso -q $opts "$TMP/src" -o "$TMP/a.iso"
touch "$TMP/src/efi.img"	# a newer mtime is clamped away
sleep 1
SOURCE_DATE_EPOCH=1700000000 "$OPTIMG" mkiso -q $opts "$TMP/src" -o "$TMP/b.iso"
cmp "$TMP/a.iso" "$TMP/b.iso" || fail "two runs with SOURCE_DATE_EPOCH differ"
"$OPTIMG" mkiso -q --date 1700000000 $opts "$TMP/src" -o "$TMP/c.iso"
cmp "$TMP/a.iso" "$TMP/c.iso" || fail "--date differs from SOURCE_DATE_EPOCH"
if command -v xorriso >/dev/null 2>&1; then
	xorriso -indev "$TMP/a.iso" -pvd_info 2>/dev/null |
		grep -q 'Creation Time: 2023111422132000' ||
		fail "volume creation date is not SOURCE_DATE_EPOCH"
fi
# Without a date, runs differ only in time stamps; the image still reads.
"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/d.iso"

# Existing output: refused without --force, replaced with it.
expect_exit 1 "$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/a.iso"
grep -q "already exists" "$TMP/err" || fail "no 'already exists' message"
cmp -s "$TMP/a.iso" "$TMP/b.iso" || fail "refused run touched the output"
expect_exit 0 "$OPTIMG" mkiso -q --force "$TMP/src" -o "$TMP/a.iso"
# Never onto an input, even with --force.
expect_exit 1 "$OPTIMG" mkiso -q --force "$TMP/src/efi.img" -o "$TMP/src/efi.img"
grep -q "is the input" "$TMP/err" || fail "no 'is the input' message"
[ "$(cat "$TMP/src/efi.img")" = FAT ] || fail "input was overwritten"
# An output inside the source tree is refused (tests/cli/t9001).
expect_exit 1 "$OPTIMG" mkiso -q --force "$TMP/src" -o "$TMP/src/out.iso"
grep -q "lies inside the input" "$TMP/err" || fail "no 'inside' message"
# No temporary files left behind.
ls -a "$TMP" "$TMP/src" | grep -q '\.part$' && fail "temporary file left"

# Usage errors exit 2; failures 1.
expect_exit 2 "$OPTIMG" mkiso "$TMP/src"
expect_exit 2 "$OPTIMG" mkiso -o "$TMP/e.iso"
expect_exit 2 "$OPTIMG" mkiso --bogus "$TMP/src" -o "$TMP/e.iso"
expect_exit 2 "$OPTIMG" mkiso --date yesterday "$TMP/src" -o "$TMP/e.iso"
expect_exit 1 "$OPTIMG" mkiso "$TMP/nonexistent" -o "$TMP/e.iso"
expect_exit 1 "$OPTIMG" mkiso -b no/such/loader.bin "$TMP/src" -o "$TMP/e.iso"
grep -q "boot image 'no/such/loader.bin' is not a file in the image" "$TMP/err" ||
	fail "boot image error wording"
[ ! -e "$TMP/e.iso" ] || fail "failed run left an output"
# Two sources onto one name: an error naming both.
echo 1 >"$TMP/one"
echo 2 >"$TMP/two"
expect_exit 1 "$OPTIMG" mkiso "$TMP/one=x.txt" "$TMP/two=x.txt" -o "$TMP/e.iso"
grep -q "'$TMP/one' and '$TMP/two' both map to '/x.txt'" "$TMP/err" ||
	fail "collision message: $(cat "$TMP/err")"
expect_exit 0 "$OPTIMG" mkiso --help
grep -q 'Examples:' "$TMP/out" || fail "--help has no examples"
exit 0
