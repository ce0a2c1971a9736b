#!/bin/sh
# CHD reading with chdman as the oracle: chdman createcd of every cue
# fixture, read back by optimg, gives the bin chdman extractcd gives and
# the same tracks; a raw CHD of an ISO (what chdman 0.251 makes of a DVD)
# gives the ISO back.  (#13)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool chdman
need_tool python3
need_testdata

# chdman wants the FILE names as written; libcdio's are upper case.
cp "$TESTDATA/cdda.cue" "$TESTDATA/isofs-m1.cue" "$TESTDATA/p1.cue" "$TMP/"
cp "$TESTDATA/cdda.bin" "$TMP/CDDA.BIN"
cp "$TESTDATA/isofs-m1.bin" "$TMP/ISOFS-M1.BIN"
cp "$TESTDATA/p1.bin" "$TMP/BOING.BIN"
# An unstored PREGAP between a data and an audio track.
printf 'FILE "ISOFS-M1.BIN" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    PREGAP 00:02:00\n    INDEX 01 00:02:00\n' >"$TMP/gap.cue"
# A Redump split set: mixed mode, INDEX 00 in each track's own file.
mkdir "$TMP/rd"
"$MKFIXTURE" redump "$TMP/rd" Game 13
cp "$TMP"/rd/* "$TMP/"
mv "$TMP/Game.cue" "$TMP/redump.cue"

n=0
for cue in cdda isofs-m1 p1 gap redump; do
	chdman createcd -f -i "$TMP/$cue.cue" -o "$TMP/$cue.chd" >/dev/null 2>&1 ||
		fail "chdman createcd $cue.cue"
	chdman extractcd -f -i "$TMP/$cue.chd" -o "$TMP/x-$cue.cue" \
		-ob "$TMP/x-$cue.bin" >/dev/null 2>&1 || fail "chdman extractcd $cue"
	mkdir "$TMP/o-$cue"
	expect_exit 0 "$OPTIMG" convert "$TMP/$cue.chd" "$TMP/o-$cue/y.cue"
	same_file "$TMP/o-$cue/y.bin" "$TMP/x-$cue.bin"
	"$OPTIMG" info --json "$TMP/$cue.chd" >"$TMP/a.json"
	"$OPTIMG" info --json "$TMP/x-$cue.cue" >"$TMP/b.json"
	python3 "$SRCDIR/tests/cli/chd_tracks.py" "$TMP/a.json" "$TMP/b.json" ||
		fail "$cue.chd: tracks differ from chdman's cue"
	n=$((n + 1))
done

# Cooked reads cook: the user data of a CD CHD's data track is the cue's,
# and its file system is found (a CHD gives sectors as stored, 2352 bytes
# plus subchannel, which the model must cook like a bin's).
for cue in isofs-m1 redump; do
	expect_exit 0 "$OPTIMG" convert --data-track 1 "$TMP/$cue.chd" "$TMP/o-$cue/y.iso"
	expect_exit 0 "$OPTIMG" convert --data-track 1 "$TMP/$cue.cue" "$TMP/o-$cue/z.iso"
	same_file "$TMP/o-$cue/y.iso" "$TMP/o-$cue/z.iso"
done
"$OPTIMG" ls -R "$TMP/isofs-m1.chd" >"$TMP/ls-m1-chd" ||
	fail "ls of a CD CHD: $(cat "$TMP/ls-m1-chd")"
"$OPTIMG" ls -R "$TMP/isofs-m1.cue" >"$TMP/ls-m1-cue"
cmp -s "$TMP/ls-m1-chd" "$TMP/ls-m1-cue" || fail "ls of isofs-m1.chd differs"

# A CHD stored as a difference to a parent: the parent is found beside it
# by SHA-1, or named with --parent; without it, one line says what is
# missing.
chdman createcd -f -i "$TMP/gap.cue" -o "$TMP/child.chd" \
	-op "$TMP/isofs-m1.chd" >/dev/null 2>&1 || fail "chdman createcd -op"
mkdir "$TMP/o-child" "$TMP/sub"
expect_exit 0 "$OPTIMG" convert "$TMP/child.chd" "$TMP/o-child/y.cue"
same_file "$TMP/o-child/y.bin" "$TMP/x-gap.bin"
mv "$TMP/child.chd" "$TMP/sub/"
expect_exit 1 "$OPTIMG" info "$TMP/sub/child.chd"
grep -q "needs its parent CHD (SHA-1 [0-9a-f]*)" "$TMP/err" ||
	fail "missing parent not named: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "more than one line for a missing parent"
expect_exit 0 "$OPTIMG" convert --parent "$TMP/isofs-m1.chd" \
	"$TMP/sub/child.chd" "$TMP/o-child/z.cue"
same_file "$TMP/o-child/z.bin" "$TMP/x-gap.bin"

# DVD: createraw with 2048-byte units (chdman 0.251 has no createdvd).
for iso in joliet.iso udf102.iso; do
	chdman createraw -f -i "$TESTDATA/$iso" -o "$TMP/$iso.chd" -hs 4096 \
		-us 2048 >/dev/null 2>&1 || fail "chdman createraw $iso"
	expect_exit 0 "$OPTIMG" convert "$TMP/$iso.chd" "$TMP/o-$iso"
	same_file "$TMP/o-$iso" "$TESTDATA/$iso"
	n=$((n + 1))
done

# ls and extract go through the same sectors.
"$OPTIMG" ls -R "$TMP/joliet.iso.chd" >"$TMP/ls-chd"
"$OPTIMG" ls -R "$TESTDATA/joliet.iso" >"$TMP/ls-iso"
cmp -s "$TMP/ls-chd" "$TMP/ls-iso" || fail "ls of the CHD differs from the ISO's"
# info shows the container; verify checks a CHD's own SHA-1s.
"$OPTIMG" info "$TMP/p1.chd" >"$TMP/info"
grep -q '^container: chd v5, 38 hunks of 19584 bytes (units of 2448)' "$TMP/info" ||
	fail "info: no container line: $(cat "$TMP/info")"
sha=$(chdman info -i "$TMP/p1.chd" | sed -n 's/^SHA1: *//p')
grep -q "^sha1: *$sha " "$TMP/info" || fail "info: SHA-1 is not chdman's $sha"
expect_exit 0 "$OPTIMG" verify "$TMP/p1.chd"
grep -q '^container: its own SHA-1s match' "$TMP/out" || fail "verify: no CHD check"

# A damaged hunk: one line naming the hunk and the LBAs it holds, exit 1.
cp "$TMP/p1.chd" "$TMP/bad.chd"
printf '\377' | dd of="$TMP/bad.chd" bs=1 seek=30000 conv=notrunc status=none
expect_exit 1 "$OPTIMG" convert "$TMP/bad.chd" "$TMP/o-bad.cue"
[ "$(cat "$TMP/err")" = "optimg: convert: '$TMP/bad.chd': hunk 3 does not decompress (damaged data); it holds LBAs 24-31" ] ||
	fail "damaged hunk: $(cat "$TMP/err")"
[ ! -e "$TMP/o-bad.cue" ] || fail "output left after a failure"
expect_exit 1 "$OPTIMG" verify "$TMP/bad.chd"
grep -q "hunk 3 does not decompress" "$TMP/err" || fail "verify: $(cat "$TMP/err")"
head -c 40000 "$TMP/p1.chd" >"$TMP/cut.chd"
expect_exit 1 "$OPTIMG" info "$TMP/cut.chd"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "cut CHD: $(cat "$TMP/err")"
echo "$n CHDs read as chdman extracts them"
