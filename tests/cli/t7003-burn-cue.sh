#!/bin/sh
# optimg burn CUE --dry-run --json: the disc libburn would be given
# (tracks, modes, pregaps, indices, ISRC, catalog, CD-TEXT) matches the
# cue exactly, checked by a reader of the sheet written in Python; the
# same cue onto a stdio: pseudo-drive gets libburn's refusal in one line.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"
CHECK="$PY $SRCDIR/tests/cli/burn_cue_check.py"

"$MKFIXTURE" redump "$TMP" Game 7003 || fail "mkfixture redump"

# An audio CD from the fixture's two audio bins: per-track CD-TEXT and
# ISRC, INDEX 00 and 02, a PREGAP and a POSTGAP no file holds.
cat >"$TMP/audio.cue" <<'CUE'
CATALOG 4006381333931
PERFORMER "Test Artist"
TITLE "Test Album"
SONGWRITER "Disc Writer"
FILE "Game (Track 2).bin" BINARY
  TRACK 01 AUDIO
    TITLE "First"
    PERFORMER "Artist One"
    FLAGS DCP
    ISRC USXYZ2600001
    INDEX 01 00:00:00
    INDEX 02 00:01:00
  TRACK 02 AUDIO
    TITLE "Second"
    PERFORMER "Artist Two"
    FLAGS PRE
    ISRC USXYZ2600002
    INDEX 00 00:03:00
    INDEX 01 00:04:00
FILE "Game (Track 3).bin" BINARY
  TRACK 03 AUDIO
    TITLE "Third"
    PERFORMER "Artist Three"
    PREGAP 00:01:00
    INDEX 01 00:00:00
    INDEX 02 00:05:00
    POSTGAP 00:02:00
CUE

for cue in audio.cue Game.cue; do
	expect_exit 0 "$OPTIMG" burn --dry-run --json "$TMP/$cue"
	cp "$TMP/out" "$TMP/$cue.json"
	$CHECK "$TMP/$cue" "$TMP/$cue.json" || fail "$cue: dry run differs"
done

# Spot checks on the numbers themselves, not only on the two readers.
"$PY" - "$TMP/audio.cue.json" <<'PY' || fail "audio.cue numbers"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["sessions"][0]["tracks"]
assert d["write_type"] == "SAO", d["write_type"]
assert [x["start"] for x in t] == [0, 300, 525], [x["start"] for x in t]
assert [x["length"] for x in t] == [225, 150, 1500]
assert t[1]["indices"][0] == {"number": 0, "lba": 225, "msf": "00:05:00"}
assert t[2]["pregap_zero"] == 75 and t[2]["postgap_zero"] == 150
assert t[0]["isrc"] == "USXYZ2600001" and t[0]["flags"] == ["DCP"]
assert d["sectors"] == 2025 and d["bytes"] == (450 + 1350) * 2352
assert d["sessions"][0]["cdtext"]["SONGWRITER"] == "Disc Writer"
packs = d["sessions"][0]["cdtext_packs"]
assert all(len(p) == 36 for p in packs)
assert packs[0].startswith("80000000") and "8f" in [p[:2] for p in packs]
PY

# Without --json: a table.
expect_exit 0 "$OPTIMG" burn --dry-run "$TMP/audio.cue"
grep -q "^write:    SAO" "$TMP/out" || fail "table: $(cat "$TMP/out")"
grep -q "^catalog:  4006381333931" "$TMP/out" || fail "table catalog"

# A stdio: pseudo-drive cannot take audio: libburn's reason, one line.
for cue in audio.cue Game.cue; do
	expect_exit 1 "$OPTIMG" burn "$TMP/$cue" --drive "stdio:$TMP/a.img"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "not one line: $(cat "$TMP/err")"
	grep -q "^optimg: burn: libburn refuses to write this to 'stdio:$TMP/a.img' (stdio file): .*audio track prohibited by non-CD" \
		"$TMP/err" || fail "refusal: $(cat "$TMP/err")"
	[ ! -e "$TMP/a.img" ] || fail "refused burn left a file"
done

# Mode 2 tracks: refused by our own check, naming the track.
sed 's/MODE1\/2352/MODE2\/2352/' "$TMP/Game.cue" >"$TMP/m2.cue"
expect_exit 1 "$OPTIMG" burn --dry-run "$TMP/m2.cue"
grep -q "track 1 is MODE2/2352: libburn writes only Mode 1 data and audio" \
	"$TMP/err" || fail "mode 2: $(cat "$TMP/err")"
echo ok
