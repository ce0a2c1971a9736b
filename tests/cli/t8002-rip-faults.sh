#!/bin/sh
# Injected read errors: the first run ends with exit 1 and the bad extents
# in the rescue map; the second, with the faults gone, reads only those
# extents (the read counter says so), completes byte-identically and
# leaves a map without holes.  Retries recover flaky sectors; data
# sectors whose EDC fails are retried and, when they read the same twice,
# kept.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata

# "reads:    N calls for M sectors" -> M
sectors_read() {
	sed -n 's/^reads: *[0-9]* calls for \([0-9]*\) sectors$/\1/p' "$TMP/out"
}
# The map's extent lines, "start count status", without their CRC32.
extents() {
	sed -E -n 's/^(-?[0-9]+ [0-9]+ [a-z]+)( [0-9a-f]{8})?$/\1/p' "$1" |
		tr '\n' '|'
}

# ---- audio: a bad extent, a flaky sector, a sector recovered by isolation
mkdir "$TMP/a"
expect_exit 1 "$OPTIMG" rip -v --retries 2 \
	--inject-faults '100-109:fail,200:flaky2,250:flaky1' \
	"$TESTDATA/cdda.cue" -o "$TMP/a/A.cue"
grep -q "10 of 302 sectors could not be read; '.*A.map' lists them" "$TMP/err" ||
	fail "first run: $(cat "$TMP/err")"
grep -q '^status:   incomplete$' "$TMP/out" || fail "status: $(cat "$TMP/out")"
grep -q '^sectors:  292 good, 10 bad (1 extents), 0 untried, of 302$' "$TMP/out" ||
	fail "counts: $(cat "$TMP/out")"
# 10 bad sectors tried 1 + 2 times each, sector 200 once more: 21 retries.
grep -q '^retries:  21 (1 sectors recovered)$' "$TMP/out" || fail "retries: $(cat "$TMP/out")"
[ "$(extents "$TMP/a/A.map")" = "0 100 good|100 10 bad|110 192 good|" ] ||
	fail "map after run 1: $(cat "$TMP/a/A.map")"
# Partial data stays under a hidden name; no final name yet.
[ -f "$TMP/a/.A (Track 1).bin.part" ] || fail "no part file: $(ls -A "$TMP/a")"
[ ! -e "$TMP/a/A (Track 1).bin" ] && [ ! -e "$TMP/a/A.cue" ] && [ ! -e "$TMP/a/A.hash" ] ||
	fail "final names appeared: $(ls -A "$TMP/a")"

expect_exit 0 "$OPTIMG" rip -v "$TESTDATA/cdda.cue" -o "$TMP/a/A.cue"
[ "$(sectors_read)" = 10 ] || fail "second run read $(sectors_read) sectors, not the 10 bad ones"
same_file "$TESTDATA/cdda.bin" "$TMP/a/A (Track 1).bin"
[ "$(extents "$TMP/a/A.map")" = "0 302 good|" ] || fail "map has holes: $(cat "$TMP/a/A.map")"
[ ! -e "$TMP/a/.A (Track 1).bin.part" ] || fail "part file left behind"

# ---- a mixed disc (data + 2 audio tracks): faults in two tracks -------
mkdir "$TMP/orig" "$TMP/m"
"$MKFIXTURE" redump "$TMP/orig" "Mixed Disc" 7
# libcdio's bincue driver reads "<cue name>.bin": one bin it is.
"$OPTIMG" convert -q "$TMP/orig/Mixed Disc.cue" "$TMP/Mixed Disc.cue"
expect_exit 1 "$OPTIMG" rip -v --retries 0 --inject-faults '10-12:fail,31-33:fail,700:fail' \
	"$TMP/Mixed Disc.cue" -o "$TMP/m/M.cue"
[ "$(extents "$TMP/m/M.map")" = "0 10 good|10 3 bad|13 18 good|31 3 bad|34 666 good|700 1 bad|701 1131 good|" ] ||
	fail "mixed map: $(cat "$TMP/m/M.map")"
