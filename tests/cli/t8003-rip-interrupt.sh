#!/bin/sh
# Ctrl-C during a rip: a read that hangs (injected) is abandoned when
# SIGINT arrives, the map keeps everything read before it, nothing gets a
# final name, and the same command afterwards reads only the rest and
# completes byte-identically.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata

# Waits up to 20 s for a line matching an extended regex in a file.
wait_for_line() {
	i=0
	while ! grep -Eqx "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "no '$2' in $1: $(cat "$1" 2>&1)"
		sleep 0.1
	done
}

interrupt_at() {
	sig=$1 lba=$2 out=$3
	"$OPTIMG" rip -v --inject-faults "$lba:hang" "$TESTDATA/cdda.cue" \
		-o "$out.cue" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	# Batches of 27: everything before the hung batch is saved first.
	wait_for_line "$out.map" "0 $(($lba / 27 * 27)) good [0-9a-f]{8}"
	kill "-$sig" "$pid"
	set +e
	wait "$pid"
	rc=$?
	set -e
	[ "$rc" -eq 1 ] || fail "interrupted rip exited $rc: $(cat "$TMP/err")"
}

mkdir "$TMP/a"
interrupt_at INT 200 "$TMP/a/A"
grep -q '^status:   interrupted$' "$TMP/out" || fail "summary: $(cat "$TMP/out")"
grep -q "interrupted; '.*A.map' says what is read: run the same command again" \
	"$TMP/err" || fail "message: $(cat "$TMP/err")"
grep -qx '189 113 untried' "$TMP/a/A.map" || fail "map: $(cat "$TMP/a/A.map")"
[ "$(ls -A "$TMP/a" | sort | tr '\n' '|')" = ".A (Track 1).bin.part|A.map|" ] ||
	fail "left: $(ls -A "$TMP/a")"

expect_exit 0 "$OPTIMG" rip -v "$TESTDATA/cdda.cue" -o "$TMP/a/A.cue"
grep -q '^reads: .* for 113 sectors$' "$TMP/out" || fail "resume read: $(cat "$TMP/out")"
same_file "$TESTDATA/cdda.bin" "$TMP/a/A (Track 1).bin"
grep -Eqx '0 302 good [0-9a-f]{8}' "$TMP/a/A.map" || fail "map: $(cat "$TMP/a/A.map")"

# SIGTERM (a closed terminal, a shutdown) is handled the same way, and an
# interrupted resume resumes again.
mkdir "$TMP/b"
interrupt_at TERM 60 "$TMP/b/B"
grep -qx '54 248 untried' "$TMP/b/B.map" || fail "map: $(cat "$TMP/b/B.map")"
interrupt_at INT 250 "$TMP/b/B"
grep -Eqx '0 243 good [0-9a-f]{8}' "$TMP/b/B.map" || fail "map: $(cat "$TMP/b/B.map")"
grep -q '^reads: .* for 216 sectors$' "$TMP/out" || fail "second run read: $(cat "$TMP/out")"
expect_exit 0 "$OPTIMG" rip -q "$TESTDATA/cdda.cue" -o "$TMP/b/B.cue"
same_file "$TESTDATA/cdda.bin" "$TMP/b/B (Track 1).bin"
echo ok
