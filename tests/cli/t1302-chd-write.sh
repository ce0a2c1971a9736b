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

# Our CHD, less our tag (16-byte entry header + its data), is no bigger
# than chdman's but for 0.5%: liblzma's streams and LZMA SDK's differ by
# a few bytes either way, and we skip the codec tries that cannot win.
no_bigger() {
	tag=$(chdman info -v -i "$1" |
		sed -n "s/.*Tag='OPTI'.*Length=\([0-9]*\) bytes.*/\1/p")
	ours=$(stat -c %s "$1")
	[ -z "$tag" ] || ours=$((ours - 16 - tag))
	theirs=$(stat -c %s "$2")
	[ $((ours * 1000)) -le $((theirs * 1005)) ] ||
		fail "$1: $ours bytes without our tag, chdman's $theirs"
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
	no_bigger "$TMP/$cue.chd" "$TMP/c-$cue.chd"
	# Our tag keeps what chdman drops: the tracks are the original cue's.
	"$OPTIMG" info --json "$TMP/$cue.chd" >"$TMP/a.json"
	"$OPTIMG" info --json "$TMP/$cue.cue" >"$TMP/b.json"
	python3 "$SRCDIR/tests/cli/chd_tracks.py" "$TMP/a.json" "$TMP/b.json" ||
		fail "$cue.chd: tracks differ from $cue.cue's"
	n=$((n + 1))
done

# Lossless: our tag gives back the very cue text and files, split Redump
# sets and big-endian (MOTOROLA) audio included.
dd if="$TESTDATA/cdda.bin" of="$TMP/be.bin" conv=swab status=none
printf 'REM COMMENT "big-endian audio"\r\nFILE "be.bin" MOTOROLA\r\n  TRACK 01 AUDIO\r\n    ISRC ABCDE1234567\r\n    INDEX 01 00:00:00\r\n' >"$TMP/be.cue"
for cue in redump p1 be; do
	rm -f "$TMP/$cue.chd"
	expect_exit 0 "$OPTIMG" convert "$TMP/$cue.cue" "$TMP/$cue.chd"
	chdman verify -i "$TMP/$cue.chd" >/dev/null 2>&1 || fail "chdman verify $cue.chd"
	mkdir "$TMP/back-$cue"
	expect_exit 0 "$OPTIMG" convert "$TMP/$cue.chd" "$TMP/back-$cue/$cue.cue"
	same_file "$TMP/back-$cue/$cue.cue" "$TMP/$cue.cue"
	sed -n 's/^FILE "\(.*\)" [BM].*/\1/p' "$TMP/$cue.cue" | tr -d '\r' |
		while IFS= read -r f; do same_file "$TMP/back-$cue/$f" "$TMP/$f"; done
	n=$((n + 1))
done
# Packed output keeps the tag's sheet too: x.cue is the original text,
# each file the original packed (readers find x.bin.xz for x.bin).
if command -v xz >/dev/null 2>&1; then
	mkdir "$TMP/back-xz"
	expect_exit 0 "$OPTIMG" convert "$TMP/redump.chd" "$TMP/back-xz/redump.bin.xz"
	same_file "$TMP/back-xz/redump.cue" "$TMP/redump.cue"
	sed -n 's/^FILE "\(.*\)" [BM].*/\1/p' "$TMP/redump.cue" | tr -d '\r' |
		while IFS= read -r f; do
			xz -dc "$TMP/back-xz/$f.xz" | cmp -s - "$TMP/$f" ||
				fail "redump.bin.xz: $f.xz is not $f packed"
		done
	n=$((n + 1))
fi

# chdman 0.251 reads MOTOROLA as BINARY (its CHD of be.cue holds the
# samples byte-swapped); ours holds the true samples, so chdman extractcd
# gives the little-endian original.
chdman extractcd -f -i "$TMP/be.chd" -o "$TMP/x-be.cue" -ob "$TMP/x-be.bin" \
	>/dev/null 2>&1 || fail "chdman extractcd be.chd"
same_file "$TMP/x-be.bin" "$TESTDATA/cdda.bin"

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

# What only our tag keeps (here p1.nrg's CD-TEXT) is refused by name when
# the image did not come from a sheet the tag can hold, and kept out only
# when the user says --lossy.
expect_exit 1 "$OPTIMG" convert "$TESTDATA/p1.nrg" "$TMP/nrg.chd"
grep -q "CD-TEXT" "$TMP/err" || fail "NRG to CHD: $(cat "$TMP/err")"
[ ! -e "$TMP/nrg.chd" ] || fail "NRG to CHD left a file"
expect_exit 0 "$OPTIMG" convert --lossy "$TESTDATA/p1.nrg" "$TMP/nrg.chd"

echo "$n CHDs written that chdman verifies and extracts"
