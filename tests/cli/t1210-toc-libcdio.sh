#!/bin/sh
# libcdio's cdrdao TOC files: every bad-*.toc fails with one line naming
# the file, the line and the problem; every other one reads with the
# tracks, modes, indices and LBAs cdrdao's grammar gives (cdrdao(1),
# trackdb/TocParser.g), checked against `cdrdao show-toc` wherever cdrdao
# takes the file and against cd-info where cd-info is right.
#
# Where cd-info (libcdio 2.1) is wrong, so that this test does not follow it:
#  - it takes FILE's start, a position inside the audio file, for the
#    track's place on the disc: t2-t10 put track 1 at LSN 4500 (t8, t9 at
#    750..1125, t9's tracks out of order) where the track starts at LBA 0
#    and the start only says which samples of cdda.bin are used;
#  - it takes DATAFILE's length for a start: cdda.toc's
#    `DATAFILE "cdda.bin" #200 00:00:25` gives track 1 at 00:00:25 (LSN
#    -125) and a lead-out at 177 where the track is 25 sectors from LBA 0;
#    data5 and data7 likewise put track 2 at LSN 1571 (the FILE start);
#  - a track made only of SILENCE (t1, cdtext, data1) gets LSN -150
#    ("SILENCE not fully implimented"), and ZERO is ignored (data2);
#  - t3's 180 minutes are cut to 99.
# It agrees on the tocs whose FILE starts at 0 (isofs-m1, data6): checked.
#
# cdrdao 1.2.4 refuses two things libcdio's files do, which optimg reads
# with a warning: FILE in a data track (isofs-m1, data2, data5-7,
# vcd_demo) and SILENCE in a data track (data1).  Most of the tocs ask for
# data far past the end of the 302-sector cdda.bin (t2: FILE "cdda.bin"
# 0:59:0) or name files libcdio does not ship; optimg then fails as
# cdrdao does, and the tracks are checked again in a copy of the tocs
# beside sparse files long enough for them.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3
check="python3 $SRCDIR/tests/cli/toc_check.py"

# one_line FILE LINE WORDS: exit 1 and one line "'FILE' line LINE: ...WORDS".
one_line() {
	expect_exit 1 "$OPTIMG" info "$TESTDATA/$1"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$1: not one line: $(cat "$TMP/err")"
	grep -q "'$TESTDATA/$1' line $2: .*$3" "$TMP/err" ||
		fail "$1: $(cat "$TMP/err")"
}
one_line bad-cat1.toc 4 'CATALOG wants "13 digits"'
one_line bad-cat2.toc 4 'found 167890123 (not in quotes)'
one_line bad-cat3.toc 4 'CATALOG "123456789A123" is not 13 digits'
one_line bad-file.toc 8 "cannot find 'foo.bin'"
one_line bad-mode1.toc 4 "found 'MODE1_FORM45'"
one_line bad-msf-1.toc 6 'frames must be below 75'
one_line bad-msf-2.toc 6 'seconds must be below 60'
one_line bad-msf-3.toc 6 "found 'xx'"
n=$(ls "$TESTDATA"/bad-*.toc | wc -l)
[ "$n" -eq 8 ] || fail "libcdio has $n bad-*.toc now: name the new ones here"

# Past the end of libcdio's files, or files it does not ship: as cdrdao.
for f in t2 t3 t4 t5 t6 t7 t8 t9 t10 data5 data7; do
	one_line $f.toc '[0-9]*' "past the end of '[a-z1-]*.bin'"
done
one_line data2.toc 7 'not a whole number of 2048-byte blocks'
one_line vcd2.toc 9 "cannot find '../data/cdda.bin'"
one_line vcd_demo.toc 5 "cannot find 'vcd_demo.bin'"

# The ones whose data is there.
info() { "$OPTIMG" info --json "$1" >"$TMP/j" 2>"$TMP/w" || fail "$1: $(cat "$TMP/w")"; }
info "$TESTDATA/cdda.toc"
$check expect "$TMP/j" AUDIO:2352:0:0:25 || fail cdda.toc
info "$TESTDATA/t1.toc"
$check expect "$TMP/j" AUDIO:2352:0:0:74 || fail t1.toc
info "$TESTDATA/cdtext.toc"
$check expect "$TMP/j" AUDIO:2352:0:0:4500 || fail cdtext.toc
python3 - "$TMP/j" <<'PY' || fail "cdtext.toc: CD-TEXT"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cdtext"] == {"TITLE": "CD Title", "PERFORMER": "Performer",
                       "DISC_ID": "XY12345"}, d["cdtext"]
t = d["tracks"][0]
# CD-TEXT's ISRC is pack 0x8E, kept as written; the Q channel's is none.
assert t["cdtext"] == {"TITLE": "Track Title", "PERFORMER": "Performer",
                       "UPC_EAN": "US-XX1-98-01234"}, t
assert t["isrc"] is None, t["isrc"]
PY
info "$TESTDATA/data1.toc"
$check expect "$TMP/j" MODE1/2048:2048:0:0:4499 || fail data1.toc
grep -q "line 7: SILENCE in a MODE1 track" "$TMP/w" || fail "data1.toc: no warning"
info "$TESTDATA/data6.toc"
$check expect "$TMP/j" MODE2/2336:2336:0:0:132 || fail data6.toc
info "$TESTDATA/isofs-m1.toc"
$check expect "$TMP/j" MODE1/2352:2352:0:0:302 || fail isofs-m1.toc
"$OPTIMG" cat "$TESTDATA/isofs-m1.cue" /COPYING >"$TMP/copying"
"$OPTIMG" cat "$TESTDATA/isofs-m1.toc" /COPYING | cmp -s - "$TMP/copying" ||
	fail "isofs-m1.toc: a file reads other than through the cue"
