#!/bin/sh
# DATs, maps and images that are slow, endless or forged (issue #15,
# faults 4 and 6): a 20 MB DAT reads in linear time, a FIFO given as a
# DAT, map or image is refused at once, SIGINT stops a DAT read, and a
# game name cannot forge a line of the report.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

printf 'x\n' >"$TMP/x.txt"
"$MKFIXTURE" iso "$TMP/a.iso" DATTEST "$TMP/x.txt"

now() { /usr/bin/python3 -c 'import time; print(time.monotonic())'; }
elapsed() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

# 20 MB: 60,000 games, then bare roms (which the old reader matched
# against every game, one at a time).
/usr/bin/python3 - "$TMP/big.dat" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    n = 0
    for g in range(60000):
        f.write('<game name="Game %d"><rom name="Game %d (Track 1).bin" '
                'size="%d" crc="%08x"/></game>\n' % (g, g, g, g))
    while f.tell() < 20 * 1000 * 1000:
        f.write('<rom name="bare %d (Track 1).bin" size="%d" crc="%08x" '
                'md5="%032x" sha1="%040x"/>\n' % (n, n, n, n, n))
        n += 1
PY
t0=$(now)
expect_exit 1 "$OPTIMG" verify -q "$TMP/a.iso" --dat "$TMP/big.dat"
t1=$(now)
secs=$(elapsed "$t0" "$t1")
echo "20 MB DAT: ${secs}s"
# 2 s in an optimised build; sanitizers take several times that.
awk -v s="$secs" 'BEGIN { exit !(s < 20) }' || fail "20 MB DAT took ${secs}s"
grep -q "no entry matches" "$TMP/out" || fail "$(cat "$TMP/out")"

# A FIFO as DAT, image or map is refused at once, with one line.
mkfifo "$TMP/fifo"
t0=$(now)
set +e
timeout -s INT 2 "$OPTIMG" verify "$TMP/a.iso" --dat "$TMP/fifo" 2>"$TMP/err"
rc=$?
set -e
t1=$(now)
secs=$(elapsed "$t0" "$t1")
echo "FIFO as DAT: exit $rc after ${secs}s"
[ $rc -eq 1 ] || fail "verify --dat FIFO exited $rc: $(cat "$TMP/err")"
awk -v s="$secs" 'BEGIN { exit !(s < 1) }' || fail "verify --dat FIFO took ${secs}s"
grep -q "not a regular file" "$TMP/err" || fail "$(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "more than one line: $(cat "$TMP/err")"
expect_exit 1 timeout 2 "$OPTIMG" info "$TMP/fifo"
grep -q "not a regular file" "$TMP/err" || fail "info FIFO: $(cat "$TMP/err")"
"$OPTIMG" convert -q "$TMP/a.iso" "$TMP/a.cue"
mkdir "$TMP/r"
mkfifo "$TMP/r/out.map"
expect_exit 1 timeout 5 "$OPTIMG" rip -q "$TMP/a.cue" -o "$TMP/r/out.cue"
grep -q "not a regular file" "$TMP/err" || fail "rip map FIFO: $(cat "$TMP/err")"

# SIGINT during a long DAT read stops it within a second.
/usr/bin/python3 - "$TMP/huge.dat" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    line = '<rom name="r (Track 1).bin" size="1" crc="00000000"/>\n'
    f.write(line * (200 * 1000 * 1000 // len(line)))
PY
"$OPTIMG" verify "$TMP/a.iso" --dat "$TMP/huge.dat" >/dev/null 2>"$TMP/err" &
pid=$!
sleep 0.5
t0=$(now)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
t1=$(now)
secs=$(elapsed "$t0" "$t1")
echo "SIGINT in a 200 MB DAT: exit $rc after ${secs}s"
[ $rc -eq 1 ] || fail "interrupted verify exited $rc: $(cat "$TMP/err")"
awk -v s="$secs" 'BEGIN { exit !(s < 1) }' || fail "SIGINT took ${secs}s to stop"

# A forged game name cannot print a report line of its own.
sum=$(/usr/bin/python3 -c 'import sys,zlib; print("%08x" % zlib.crc32(open(sys.argv[1],"rb").read()))' "$TMP/a.iso")
printf '<datafile><game name="x&#10;result:   ok"><rom name="a.iso" crc="%s" size="1"/></game></datafile>\n' \
	"$sum" >"$TMP/forged.dat"
expect_exit 1 "$OPTIMG" verify -q "$TMP/a.iso" --dat "$TMP/forged.dat"
grep -q '^result:   ok' "$TMP/out" && fail "forged line: $(cat "$TMP/out")"
grep -q '^result:   FAILED' "$TMP/out" || fail "$(cat "$TMP/out")"
grep -qF "'x'\$'\\n''result:   ok'" "$TMP/out" || fail "quoting: $(cat "$TMP/out")"
echo ok
