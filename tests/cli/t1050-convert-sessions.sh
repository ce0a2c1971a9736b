#!/bin/sh
# Two sessions in one cue, as Redump writes them: the second session's file
# system (made by genisoimage for its real start LBA, 11,400 sectors after
# the first session's end) is listed and read at those LBAs, and a cue
# written back keeps the REM LEAD-OUT / SESSION / LEAD-IN / PREGAP lines.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool genisoimage

mkdir "$TMP/d1" "$TMP/d2" "$TMP/out"
echo one >"$TMP/d1/one.txt"
echo second-session >"$TMP/d2/two.txt"
genisoimage -quiet -R -o "$TMP/s1.iso" "$TMP/d1"
n=$(( $(stat -c %s "$TMP/s1.iso") / 2048 ))
start=$(( n + 6750 + 4500 + 150 ))
genisoimage -quiet -R -C 0,$start -o "$TMP/s2.iso" "$TMP/d2" 2>/dev/null

cat >"$TMP/x.cue" <<CUE
REM SESSION 01
FILE "s1.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
REM LEAD-OUT 01:30:00
REM SESSION 02
REM LEAD-IN 01:00:00
REM PREGAP 00:02:00
FILE "s2.iso" BINARY
  TRACK 02 MODE1/2048
    INDEX 01 00:00:00
CUE
# Only REM SESSION: the Orange Book's lengths give the same LBAs.
grep -v 'LEAD\|PREGAP' "$TMP/x.cue" >"$TMP/bare.cue"

for cue in x bare; do
	"$OPTIMG" info --json "$TMP/$cue.cue" >"$TMP/$cue.json"
	python3 - "$TMP/$cue.json" $start <<'PY' || fail "$cue: track 2 not at $start"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["tracks"] if t["number"] == 2][0]
assert t["start"] == int(sys.argv[2]), t
PY
	[ "$("$OPTIMG" cat "$TMP/$cue.cue" /two.txt)" = second-session ] ||
		fail "$cue: session 2's file"
done
"$OPTIMG" ls --session 1 "$TMP/x.cue" | grep -q one.txt || fail "session 1 listing"
"$OPTIMG" ls -l "$TMP/x.cue" | grep -q "two.txt" || fail "session 2 listing"

# Extract reads the second session at its LBAs too.
mkdir "$TMP/ex"
"$OPTIMG" extract -q "$TMP/x.cue" -C "$TMP/ex"
same_file "$TMP/d2/two.txt" "$TMP/ex/two.txt"

# Written back: Redump's lines, and the same disc model.
"$OPTIMG" convert -q "$TMP/x.cue" "$TMP/out/y.cue"
for l in 'REM LEAD-OUT 01:30:00' 'REM SESSION 02' 'REM LEAD-IN 01:00:00' \
    'REM PREGAP 00:02:00'; do
	grep -q "^$l" "$TMP/out/y.cue" || fail "'$l' lost: $(cat "$TMP/out/y.cue")"
done
[ "$(grep -c 'REM LEAD-OUT' "$TMP/out/y.cue")" -eq 1 ] || fail "gap written twice"
"$OPTIMG" info --json "$TMP/out/y.cue" >"$TMP/y.json"
python3 - "$TMP/x.json" "$TMP/y.json" <<'PY' || fail "round trip changed the disc"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("image"); d.pop("size")
assert a == b, (a, b)
PY
[ "$("$OPTIMG" cat "$TMP/out/y.cue" /two.txt)" = second-session ] ||
	fail "converted: session 2's file"

# A sheet that gives the lead-out no length: the first session's last
# track still ends where the gap begins (not at the lead-in's end), every
# stored sector converts, and the written sheet keeps the zero lead-out.
mkdir "$TMP/z"
head -c $((2352 * 400)) /dev/zero >"$TMP/z/z.bin"
printf 'FILE "z.bin" BINARY\n TRACK 01 AUDIO\n  INDEX 01 00:00:00\nREM LEAD-OUT 00:00:00\nREM SESSION 02\n TRACK 02 AUDIO\n  INDEX 01 00:03:00\n' \
	>"$TMP/z/z.cue"
"$OPTIMG" info --json "$TMP/z/z.cue" >"$TMP/z.json"
python3 - "$TMP/z.json" <<'PY' || fail "zero lead-out: wrong track 1 or gap"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["tracks"]
assert t[0]["length"] == 225, t[0]
assert t[1]["start"] == 225 + 4500 + 150, t[1]
PY
"$OPTIMG" convert -q "$TMP/z/z.cue" "$TMP/z/w.cue" || fail "zero lead-out: convert"
grep -q '^REM LEAD-OUT 00:00:00' "$TMP/z/w.cue" || fail "zero lead-out lost: $(cat "$TMP/z/w.cue")"
cmp "$TMP/z/z.bin" "$TMP/z/w.bin" || fail "zero lead-out: bin differs"
