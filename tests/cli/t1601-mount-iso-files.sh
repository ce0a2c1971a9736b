#!/bin/sh
# optimg mount serves DIR/image.iso and DIR/files/: a seeded random tree
# imaged by xorriso (Rock Ridge, hard links), as .iso and as BIN/CUE, and
# libcdio's isofs-m1.cue.  DIR/image.iso is byte for byte `optimg convert
# X y.iso`; `bsdtar -tf` and `xorriso -find` read it; DIR/files/ is `diff
# -r` clean against `optimg extract` and has the same modes, mtimes,
# symlink targets and hard links (same inode numbers).  A server run in
# the foreground exits 0 when unmounted (no leak under ASan).
#
# Runs where /dev/fuse exists (here: root, /dev/fuse present, as `ls -l
# /dev/fuse` printed below shows); skips loudly elsewhere.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/mount_lib.sh"
need_tool python3
need_tool xorriso
need_fuse
M="$SRCDIR/tests/cli/fs_mktree.py"
SEED=${OPTIMG_TEST_SEED:-1601}
python3 "$M" tree "$TMP/src" "$SEED"
echo "seed $SEED"
xorriso -abort_on FAILURE -outdev "$TMP/tree.iso" -hardlinks on \
    -map "$TMP/src" / -commit >/dev/null 2>&1 || fail "xorriso could not make the image"
"$OPTIMG" convert -q "$TMP/tree.iso" "$TMP/tree.cue"

set -- "$TMP/tree.iso" "$TMP/tree.cue"
have_testdata && set -- "$@" "$TESTDATA/isofs-m1.cue"

n=0
for img in "$@"; do
	n=$((n + 1))
	d="$TMP/m$n"
	mount_image "$img" "$d" || fail "${img##*/}: mount: $(cat "$TMP/mount.err")"
	"$OPTIMG" convert -q "$img" "$TMP/want$n.iso"
	same_file "$TMP/want$n.iso" "$d/image.iso"
	[ "$(stat -c %s "$d/image.iso")" = "$(stat -c %s "$TMP/want$n.iso")" ] ||
		fail "${img##*/}: stat size of image.iso"
	if command -v bsdtar >/dev/null; then
		bsdtar -tf "$d/image.iso" >"$TMP/bsdtar" 2>&1 ||
			fail "${img##*/}: bsdtar -tf: $(cat "$TMP/bsdtar")"
		[ -s "$TMP/bsdtar" ] || fail "${img##*/}: bsdtar lists nothing"
	fi
	xorriso -indev "$d/image.iso" -find / >"$TMP/xfind" 2>&1 ||
		fail "${img##*/}: xorriso -find: $(cat "$TMP/xfind")"
	mkdir "$TMP/x$n"
	"$OPTIMG" extract -q -C "$TMP/x$n" "$img" || fail "${img##*/}: extract"
	diff -r --no-dereference "$TMP/x$n" "$d/files" >&2 ||
		fail "${img##*/}: files/ differs from optimg extract"
	python3 "$M" manifest "$TMP/x$n" >"$TMP/want"
	python3 "$M" manifest "$d/files" >"$TMP/got"
	diff -u "$TMP/want" "$TMP/got" >&2 ||
		fail "${img##*/}: modes, times, links or hard links differ"
	unmount "$d"
	echo "ok: ${img##*/}"
done
grep -q "^hardlinks " "$TMP/want" 2>/dev/null || python3 "$M" manifest "$TMP/src" |
	grep -q "^hardlinks " || echo "NOTE: the seeded tree has no hard links"

# In the foreground: the server's own exit status once unmounted.
mkdir "$TMP/fg"
MOUNTS="$MOUNTS $TMP/fg"
"$OPTIMG" mount --foreground "$TMP/tree.iso" "$TMP/fg" 2>"$TMP/fg.err" &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	is_mounted "$TMP/fg" && break
	sleep 0.25
done
is_mounted "$TMP/fg" || fail "--foreground: not mounted: $(cat "$TMP/fg.err")"
cmp -s "$TMP/want1.iso" "$TMP/fg/image.iso" || fail "--foreground: image.iso differs"
"$OPTIMG" umount "$TMP/fg" || fail "umount of the foreground mount"
wait $pid || fail "the foreground server exited $?: $(cat "$TMP/fg.err")"
echo "ok: --foreground server exited 0"
