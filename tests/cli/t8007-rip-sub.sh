#!/bin/sh
# `optimg rip -o NAME.ccd` keeps the drive's raw P-W subchannel: NAME.img,
# NAME.sub and NAME.ccd, the pregaps and INDEX 02+ taken from subchannel
# Q.  The drive is a CloneCD image opened as a stand-in drive with
# subchannel (libcdio's image drivers have none), whose .ccd lists only
# INDEX 01, as a drive's TOC does; its .sub still has the pregaps and the
# INDEX 02 and 03 in Q.  The rip reads back through `optimg info` with its
# subchannel, every Q agreeing with the TOC, and a drive without
# subchannel is refused with a clear line.  Seeded data only.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

# A data track (an ISO of seeded random data) and two audio tracks of
# seeded noise, with pregaps and INDEX 02/03.
mkdir "$TMP/src" "$TMP/d"
python3 -c 'import random, sys
r = random.Random(8007)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(300000)))' \
	>"$TMP/src/random.dat"
SOURCE_DATE_EPOCH=0 "$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/d/data.iso"
"$OPTIMG" convert -q "$TMP/d/data.iso" "$TMP/d/data.cue"
python3 -c 'import random, sys
r = random.Random(80071)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(2352 * 600)))' \
	>"$TMP/d/audio.bin"
cat >"$TMP/d/x.cue" <<'EOF'
FILE "data.bin" BINARY
  TRACK 01 MODE1/2352
    INDEX 01 00:00:00
FILE "audio.bin" BINARY
  TRACK 02 AUDIO
    INDEX 00 00:00:00
    INDEX 01 00:02:00
    INDEX 02 00:04:10
  TRACK 03 AUDIO
    INDEX 00 00:06:00
    INDEX 01 00:06:30
    INDEX 02 00:07:00
    INDEX 03 00:07:20
EOF
"$OPTIMG" convert -q "$TMP/d/x.cue" "$TMP/d/full.ccd"
D=$(($(stat -c %s "$TMP/d/data.bin") / 2352))
# Where the indices lie on the disc (the audio file starts at D).
I0_2=$D; I1_2=$((D + 150)); I2_2=$((D + 310))
I0_3=$((D + 450)); I1_3=$((D + 480)); I2_3=$((D + 525)); I3_3=$((D + 545))
END=$((D + 600))

# The stand-in drive: the .ccd keeps only INDEX 01, the .sub all of Q.
mkdir "$TMP/drv"
cp "$TMP/d/full.img" "$TMP/drv/disc.img"
cp "$TMP/d/full.sub" "$TMP/drv/disc.sub"
grep -v '^INDEX [02-9]' "$TMP/d/full.ccd" >"$TMP/drv/disc.ccd"
! grep -q '^INDEX 2' "$TMP/drv/disc.ccd" || fail "fixture keeps INDEX 2"
# Its own TOC now disagrees with its Q from the first pregap on.
"$OPTIMG" info "$TMP/drv/disc.ccd" >"$TMP/info0"
grep -q "^subq: *$END sectors: 0 CRC bad, 0 MCN/ISRC, $END position, $((END - 150 - 140 - 30 - 20 - 55)) of them agree with the TOC$" "$TMP/info0" ||
	fail "stand-in's own Q check: $(grep -A1 subq "$TMP/info0")"

# ---- the rip ----------------------------------------------------------------
mkdir "$TMP/r"
expect_exit 0 "$OPTIMG" rip "$TMP/drv/disc.ccd" -o "$TMP/r/R.ccd"
grep -q '^status: *complete$' "$TMP/out" || fail "status: $(cat "$TMP/out")"
grep -q '^file: *R.sub$' "$TMP/out" || fail "no R.sub in the summary: $(cat "$TMP/out")"
[ "$(ls -A "$TMP/r" | sort | tr '\n' '|')" = "R.ccd|R.hash|R.img|R.map|R.sub|" ] ||
	fail "left $(ls -A "$TMP/r")"
same_file "$TMP/d/full.img" "$TMP/r/R.img"
same_file "$TMP/d/full.sub" "$TMP/r/R.sub"
[ "$(stat -c %s "$TMP/r/R.sub")" -eq $((END * 96)) ] || fail "R.sub size"
# The indices come from Q: the drive's TOC had none of them.
want="1:1=0|2:0=$I0_2|2:1=$I1_2|2:2=$I2_2|3:0=$I0_3|3:1=$I1_3|3:2=$I2_3|3:3=$I3_3|"
got=$(awk '/^\[TRACK /{t=$2; sub(/\]/, "", t)} /^INDEX /{sub(/^INDEX /, ""); printf "%s:%s|", t, $0}' "$TMP/r/R.ccd")
[ "$got" = "$want" ] || fail "indices in R.ccd: $got, expected $want"
# The hash file names both files with their sizes.
grep -q "<rom name=\"R.sub\" size=\"$((END * 96))\"" "$TMP/r/R.hash" ||
	fail "hash file: $(cat "$TMP/r/R.hash")"

