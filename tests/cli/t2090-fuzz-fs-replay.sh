#!/bin/sh
# Replays the file-system fuzz target over its seed corpus and over whole
# images made here (xorriso, genisoimage) and the libcdio images, so make
# check runs the walker, El Torito and partition decoders on them.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
R="$BUILDDIR/tests/fuzz/replay_fs"
[ -x "$R" ] || skip "replay_fs was not built"
mkdir -p "$TMP/seeds" "$TMP/t/a/b/c/d/e/f/g/h/i"
echo hi >"$TMP/t/hello.txt"
ln -s hello.txt "$TMP/t/link"
ln "$TMP/t/hello.txt" "$TMP/t/a/hard"
echo deep >"$TMP/t/a/b/c/d/e/f/g/h/i/deep.txt"
head -c 2048 /dev/zero >"$TMP/t/boot.bin"
if command -v xorriso >/dev/null 2>&1; then
	xorriso -as mkisofs -quiet -R -J -no-pad -o "$TMP/seeds/x.iso" \
	    -b boot.bin -no-emul-boot -boot-info-table \
	    --protective-msdos-label -hfsplus "$TMP/t" 2>/dev/null
fi
if command -v genisoimage >/dev/null 2>&1; then
	genisoimage -quiet -R -J -no-pad -input-charset utf-8 \
	    -o "$TMP/seeds/g.iso" "$TMP/t" 2>/dev/null
fi
"$R" "$SRCDIR/tests/fuzz/corpus/fs" "$TMP/seeds"
have_testdata ||
	skip "libcdio test data not found at $TESTDATA (the corpus passed)"
for f in "$TESTDATA"/*.iso; do
	"$R" "$f"
done
echo "replayed the fs fuzz corpus"
