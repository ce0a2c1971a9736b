#!/bin/sh
# A full disk is told before the first byte (#17's fallocate reserve):
# mkiso and convert into a 1 MiB tmpfs refuse at once, naming the output
# and the bytes it needs, exit 1, and leave nothing behind; the same
# commands with room write what they write elsewhere.  Needs root and
# mount.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

mkdir "$TMP/tree" "$TMP/full" "$TMP/room"
"$MKFIXTURE" random "$TMP/tree/data.bin" 3000000 9012
mount -t tmpfs -o size=1m optimg-test "$TMP/full" 2>/dev/null ||
	skip "cannot mount a tmpfs here (needs root)"
trap 'rc=$?; umount "$TMP/full" 2>/dev/null || true
	if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi' EXIT

# Where there is room: the sizes the refusals must name.
expect_exit 0 "$OPTIMG" mkiso -q "$TMP/tree" -o "$TMP/room/x.iso"
expect_exit 0 "$OPTIMG" convert -q "$TMP/room/x.iso" "$TMP/room/x.cue"
iso=$(stat -c %s "$TMP/room/x.iso")
bin=$(stat -c %s "$TMP/room/x.bin")

expect_exit 1 "$OPTIMG" mkiso -q "$TMP/tree" -o "$TMP/full/x.iso"
grep -qF "no room for the $iso bytes of '$TMP/full/x.iso': No space left on device" \
	"$TMP/err" || fail "mkiso into a full disk: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "mkiso: not one line: $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/full")" ] || fail "mkiso left: $(ls -A "$TMP/full")"

expect_exit 1 "$OPTIMG" convert -q "$TMP/room/x.iso" "$TMP/full/x.cue"
grep -qF "no room for the $bin bytes of '$TMP/full/x.bin': No space left on device" \
	"$TMP/err" || fail "convert into a full disk: $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/full")" ] || fail "convert left: $(ls -A "$TMP/full")"
echo ok
