#!/bin/sh
# Images written as cdrdao TOC files: cdrdao show-toc accepts each and
# lists the tracks the source has, the TOC reads back into the same disc
# model (tracks, modes, indices, LBAs, gaps, flags, ISRC, catalog,
# CD-TEXT) and the same sector bytes; --split writes a file a track; a
# CloneCD image with a real (seeded) subchannel survives CCD -> TOC
# (RW_RAW) -> CCD byte for byte.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3
need_tool cdrdao
check="python3 $SRCDIR/tests/cli/toc_check.py"
json() { "$OPTIMG" info --json "$1" >"$2" 2>"$TMP/w" || fail "$1: $(cat "$TMP/w")"; }

# toc_round SRC NAME [--split]: SRC -> NAME.toc, checked three ways.
toc_round() {
	src=$1 name=$2
	shift 2
	mkdir "$TMP/$name"
	"$OPTIMG" convert -q "$@" "$src" "$TMP/$name/$name.toc" ||
		fail "$src: convert to toc"
	(cd "$TMP/$name" && cdrdao show-toc "$name.toc") >"$TMP/$name/show" 2>&1 ||
		fail "cdrdao refuses $name.toc: $(cat "$TMP/$name/show")"
	json "$src" "$TMP/$name/src.json"
	json "$TMP/$name/$name.toc" "$TMP/$name/toc.json"
	$check cdrdao "$TMP/$name/src.json" "$TMP/$name/show" ||
		fail "$name: cdrdao lists other tracks than the source has"
	$check same "$TMP/$name/src.json" "$TMP/$name/toc.json" $SKIP ||
		fail "$name: the toc reads back as another disc"
	# The same sectors: both written as BIN/CUE give the same bins.
	"$OPTIMG" convert -q --lossy "$src" "$TMP/$name/a.cue"
	"$OPTIMG" convert -q --lossy "$TMP/$name/$name.toc" "$TMP/$name/b.cue"
	same_file "$TMP/$name/a.bin" "$TMP/$name/b.bin"
}

SKIP=
toc_round "$TESTDATA/cdda.cue" cdda
grep -q '^FILE "cdda.bin" SWAP #0 0 00:04:02' "$TMP/cdda/cdda.toc" ||
	fail "audio is not named little-endian (SWAP): $(cat "$TMP/cdda/cdda.toc")"
grep -q 'TITLE "Join us now we have the software"' "$TMP/cdda/cdda.toc" ||
	fail "no CD-TEXT"
toc_round "$TESTDATA/isofs-m1.cue" isofs
"$OPTIMG" convert -q "$TMP/isofs/isofs.toc" "$TMP/isofs/y.iso"
"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/isofs/z.iso"
same_file "$TMP/isofs/y.iso" "$TMP/isofs/z.iso"
# Mode 2 with 2336-byte sectors and unstored pregaps (PREGAP).
toc_round "$TESTDATA/videocd.nrg" vcd
grep -q '^TRACK MODE2_FORM_MIX$' "$TMP/vcd/vcd.toc" || fail "vcd: not FORM_MIX"
[ "$(grep -c '^PREGAP 00:02:00$' "$TMP/vcd/vcd.toc")" -eq 4 ] || fail "vcd: pregaps"

# Mixed mode, several files, stored pregaps (START), INDEX 02, ISRC,
# flags, catalog and CD-TEXT, one bin with #byte-offsets and --split.
mkdir "$TMP/fx"
"$MKFIXTURE" redump "$TMP/fx" seed 3
SKIP=
toc_round "$TMP/fx/seed.cue" mixed
grep -q '^DATAFILE "mixed.bin" #0 ' "$TMP/mixed/mixed.toc" || fail "no #0"
[ "$(grep -c '^FILE "mixed.bin" SWAP #[1-9][0-9]* 0 ' "$TMP/mixed/mixed.toc")" -eq 2 ] ||
	fail "audio tracks are not at their byte offsets"
grep -q '^ISRC "USXYZ2600001"$' "$TMP/mixed/mixed.toc" || fail "ISRC"
grep -q '^CATALOG "0123456789012"$' "$TMP/mixed/mixed.toc" || fail "CATALOG"
grep -q '^START 00:02:00$' "$TMP/mixed/mixed.toc" || fail "START"
grep -q '^INDEX 00:08:00$' "$TMP/mixed/mixed.toc" || fail "INDEX"
toc_round "$TMP/fx/seed.cue" split --split
for n in 1 2 3; do
	same_file "$TMP/split/split (Track $n).bin" "$TMP/fx/seed (Track $n).bin"