# 31-33 straddles tracks 1 and 2 (track 2's pregap starts at 32).
grep -q "^missing:  4 of 32 sectors of 'M (Track 1).bin'$" "$TMP/out" || fail "$(cat "$TMP/out")"
grep -q "^missing:  2 of 450 sectors of 'M (Track 2).bin'$" "$TMP/out" || fail "$(cat "$TMP/out")"
grep -q "^missing:  1 of 1350 sectors of 'M (Track 3).bin'$" "$TMP/out" || fail "$(cat "$TMP/out")"
# A third run still failing keeps the map as it was.
expect_exit 1 "$OPTIMG" rip -v --retries 0 --inject-faults '31-33:fail' \
	"$TMP/Mixed Disc.cue" -o "$TMP/m/M.cue"
[ "$(sectors_read)" = 10 ] || fail "third run read $(sectors_read) sectors"
[ "$(extents "$TMP/m/M.map")" = "0 31 good|31 3 bad|34 1798 good|" ] ||
	fail "map after run 3: $(cat "$TMP/m/M.map")"
expect_exit 0 "$OPTIMG" rip -v "$TMP/Mixed Disc.cue" -o "$TMP/m/M.cue"
[ "$(sectors_read)" = 3 ] || fail "last run read $(sectors_read) sectors"
# Redump's split bins, byte for byte, from a merged image through libcdio.
for n in 1 2 3; do
	same_file "$TMP/orig/Mixed Disc (Track $n).bin" "$TMP/m/M (Track $n).bin"
done
[ "$(extents "$TMP/m/M.map")" = "0 1832 good|" ] || fail "mixed map has holes"
grep -q '^    ISRC USXYZ2600001$' "$TMP/m/M.cue" || fail "ISRC lost"
grep -q '^    FLAGS DCP PRE$' "$TMP/m/M.cue" || fail "FLAGS lost"
grep -q '^CATALOG 0123456789012$' "$TMP/m/M.cue" || fail "CATALOG lost"

# ---- a data sector that fails its EDC: retried, kept when stable -------
cp "$TESTDATA/isofs-m1.bin" "$TMP/edc.bin"
printf 'X' | dd of="$TMP/edc.bin" bs=1 seek=$((20 * 2352 + 500)) conv=notrunc 2>/dev/null
printf 'FILE "edc.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' >"$TMP/edc.cue"
mkdir "$TMP/e"
expect_exit 1 "$OPTIMG" rip --retries 0 "$TMP/edc.cue" -o "$TMP/e/E.cue"
grep -q '^20 1 bad$' "$TMP/e/E.map" || fail "EDC failure not bad: $(cat "$TMP/e/E.map")"
expect_exit 0 "$OPTIMG" rip "$TMP/edc.cue" -o "$TMP/e/E.cue"
grep -q "warning: sector 20 reads the same every time but fails its EDC/ECC check; kept as read" \
	"$TMP/err" || fail "no warning: $(cat "$TMP/err")"
grep -q '^kept:     1 sectors that fail their EDC/ECC check the same way every time$' \
	"$TMP/out" || fail "kept count: $(cat "$TMP/out")"
same_file "$TMP/edc.bin" "$TMP/e/E (Track 1).bin"

# ---- bad plans are refused before reading ------------------------------
expect_exit 1 "$OPTIMG" rip --inject-faults '5:boom' "$TESTDATA/cdda.cue" -o "$TMP/x.cue"
grep -q "fault '5:boom' is not" "$TMP/err" || fail "$(cat "$TMP/err")"
[ ! -e "$TMP/x.map" ] || fail "a refused rip left a map"
# An output folder that is not there is named as such, not as a lock file.
expect_exit 1 "$OPTIMG" rip "$TESTDATA/cdda.cue" -o "$TMP/nowhere/x.cue"
grep -q "cannot write '.*/nowhere/x.cue': its folder '.*/nowhere' is not there" \
	"$TMP/err" || fail "missing folder: $(cat "$TMP/err")"
echo ok
