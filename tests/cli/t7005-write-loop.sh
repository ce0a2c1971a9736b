#!/bin/sh
# optimg write to a real block device: a loop device over a file (needs
# root and a working losetup).  Loop devices say they are not removable,
# so --force; the written bytes equal the image and verify passes; a
# device held open exclusively and an image larger than the device are
# refused with nothing written.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool losetup
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"

"$MKFIXTURE" iso "$TMP/x.iso" LOOPVOL "$SRCDIR/README.md" >/dev/null ||
	fail "mkfixture iso"
head -c 4194304 /dev/zero >"$TMP/disk.img"
LOOP=$(losetup -f --show "$TMP/disk.img" 2>/dev/null) ||
	skip "losetup cannot attach a loop device here"
trap 'rc=$?; losetup -d "$LOOP" 2>/dev/null || true
	if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi' EXIT
size=$(wc -c <"$TMP/x.iso")

expect_exit 1 "$OPTIMG" write --yes "$TMP/x.iso" "$LOOP"
grep -q "is not a removable disk; use --force" "$TMP/err" ||
	fail "loop not refused as fixed: $(cat "$TMP/err")"

expect_exit 0 "$OPTIMG" write --yes --force "$TMP/x.iso" "$LOOP"
grep -q "verified" "$TMP/out" || fail "no verify: $(cat "$TMP/out")"
cmp -n "$size" "$TMP/x.iso" "$LOOP" || fail "device differs from the image"
cmp -n "$size" "$TMP/x.iso" "$TMP/disk.img" || fail "backing file differs"

# Held open exclusively by another program: refused.
"$PY" -c 'import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
open(sys.argv[2], "w").close()
time.sleep(30)' "$LOOP" "$TMP/held" &
holder=$!
i=0
while [ ! -e "$TMP/held" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
set +e
"$OPTIMG" write --yes --force "$TMP/x.iso" "$LOOP" >"$TMP/out" 2>"$TMP/err"
got=$?
set -e
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
[ $got -eq 1 ] || fail "held device: exit $got"
grep -q "is in use by another program" "$TMP/err" || fail "held: $(cat "$TMP/err")"

# Larger than the device: refused with both sizes, nothing written.
head -c 5000000 /dev/urandom >"$TMP/big.iso"
dd if=/dev/zero of="$LOOP" bs=65536 count=64 2>/dev/null
expect_exit 1 "$OPTIMG" write --yes --force "$TMP/big.iso" "$LOOP"
grep -q "the image is 5000000 bytes but '$LOOP' holds only 4194304" "$TMP/err" ||
	fail "too big: $(cat "$TMP/err")"
cmp -n 4194304 /dev/zero "$LOOP" || fail "a refused write wrote"
echo ok
