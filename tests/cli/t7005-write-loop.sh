#!/bin/sh
# optimg write to a real block device: a loop device over a file (needs
# root and a working losetup).  Loop devices say they are not removable,
# so --force; the written bytes equal the image and verify passes; a
# device held open exclusively and an image larger than the device are
# refused with nothing written; a device that fails a write (EIO from an
# LD_PRELOAD shim) is named with the first byte it refused; and a loop
# device whose backing file is mounted through a second loop device is
# refused (issue #15, fault 9).
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
LOOP2=
trap 'rc=$?; umount "$TMP/mnt" 2>/dev/null || true
	[ -z "$LOOP2" ] || losetup -d "$LOOP2" 2>/dev/null || true
	losetup -d "$LOOP" 2>/dev/null || true
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

# The device fails a write at byte 2199552 (a 4 MiB request is refused as
# a whole): the message names that byte, and what came before it is on
# the device.
cc=${CC:-cc}
"$MKFIXTURE" random "$TMP/r.iso" 3000000 7005
if command -v "$cc" >/dev/null 2>&1 && "$cc" -shared -fPIC -o "$TMP/eio.so"     "$SRCDIR/tests/cli/eio_preload.c" -ldl; then
	asan=$(ldd "$OPTIMG" | sed -n 's/.*libasan[^ ]* => \([^ ]*\) .*/\1/p')
	set +e
	EIO_PATH="$LOOP" EIO_AT=2199552 LD_PRELOAD="${asan:+$asan }$TMP/eio.so" \
		ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
		"$OPTIMG" write --yes --force -q "$TMP/r.iso" "$LOOP" 2>"$TMP/err"
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "EIO: exit $rc: $(cat "$TMP/err")"
	grep -qF "writing '$LOOP' failed at byte 2199552 of 3000000; it holds part of the image: Input/output error" \
		"$TMP/err" || fail "EIO message: $(cat "$TMP/err")"
	cmp -n 2199552 "$TMP/r.iso" "$LOOP" || fail "bytes before the failure"
else
	echo "no C compiler for the EIO shim: device EIO not tested" >&2
fi

# A second loop device over the same file, mounted: writing the first
# would write under that file system.  Refused, nothing written.
need_tool mkfs.ext2
mkfs.ext2 -q -F "$TMP/disk.img" >/dev/null 2>&1 || fail "mkfs.ext2"
LOOP2=$(losetup -f --show "$TMP/disk.img") || fail "second loop device"
mkdir "$TMP/mnt"
mount -r "$LOOP2" "$TMP/mnt" 2>/dev/null ||
	skip "cannot mount $LOOP2 here"
sum=$(md5sum <"$TMP/disk.img")
expect_exit 1 "$OPTIMG" write --yes --force "$TMP/x.iso" "$LOOP"
grep -qF "'$LOOP' writes the data of ${LOOP2#/dev/}, which has a mounted file system on $TMP/mnt; unmount it first" \
	"$TMP/err" || fail "twin not refused: $(cat "$TMP/err")"
[ "$(md5sum <"$TMP/disk.img")" = "$sum" ] || fail "a refused write wrote"
umount "$TMP/mnt"
expect_exit 0 "$OPTIMG" write --yes --force -q "$TMP/x.iso" "$LOOP"
cmp -n "$size" "$TMP/x.iso" "$TMP/disk.img" || fail "not written once unmounted"
echo ok
