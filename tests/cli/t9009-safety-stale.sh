#!/bin/sh
# Temporary files of runs killed outright (issue #15, fault 9): a convert
# and an extract are stopped at a known byte by an LD_PRELOAD shim and
# killed with SIGKILL; their hidden ".NAME.PID.TAG.part" files stay, and
# the next run writing into the same directory removes them, says so in
# one line, and leaves alone the file of a live run and a file whose lock
# is held (a run in another pid namespace).
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool flock
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler to build the shim"
"$cc" -shared -fPIC -o "$TMP/stall.so" "$SRCDIR/tests/cli/eio_preload.c" \
	-ldl || skip "cannot build the LD_PRELOAD shim"
asan=$(ldd "$OPTIMG" | sed -n 's/.*libasan[^ ]* => \([^ ]*\) .*/\1/p')
preload="${asan:+$asan }$TMP/stall.so"

# stalled NAME CMD...: runs CMD in the background until it writes byte
# 1 MiB of a file whose name holds NAME, then kills it; $pid is its pid.
stalled() {
	name=$1
	shift
	rm -f "$TMP/stalled"
	EIO_PATH="$name" EIO_AT=1048576 STALL_MARK="$TMP/stalled" \
	LD_PRELOAD="$preload" ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
		"$@" 2>"$TMP/stalled.err" &
	pid=$!
	n=0
	until [ -e "$TMP/stalled" ]; do
		kill -0 $pid 2>/dev/null ||
			fail "'$*' ended before it stalled: $(cat "$TMP/stalled.err")"
		n=$((n + 1))
		[ $n -lt 600 ] || fail "'$*' did not stall"
		sleep 0.1
	done
	kill -KILL $pid
	wait $pid 2>/dev/null || true
}

mkdir -p "$TMP/src/sub"
"$MKFIXTURE" random "$TMP/src/sub/big.bin" 3000000 9009
"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/in.iso"

# convert, killed while writing the bin.
mkdir "$TMP/k"
stalled .k.bin. "$OPTIMG" convert -q "$TMP/in.iso" "$TMP/k/k.cue"
dead=$pid
ls -A "$TMP/k" | grep -q "^\.k\.bin\.$dead\.[A-Za-z0-9]\{6\}\.part$" ||
	fail "no temporary bin of the killed run: $(ls -A "$TMP/k")"
[ ! -e "$TMP/k/k.bin" ] && [ ! -e "$TMP/k/k.cue" ] ||
	fail "a final name exists after the kill: $(ls -A "$TMP/k")"
# A live run's file, and a dead pid's file whose lock someone holds.
sleep 60 &
live=$!
: >"$TMP/k/.k.bin.$live.abcdef.part"
gone=$(sh -c 'echo $$')
: >"$TMP/k/.k.cue.$gone.locked.part"
flock "$TMP/k/.k.cue.$gone.locked.part" sleep 60 &
holder=$!
n=0
until ! flock -n "$TMP/k/.k.cue.$gone.locked.part" true; do
	n=$((n + 1)); [ $n -lt 50 ] || fail "flock holder"; sleep 0.1
done
expect_exit 0 "$OPTIMG" convert -q "$TMP/in.iso" "$TMP/k/k.cue"
grep -q "^optimg: convert: warning: in '$TMP/k': removed '\.k\.\(bin\|cue\)\.$dead\.[A-Za-z0-9]\{6\}\.part' and 1 more: temporary files of runs that were killed$" \
	"$TMP/err" || fail "convert's sweep message: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "more than one line: $(cat "$TMP/err")"
left=$(ls -A "$TMP/k" | grep '\.part$' | sort | tr '\n' ' ')
kill $live $holder 2>/dev/null || true
wait $live $holder 2>/dev/null || true
[ "$left" = ".k.bin.$live.abcdef.part .k.cue.$gone.locked.part " ] ||
	fail "after the rerun: '$left'"
"$OPTIMG" convert -q "$TMP/k/k.cue" "$TMP/back.iso"
same_file "$TMP/in.iso" "$TMP/back.iso"

# extract, killed in the middle of sub/big.bin: no big.bin under its
# name, and the rerun into the same directory removes the part file.
mkdir "$TMP/x"
stalled .big.bin. "$OPTIMG" extract -q "$TMP/in.iso" -C "$TMP/x"
ls -A "$TMP/x/sub" | grep -q "^\.big\.bin\.$pid\.[a-z0-9]\{6\}\.part$" ||
	fail "no temporary file of the killed extract: $(ls -A "$TMP/x/sub")"
[ ! -e "$TMP/x/sub/big.bin" ] || fail "a partial big.bin is under its name"
expect_exit 0 "$OPTIMG" extract -q "$TMP/in.iso" -C "$TMP/x"
grep -q "^optimg: extract: warning: in '/sub': removed '\.big\.bin\.$pid\.[a-z0-9]\{6\}\.part': the temporary file of a run that was killed$" \
	"$TMP/err" || fail "extract's sweep message: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "more than one line: $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/x/sub" | grep '\.part$')" ] ||
	fail "left: $(ls -A "$TMP/x/sub")"
same_file "$TMP/src/sub/big.bin" "$TMP/x/sub/big.bin"
echo ok
