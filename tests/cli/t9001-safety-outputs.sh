#!/bin/sh
# One output placement rule (issue #15, fault 2 and 3): an output is never
# an input, never inside an input directory (through links), two runs
# writing one name never both succeed without --force, and the temporary
# files of runs killed outright are swept by the next run for that name.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

mkdir "$TMP/src" "$TMP/elsewhere"
printf 'source file\n' >"$TMP/src/f.txt"
printf 'outside\n' >"$TMP/elsewhere/target.iso"
ln -s "$TMP/elsewhere/target.iso" "$TMP/src/link.iso"
cp "$TMP/src/f.txt" "$TMP/f.keep"

# mkiso onto a source file, even with --force: refused, file kept.
expect_exit 1 "$OPTIMG" mkiso -q --force "$TMP/src" -o "$TMP/src/f.txt"
grep -q "lies inside the input" "$TMP/err" || fail "mkiso f.txt: $(cat "$TMP/err")"
same_file "$TMP/src/f.txt" "$TMP/f.keep"
# -o through a symbolic link inside the source: refused, link kept.
expect_exit 1 "$OPTIMG" mkiso -q --force "$TMP/src" -o "$TMP/src/link.iso"
grep -q "lies inside the input" "$TMP/err" || fail "mkiso link: $(cat "$TMP/err")"
[ -L "$TMP/src/link.iso" ] || fail "the link in the source was replaced"
[ "$(cat "$TMP/elsewhere/target.iso")" = outside ] || fail "link target changed"
# The source reached through a link to its directory is still the source.
ln -s "$TMP/src" "$TMP/srclink"
expect_exit 1 "$OPTIMG" mkiso -q --force "$TMP/src" -o "$TMP/srclink/new.iso"
grep -q "lies inside the input" "$TMP/err" || fail "mkiso via dir link: $(cat "$TMP/err")"
[ ! -e "$TMP/src/new.iso" ] || fail "output made inside the source"
"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/a.iso"

# rip --force X.cue -o X.cue: the input sheet is kept.
"$OPTIMG" convert -q "$TMP/a.iso" "$TMP/x.cue"
cp "$TMP/x.cue" "$TMP/x.keep"
expect_exit 1 "$OPTIMG" rip -q --force "$TMP/x.cue" -o "$TMP/x.cue"
grep -q "is the input" "$TMP/err" || fail "rip onto its cue: $(cat "$TMP/err")"
same_file "$TMP/x.cue" "$TMP/x.keep"
# ... and its bin is not a rip output either.
cp "$TMP/x.bin" "$TMP/xbin.keep"
mkdir "$TMP/r"
cp "$TMP/x.cue" "$TMP/r/x.cue"
ln -s "$TMP/x.bin" "$TMP/r/x (Track 1).bin"
expect_exit 1 "$OPTIMG" rip -q --force "$TMP/x.cue" -o "$TMP/r/x.cue"
grep -q "is the input" "$TMP/err" || fail "rip onto its bin: $(cat "$TMP/err")"
same_file "$TMP/x.bin" "$TMP/xbin.keep"
ls -a "$TMP" "$TMP/r" | grep -q '\.part$' && fail "temporary file left"

# Eight converts to one new name at once: exactly one wins, the others
# fail saying so, and the survivor is a whole, correct image.  64 MB keep
# them all writing when the first one finishes.
cp "$TMP/a.iso" "$TMP/b.iso"
truncate -s 64M "$TMP/b.iso"
"$OPTIMG" convert -q "$TMP/b.iso" "$TMP/b.cue"
i=0
while [ $i -lt 8 ]; do
	"$OPTIMG" convert -q "$TMP/b.cue" "$TMP/race.iso" 2>"$TMP/race.$i.err" &
	eval "pid$i=\$!"
	i=$((i + 1))
done
ok=0 bad=0 i=0
while [ $i -lt 8 ]; do
	eval "p=\$pid$i"
	if wait "$p"; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
	i=$((i + 1))
done
[ $ok -eq 1 ] && [ $bad -eq 7 ] || fail "race: $ok succeeded, $bad failed"
cat "$TMP"/race.*.err | grep -v "already exists\|appeared while it was written" &&
	fail "unexpected race message"
same_file "$TMP/race.iso" "$TMP/b.iso"
ls -a "$TMP" | grep -q '\.part$' && fail "temporary file left by the race"

# A run killed outright leaves its temporary file, named with its pid;
# the next run for that name removes it, and leaves a live run's alone.
cp "$TMP/a.iso" "$TMP/big.iso"
truncate -s 3G "$TMP/big.iso"
mkdir "$TMP/k"
"$OPTIMG" convert -q "$TMP/big.iso" "$TMP/k/big.cue" &
pid=$!
n=0
until ls -a "$TMP/k" | grep -q "^\.big\.bin\.$pid\.......\.part$"; do
	n=$((n + 1))
	[ $n -lt 100 ] || fail "no temporary file with the pid: $(ls -a "$TMP/k")"
	sleep 0.1
done
kill -KILL $pid
wait $pid || true
sleep 30 &
live=$!
: >"$TMP/k/.big.bin.$live.abcdef.part"
"$OPTIMG" convert -q "$TMP/a.iso" "$TMP/k/big.cue"
left=$(ls -a "$TMP/k" | grep '\.part$' | tr '\n' ' ')
kill $live
[ "$left" = ".big.bin.$live.abcdef.part " ] || fail "after the rerun: '$left'"
echo ok