# An independent decode of R.sub (CloneCD: 12 bytes a channel, Q second):
# Q's CRC, and the track and index BCD where INDEX 02 begins.
python3 - "$TMP/r/R.sub" "$I2_2" <<'EOF' || fail "Q in R.sub"
import sys
data = open(sys.argv[1], 'rb').read()
lba = int(sys.argv[2])
def q(n):
    return data[n * 96 + 12:n * 96 + 24]
def crc(b):
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else c << 1
            c &= 0xffff
    return c ^ 0xffff
for n in (lba - 1, lba):
    v = q(n)
    assert crc(v[:10]) == (v[10] << 8 | v[11]), "CRC at %d" % n
assert (q(lba - 1)[1], q(lba - 1)[2]) == (0x02, 0x01), q(lba - 1).hex()
assert (q(lba)[1], q(lba)[2]) == (0x02, 0x02), q(lba).hex()
EOF

# ---- read back: subchannel kept, Q agrees with the TOC ----------------------
"$OPTIMG" info "$TMP/r/R.ccd" >"$TMP/info"
grep -q "^subq: *$END sectors: 0 CRC bad, 0 MCN/ISRC, $END position, $END of them agree with the TOC$" "$TMP/info" ||
	fail "Q check: $(cat "$TMP/info")"
[ "$(grep -c 'subchannel (96 bytes of P-W a sector) kept' "$TMP/info")" -eq 3 ] ||
	fail "subchannel not kept: $(cat "$TMP/info")"
"$OPTIMG" info --json "$TMP/r/R.ccd" | python3 -c '
import json, sys
d = json.load(sys.stdin)
q = d["subq"]
assert q["agree"] == q["sectors"] == q["position"] == int(sys.argv[1]), q
assert q["first_disagree"] is None, q
t = {x["number"]: x for x in d["tracks"]}
assert all(x["subchannel"] for x in d["tracks"])
' "$END" || fail "info --json"

# ---- an interrupted CloneCD rip resumes to the same bytes ------------------
mkdir "$TMP/i"
expect_exit 1 "$OPTIMG" rip --retries 0 --inject-faults "$((D + 200))-$((D + 209)):fail" \
	"$TMP/drv/disc.ccd" -o "$TMP/i/R.ccd"
[ -f "$TMP/i/.R.img.part" ] || fail "no part: $(ls -A "$TMP/i")"
grep -q '^unit 2448$' "$TMP/i/R.map" || fail "map unit: $(cat "$TMP/i/R.map")"
truncate -s $((100 * 2448)) "$TMP/i/.R.img.part"
expect_exit 0 "$OPTIMG" rip "$TMP/drv/disc.ccd" -o "$TMP/i/R.ccd"
same_file "$TMP/d/full.img" "$TMP/i/R.img"
same_file "$TMP/d/full.sub" "$TMP/i/R.sub"
cmp "$TMP/r/R.ccd" "$TMP/i/R.ccd" || fail "resumed R.ccd differs"

# ---- drives without subchannel ----------------------------------------------
# libcdio's cue driver has none: refused before anything is written.
mkdir "$TMP/n"
cp "$TMP/d/data.bin" "$TMP/n/data.bin"
cp "$TMP/d/data.cue" "$TMP/n/data.cue"
expect_exit 1 "$OPTIMG" rip "$TMP/n/data.cue" -o "$TMP/n/N.ccd"
grep -q "^optimg: rip: cannot rip to a CloneCD image: libcdio's bincue image driver gives no subchannel; rip to a .cue (no subchannel)$" "$TMP/err" ||
	fail "no-sub message: $(cat "$TMP/err")"
[ "$(ls -A "$TMP/n" | sort | tr '\n' '|')" = "data.bin|data.cue|" ] ||
	fail "a refused rip left $(ls -A "$TMP/n")"
# A stand-in CloneCD image without its .sub: the same.
rm "$TMP/drv/disc.sub"
expect_exit 1 "$OPTIMG" rip "$TMP/drv/disc.ccd" -o "$TMP/n/M.ccd"
grep -q "cannot rip to a CloneCD image: '.*disc.ccd' has no .sub beside it" "$TMP/err" ||
	fail "no .sub message: $(cat "$TMP/err")"
# A read offset does not apply to a CloneCD rip.
cp "$TMP/d/full.sub" "$TMP/drv/disc.sub"
expect_exit 2 "$OPTIMG" rip --offset 6 "$TMP/drv/disc.ccd" -o "$TMP/n/O.ccd"
exit 0
