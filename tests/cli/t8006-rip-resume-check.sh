#!/bin/sh
# A resumed rip trusts its .part files only where they hold what the map
# says (a CRC32 per done extent): a part cut short or altered after an
# interrupted rip is read again where it does not match, and the dump ends
# byte-identical.  A second rip of the same output refuses at once.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

# An ISO of ~2.4 MB of seeded random data as a one-track MODE1/2352 disc
# (libcdio's cue driver reads "<cue name>.bin": one bin it is).
mkdir "$TMP/src"
python3 -c 'import random, sys
r = random.Random(8006)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(2400000)))' \
	>"$TMP/src/random.dat"
SOURCE_DATE_EPOCH=0 "$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/r.iso"
"$OPTIMG" convert -q "$TMP/r.iso" "$TMP/R.cue"
[ -f "$TMP/R.bin" ] || fail "convert made no R.bin: $(ls "$TMP")"
N=$(($(stat -c %s "$TMP/r.iso") / 2048))

# first_run DIR OUT: an interrupted rip (a bad extent) into DIR.
first_run() {
	mkdir "$TMP/$1"
	expect_exit 1 "$OPTIMG" rip --retries 0 --inject-faults '600-609:fail' \
		"$TMP/R.cue" -o "$TMP/$1/$2"
	grep -Eq '^0 600 good [0-9a-f]{8}$' "$TMP/$1/${2%.*}.map" ||
		fail "no CRC in the map: $(cat "$TMP/$1/${2%.*}.map")"
}
sectors_read() {
	sed -n 's/^reads: *[0-9]* calls for \([0-9]*\) sectors$/\1/p' "$TMP/out"
}

# ---- ISO: the part cut short --------------------------------------------
first_run t I.iso
truncate -s $((300 * 2048 + 100)) "$TMP/t/.I.iso.part"
expect_exit 0 "$OPTIMG" rip -v "$TMP/R.cue" -o "$TMP/t/I.iso"
same_file "$TMP/r.iso" "$TMP/t/I.iso"
grep -q "warning: $((N - 10)) sectors that '.*I.map' says are read do not match" "$TMP/err" ||
	fail "no warning: $(cat "$TMP/err")"
[ "$(sectors_read)" = $N ] || fail "read $(sectors_read) sectors, not $N"

# ---- BIN/CUE: two bytes changed in the first extent only ---------------
first_run a B.cue
printf 'XY' | dd of="$TMP/a/.B (Track 1).bin.part" bs=1 seek=$((100 * 2352 + 700)) \
	conv=notrunc 2>/dev/null
expect_exit 0 "$OPTIMG" rip -v "$TMP/R.cue" -o "$TMP/a/B.cue"
same_file "$TMP/R.bin" "$TMP/a/B (Track 1).bin"
# The altered extent (600) and the bad one (10), not the intact tail.
[ "$(sectors_read)" = 610 ] || fail "read $(sectors_read) sectors, not 610"
grep -Eqx "0 $N good [0-9a-f]{8}" "$TMP/a/B.map" || fail "map: $(cat "$TMP/a/B.map")"

# ---- a map whose extents carry no CRC (an older map) is not trusted ----
first_run o O.iso
sed -i -E 's/^(-?[0-9]+ [0-9]+ [a-z]+) [0-9a-f]{8}$/\1/' "$TMP/o/O.map"
expect_exit 0 "$OPTIMG" rip -v "$TMP/R.cue" -o "$TMP/o/O.iso"
same_file "$TMP/r.iso" "$TMP/o/O.iso"
[ "$(sectors_read)" = $N ] || fail "read $(sectors_read) sectors, not $N"

# ---- one rip per output: a second one refuses at once -------------------
mkdir "$TMP/l"
"$OPTIMG" rip --inject-faults '500:hang' "$TMP/R.cue" -o "$TMP/l/L.iso" \
	>"$TMP/l.out" 2>"$TMP/l.err" &
pid=$!
i=0
until grep -Eq '^0 486 good' "$TMP/l/L.map" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { kill "$pid"; fail "first rip never got going"; }
	sleep 0.1
done
start=$(date +%s)
expect_exit 1 "$OPTIMG" rip "$TMP/R.cue" -o "$TMP/l/L.iso"
[ $(($(date +%s) - start)) -le 2 ] || fail "the second rip waited"
grep -q "another rip is writing '.*L.iso'" "$TMP/err" || fail "$(cat "$TMP/err")"
kill -INT "$pid"
wait "$pid" || true
grep -q '^status:   interrupted$' "$TMP/l.out" || fail "first rip: $(cat "$TMP/l.out")"
# The lock went with its owner; the rip goes on.
expect_exit 0 "$OPTIMG" rip "$TMP/R.cue" -o "$TMP/l/L.iso"
same_file "$TMP/r.iso" "$TMP/l/L.iso"
[ ! -e "$TMP/l/.L.rip-lock" ] || fail "lock file left behind"
echo ok