for f in cdda t1 cdtext; do
	if command -v cdrdao >/dev/null 2>&1; then
		info "$TESTDATA/$f.toc"
		(cd "$TESTDATA" && cdrdao show-toc $f.toc) >"$TMP/show" 2>&1 ||
			fail "cdrdao refuses $f.toc"
		$check cdrdao "$TMP/j" "$TMP/show" || fail "$f.toc differs from cdrdao"
	fi
done
if command -v cd-info >/dev/null 2>&1; then
	for f in isofs-m1:302 data6:132; do
		(cd "$TESTDATA" && cd-info --no-device-info --no-cddb --no-analyze \
			--toc-file ${f%:*}.toc) >"$TMP/ci" 2>&1 || true
		grep -q "^  1: 00:02:00  000000 " "$TMP/ci" &&
			grep -q "^170: .* $(printf %06d ${f#*:}) leadout" "$TMP/ci" ||
			fail "${f%:*}.toc: cd-info now says $(cat "$TMP/ci")"
	done
fi

# The others, beside sparse files long enough for them.
mkdir "$TMP/sp" "$TMP/sp/toc" "$TMP/sp/data"
cp "$TESTDATA"/t*.toc "$TESTDATA"/cdda.toc "$TESTDATA"/data*.toc \
	"$TESTDATA"/vcd_demo.toc "$TMP/sp/"
truncate -s $((182 * 4500 * 2352)) "$TMP/sp/cdda.bin"	# 182 minutes
truncate -s 3737600 "$TMP/sp/isofs-m1.bin"	# 1825 x 2048, 1600 x 2336
truncate -s $((1960 * 2352)) "$TMP/sp/vcd_demo.bin"
cp "$TESTDATA/vcd2.toc" "$TMP/sp/toc/"
truncate -s $((10 * 2336)) "$TMP/sp/data/cdda.bin"
truncate -s $((40 * 2336 + 200)) "$TMP/sp/toc/cdda.bin"
if command -v cdrdao >/dev/null 2>&1; then
	for f in t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 cdda; do
		info "$TMP/sp/$f.toc"
		(cd "$TMP/sp" && cdrdao show-toc $f.toc) >"$TMP/show" 2>&1 ||
			fail "cdrdao refuses $f.toc: $(cat "$TMP/show")"
		$check cdrdao "$TMP/j" "$TMP/show" || fail "$f.toc differs from cdrdao"
	done
fi
# The same, and what cdrdao refuses, from the grammar by hand:
# MODE:SIZE:FIRST:START:LENGTH[:INDEX 02..].
sp() { f=$1; shift; info "$TMP/sp/$f.toc"; $check expect "$TMP/j" "$@" || fail "$f.toc"; }
S=819000	# sectors of the sparse cdda.bin
sp t2 AUDIO:2352:0:750:$((S - 4425 - 750))
sp t3 AUDIO:2352:0:0:9000 AUDIO:2352:9000:9000:$((S - 4500))
sp t7 AUDIO:2352:0:0:$((S - 4500)) AUDIO:2352:$((S - 4500)):$((S - 4125)):$((S - 4875))
sp t8 AUDIO:2352:0:0:$((S - 750)):4500,9000 \
	AUDIO:2352:$((S - 750)):$((S - 375)):$((S - 1125))
sp t9 AUDIO:2352:0:375:817875 AUDIO:2352:818250:818400:818100 \
	AUDIO:2352:1636500:1636605:818145 AUDIO:2352:2454750:2454750:818250 \
	AUDIO:2352:3273000:3273151:818099
sp data2 MODE1/2048:2048:0:0:6325 AUDIO:2352:6325:6475:$S
sp data5 MODE2/2336:2336:0:0:132 MODE2/2048:2048:132:282:10
sp data6 MODE2/2336:2336:0:0:132
sp data7 MODE1/2048:2048:0:0:282 MODE2/2336:2336:282:432:29
sp vcd_demo MODE2/2352:2352:0:0:1032 MODE2/2352:2352:1032:1182:389 \
	MODE2/2352:2352:1571:1721:239
sp toc/vcd2 MODE2/2336:2336:0:0:10 MODE2/2336:2336:10:10:3 \
	MODE2/2336:2336:13:13:25
python3 - "$TMP/j" <<'PY' || fail "vcd2.toc flags"
import json, sys
for t in json.load(open(sys.argv[1]))["tracks"]:
    assert t["flags"].split() == ["DATA", "DCP"], t["flags"]
PY
# data2: ZERO after the MODE1 data is a postgap, PREGAP before the audio
# a pregap, neither in a file.
info "$TMP/sp/data2.toc"
python3 - "$TMP/j" <<'PY' || fail "data2.toc gaps"
import json, sys
a, b = json.load(open(sys.argv[1]))["tracks"]
assert (a["postgap_unstored"], b["pregap_unstored"]) == (4500, 150), (a, b)
PY