done

# Gaps no file holds, and text a TOC must escape, through TOC -> TOC.
mkdir "$TMP/src"
python3 -c "
import random
random.seed(1211)
open('$TMP/src/a.raw', 'wb').write(bytes(random.randrange(256) for _ in range(2352 * 400)))
open('$TMP/src/d.bin', 'wb').write(bytes(random.randrange(256) for _ in range(2048 * 300)))"
cat >"$TMP/src/hand.toc" <<'TOC'
CD_ROM
CATALOG "4006381333931"
CD_TEXT {
  LANGUAGE_MAP { 0 : EN }
  LANGUAGE 0 { TITLE "Caf\351 \"Quote\" \\ back" PERFORMER "P" }
}
TRACK MODE1
DATAFILE "d.bin" 00:04:00
ZERO 00:02:00
TRACK AUDIO
NO COPY PRE_EMPHASIS
ISRC "DEXXX9800001"
CD_TEXT { LANGUAGE 0 { TITLE "T" PERFORMER "P" ISRC "DE-XXX-98-00001" } }
SILENCE 00:01:00
FILE "a.raw" #2352 0 00:04:00
START 00:02:00
INDEX 00:01:00
TRACK AUDIO
COPY
PREGAP 00:02:00
FILE "a.raw" 0:4:1 0:1:0
TOC
SKIP=
toc_round "$TMP/src/hand.toc" hand
python3 - "$TMP/hand/toc.json" <<'PY' || fail "hand.toc read back"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cdtext"]["TITLE"] == 'Caf\u00e9 "Quote" \\ back', d["cdtext"]
a, b, c = d["tracks"]
assert (a["postgap_unstored"], b["pregap_unstored"], b["pregap"]) == (150, 75, 150), (a, b)
assert (c["pregap_unstored"], c["pregap"]) == (150, 150), c
assert b["indices"]["02"] == b["start"] + 75 and b["flags"] == "PRE", b
assert b["cdtext"]["UPC_EAN"] == "DE-XXX-98-00001" and b["isrc"] == "DEXXX9800001", b
PY
# The raw big-endian audio comes out little-endian in the bin.
python3 - "$TMP/src/a.raw" "$TMP/hand/b.bin" <<'PY' || fail "audio byte order"
import sys
raw = open(sys.argv[1], "rb").read()
bin_ = open(sys.argv[2], "rb").read()
# track 2 follows track 1's 300 cooked sectors in the bin (its ZERO postgap and
# the SILENCE before track 2 are gaps a cue keeps out of the bin too).
got = bin_[300 * 2048:300 * 2048 + 300 * 2352]	# track 1: MODE1/2048
want = raw[2352:301 * 2352]
swapped = bytearray(want)
swapped[0::2], swapped[1::2] = want[1::2], want[0::2]
assert got == bytes(swapped), "audio differs"
PY

# CloneCD with a real subchannel: seeded R-W (and P, Q as made from the
# TOC) survive CCD -> TOC (RW_RAW) -> CCD byte for byte.
mkdir "$TMP/sub"
"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/sub/x.ccd"
python3 - "$TMP/sub/x.sub" <<'PY'
import random, sys
random.seed(1212)
b = bytearray(open(sys.argv[1], "rb").read())
for s in range(len(b) // 96):
    for k in range(24, 96):	# R-W: each channel 12 linear bytes from 24
        b[s * 96 + k] = random.randrange(256)
open(sys.argv[1], "wb").write(b)
PY
"$OPTIMG" convert -q "$TMP/sub/x.ccd" "$TMP/sub/y.toc"
grep -q '^TRACK MODE1_RAW RW_RAW$' "$TMP/sub/y.toc" || fail "no RW_RAW"
(cd "$TMP/sub" && cdrdao show-toc y.toc) >/dev/null 2>&1 || fail "cdrdao refuses y.toc"
[ "$(stat -c %s "$TMP/sub/y.bin")" -eq $((302 * 2448)) ] || fail "y.bin is not 2448 a block"
mkdir "$TMP/sub/z"
"$OPTIMG" convert -q "$TMP/sub/y.toc" "$TMP/sub/z/x.ccd"
for f in x.img x.sub x.ccd; do same_file "$TMP/sub/$f" "$TMP/sub/z/$f"; done
