#!/bin/sh
# CHD writing with chdman as the oracle: what optimg writes passes
# chdman verify, chdman extractcd gives the original bins back, the
# overall SHA-1 is the one chdman's own createcd gives, and optimg reads
# it back to the same tracks.  An ISO becomes a DVD CHD.  (#13)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool chdman
need_tool python3
need_testdata

cp "$TESTDATA/cdda.cue" "$TESTDATA/isofs-m1.cue" "$TESTDATA/p1.cue" "$TMP/"
cp "$TESTDATA/cdda.bin" "$TMP/CDDA.BIN"
cp "$TESTDATA/isofs-m1.bin" "$TMP/ISOFS-M1.BIN"
cp "$TESTDATA/p1.bin" "$TMP/BOING.BIN"
printf 'FILE "ISOFS-M1.BIN" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    PREGAP 00:02:00\n    INDEX 01 00:02:00\n' >"$TMP/gap.cue"
"$MKFIXTURE" redump "$TMP" Game 1302
mv "$TMP/Game.cue" "$TMP/redump.cue"

sha1_of() {
	chdman info -i "$1" | sed -n 's/^SHA1: *//p'
}

n=0
for cue in cdda isofs-m1 p1 gap redump; do
	expect_exit 0 "$OPTIMG" convert "$TMP/$cue.cue" "$TMP/$cue.chd"
	chdman verify -i "$TMP/$cue.chd" >"$TMP/verify" 2>&1 ||
		{ cat "$TMP/verify" >&2; fail "chdman verify $cue.chd"; }
	chdman extractcd -f -i "$TMP/$cue.chd" -o "$TMP/x-$cue.cue" \
		-ob "$TMP/x-$cue.bin" >/dev/null 2>&1 || fail "chdman extractcd $cue"
	# The original bins, one after the other, as the cue lists them.
	sed -n 's/^FILE "\(.*\)" BINARY.*/\1/p' "$TMP/$cue.cue" | tr -d '\r' |
		while IFS= read -r f; do cat "$TMP/$f"; done >"$TMP/orig-$cue.bin"
	same_file "$TMP/x-$cue.bin" "$TMP/orig-$cue.bin"
	chdman createcd -f -i "$TMP/$cue.cue" -o "$TMP/c-$cue.chd" >/dev/null 2>&1 ||
		fail "chdman createcd $cue"
	[ "$(sha1_of "$TMP/$cue.chd")" = "$(sha1_of "$TMP/c-$cue.chd")" ] ||
		fail "$cue.chd: overall SHA-1 differs from chdman's"
	"$OPTIMG" info --json "$TMP/$cue.chd" >"$TMP/a.json"
	"$OPTIMG" info --json "$TMP/x-$cue.cue" >"$TMP/b.json"
	python3 "$SRCDIR/tests/cli/chd_tracks.py" "$TMP/a.json" "$TMP/b.json" ||
		fail "$cue.chd: tracks differ"
	n=$((n + 1))
done

for iso in joliet.iso udf102.iso; do
	expect_exit 0 "$OPTIMG" convert "$TESTDATA/$iso" "$TMP/$iso.chd"
	chdman verify -i "$TMP/$iso.chd" >/dev/null 2>&1 || fail "chdman verify $iso.chd"
	chdman extractraw -f -i "$TMP/$iso.chd" -o "$TMP/x-$iso" >/dev/null 2>&1 ||
		fail "chdman extractraw $iso.chd"
	same_file "$TMP/x-$iso" "$TESTDATA/$iso"
	expect_exit 0 "$OPTIMG" convert "$TMP/$iso.chd" "$TMP/back-$iso"
	same_file "$TMP/back-$iso" "$TESTDATA/$iso"
	n=$((n + 1))
done

# An existing output is kept without --force; nothing is left behind.
expect_exit 1 "$OPTIMG" convert "$TMP/cdda.cue" "$TMP/cdda.chd"
[ -z "$(ls -A "$TMP" | grep '\.part$' || true)" ] || fail "temporary file left"
echo "$n CHDs written that chdman verifies and extracts"
