#!/bin/sh
# mkiso never copies another file's bytes (issue #15, fault 1): a source
# file replaced by a symbolic link between the scan and the copy is an
# error naming it, not the link target's content in the image; with
# --allow-changing the sources are scanned again.  An LD_PRELOAD shim
# makes the swap at the moment mkiso opens the file.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler to build the shim"
"$cc" -shared -fPIC -o "$TMP/swap.so" "$SRCDIR/tests/cli/swap_preload.c" \
	-ldl || skip "cannot build the LD_PRELOAD shim"
# A sanitizer runtime must come first in the preload list.
asan=$(ldd "$OPTIMG" | sed -n 's/.*libasan[^ ]* => \([^ ]*\) .*/\1/p')
preload="${asan:+$asan }$TMP/swap.so"

mkdir "$TMP/src"
printf 'public data\n' >"$TMP/src/a.txt"
printf 'SECRET-%0200d\n' 0 >"$TMP/secret"
chmod 600 "$TMP/secret"

swap_run() {
	SWAP_PATH="$TMP/src/a.txt" SWAP_TARGET="$TMP/secret" \
	LD_PRELOAD="$preload" ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
		"$@"
}

set +e
swap_run "$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/out.iso" 2>"$TMP/err"
rc=$?
set -e
[ -L "$TMP/src/a.txt" ] || fail "the shim did not swap the file"
if [ -e "$TMP/out.iso" ] && grep -q SECRET "$TMP/out.iso"; then
	fail "the link target's bytes are in the image (exit $rc)"
fi
[ $rc -eq 1 ] || fail "mkiso exited $rc: $(cat "$TMP/err")"
grep -q "a.txt' changed after it was scanned" "$TMP/err" ||
	fail "message: $(cat "$TMP/err")"
[ ! -e "$TMP/out.iso" ] || fail "an image was written"
ls -a "$TMP" | grep -q '\.part$' && fail "temporary file left"

# --allow-changing scans again: the link is then recorded as a link.
rm "$TMP/src/a.txt"
mv "$TMP/src/a.txt.orig" "$TMP/src/a.txt"
swap_run "$OPTIMG" mkiso -q --allow-changing "$TMP/src" -o "$TMP/out.iso" ||
	fail "--allow-changing: $(cat "$TMP/err")"
grep -q SECRET "$TMP/out.iso" && fail "--allow-changing copied the target"
"$OPTIMG" ls -l "$TMP/out.iso" >"$TMP/ls"
grep -q "a.txt -> $TMP/secret" "$TMP/ls" || fail "listing: $(cat "$TMP/ls")"
echo ok
