#!/bin/sh
# optimg write to a file target when the disk fails (issue #15, fault 9):
# the data goes to a temporary file beside the target, so an I/O error or
# a full disk leaves no file (or the old one as it was), and the message
# names the exact byte the write stopped at.  EIO comes from an
# LD_PRELOAD shim; ENOSPC from a 1 MiB tmpfs (needs root and mount).
set -eu
. "$SRCDIR/tests/cli/lib.sh"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler to build the shim"
"$cc" -shared -fPIC -o "$TMP/eio.so" "$SRCDIR/tests/cli/eio_preload.c" \
	-ldl || skip "cannot build the LD_PRELOAD shim"
# A sanitizer runtime must come first in the preload list.
asan=$(ldd "$OPTIMG" | sed -n 's/.*libasan[^ ]* => \([^ ]*\) .*/\1/p')
preload="${asan:+$asan }$TMP/eio.so"

"$MKFIXTURE" random "$TMP/img.iso" 2200000 7006
size=2200000

# EIO at byte 1500000 of a new file: that byte is named, nothing is left.
mkdir "$TMP/d"
set +e
EIO_PATH=new.img EIO_AT=1500000 LD_PRELOAD="$preload" \
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
	"$OPTIMG" write --yes -q "$TMP/img.iso" "$TMP/d/new.img" 2>"$TMP/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "EIO: exit $rc: $(cat "$TMP/err")"
grep -qF "writing '$TMP/d/new.img' failed at byte 1500000 of $size; it is left as it was: Input/output error" \
	"$TMP/err" || fail "EIO message: $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/d")" ] || fail "EIO left: $(ls -A "$TMP/d")"

# Full disk: a 1 MiB tmpfs.  What it holds is measured with dd first, so
# the byte the message names is checked against another tool.
mkdir "$TMP/full"
mount -t tmpfs -o size=1m optimg-test "$TMP/full" 2>/dev/null ||
	skip "cannot mount a tmpfs here (needs root)"
trap 'rc=$?; umount "$TMP/full" 2>/dev/null || true
	if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi' EXIT
capacity() {
	dd if=/dev/zero of="$TMP/full/probe" bs=65536 2>/dev/null || true
	stat -c %s "$TMP/full/probe"
	rm "$TMP/full/probe"
}
cap=$(capacity)
[ "$cap" -gt 0 ] && [ "$cap" -lt $size ] || fail "tmpfs holds $cap bytes"
expect_exit 1 "$OPTIMG" write --yes -q "$TMP/img.iso" "$TMP/full/out.img"
grep -qF "writing '$TMP/full/out.img' failed at byte $cap of $size; it is left as it was: No space left on device" \
	"$TMP/err" || fail "ENOSPC message (tmpfs holds $cap): $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/full")" ] || fail "ENOSPC left: $(ls -A "$TMP/full")"

# An existing target is kept as it was.
printf 'the old file\n' >"$TMP/full/old.img"
cap=$(capacity)
expect_exit 1 "$OPTIMG" write --yes -q "$TMP/img.iso" "$TMP/full/old.img"
grep -qF "failed at byte $cap of $size; it is left as it was" "$TMP/err" ||
	fail "ENOSPC over a file (room $cap): $(cat "$TMP/err")"
[ "$(cat "$TMP/full/old.img")" = "the old file" ] || fail "old file changed"
[ "$(ls -A "$TMP/full")" = old.img ] || fail "left: $(ls -A "$TMP/full")"

# With room, the same write succeeds and is verified.
rm "$TMP/full/old.img"
head -c 500000 "$TMP/img.iso" >"$TMP/small.iso"
expect_exit 0 "$OPTIMG" write --yes "$TMP/small.iso" "$TMP/full/out.img"
grep -q ", verified$" "$TMP/out" || fail "$(cat "$TMP/out")"
same_file "$TMP/small.iso" "$TMP/full/out.img"
[ "$(ls -A "$TMP/full")" = out.img ] || fail "left: $(ls -A "$TMP/full")"
echo ok
