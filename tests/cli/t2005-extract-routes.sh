#!/bin/sh
# optimg extract moves file data by three routes and each gives the same
# bytes and the same holes: the kernel's copy_file_range when image and
# DIR share a file system (.iso), sendfile across file systems (the .iso
# on /dev/shm), and a buffer for raw sectors (BIN/CUE).  strace, when
# present, shows which route ran.  A write that fails (a file-size limit)
# is one line naming the file, exit 1, leaves no half-written file, and
# the other files are still extracted.  optimg cat takes the kernel's
# route into a new file.  --boot-images writes the El Torito image byte
# for byte.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

mkdir "$TMP/src"
# data.bin: 1 MiB of data, 2 MiB of zeros, 1 MiB of data.
"$MKFIXTURE" random "$TMP/src/data.bin" 1048576 2005
"$MKFIXTURE" random "$TMP/more.bin" 1048576 2006
dd if="$TMP/more.bin" of="$TMP/src/data.bin" bs=1048576 seek=3 count=1 \
    conv=notrunc 2>/dev/null
printf 'small\n' >"$TMP/src/small.txt"
: >"$TMP/src/empty"
"$MKFIXTURE" random "$TMP/src/boot.img" 4096 2007
"$OPTIMG" mkiso -q "$TMP/src" -b boot.img -o "$TMP/t.iso" ||
	fail "mkiso failed"
"$OPTIMG" convert -q "$TMP/t.iso" "$TMP/t.cue" || fail "convert failed"

shm=
if [ -d /dev/shm ] && [ -w /dev/shm ] &&
    [ "$(stat -f -c %T /dev/shm)" != "$(stat -f -c %T "$TMP")" ]; then
	shm=$(mktemp /dev/shm/optimg-t2005.XXXXXX)
	trap 'rc=$?; rm -f "$shm"; if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi' EXIT
	cp "$TMP/t.iso" "$shm"
else
	echo "NOTE: no other file system at /dev/shm: sendfile route untested" >&2
fi
tracer=
if command -v strace >/dev/null 2>&1; then
	tracer=strace
else
	echo "NOTE: strace is not installed: routes not checked by name" >&2
fi

# route LABEL IMAGE SYSCALL: extract, compare, check holes and the route.
route() {
	out="$TMP/out-$1"
	mkdir "$out" "$out-traced"
	"$OPTIMG" extract -q -C "$out" "$2" || fail "$1: extract failed"
	# Once more under strace, where LeakSanitizer cannot run.
	if [ -n "$tracer" ]; then
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		    strace -f -qq -e trace=copy_file_range,sendfile \
		    -o "$TMP/trace-$1" "$OPTIMG" extract -q -C "$out-traced" \
		    "$2" || fail "$1: extract under strace failed"
	fi
	for f in data.bin small.txt empty boot.img; do
		same_file "$TMP/src/$f" "$out/$f"
	done
	used=$(du -k "$out/data.bin" | cut -f1)
	[ "$used" -le 2200 ] ||
		fail "$1: data.bin takes $used KiB: the 2 MiB of zeros are not a hole"
	if [ -n "$tracer" ]; then
		for call in copy_file_range sendfile; do
			n=$(grep -c "$call(" "$TMP/trace-$1" || true)
			if [ "$call" = "$3" ]; then
				[ "$n" -gt 0 ] || fail "$1: no $call"
			elif [ "$3" != sendfile ] || [ "$call" != copy_file_range ]
			then
				# sendfile follows one refused copy_file_range
				[ "$n" -eq 0 ] || fail "$1: $n calls of $call"
			fi
		done
	fi
	echo "ok: $1 ($used KiB on disk for 4 MiB)"
}

route iso "$TMP/t.iso" copy_file_range
route cue "$TMP/t.cue" none
[ -z "$shm" ] || route shm "$shm" sendfile

# A failing write: one line naming the file; the rest is extracted.
mkdir "$TMP/out-limit"
set +e
(trap '' XFSZ; ulimit -f 2048; exec "$OPTIMG" extract -q \
    -C "$TMP/out-limit" "$TMP/t.iso") 2>"$TMP/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || { cat "$TMP/err" >&2; fail "limit: exit $rc, not 1"; }
[ "$(wc -l <"$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "limit: not one line"; }
grep -F "/data.bin: " "$TMP/err" | grep -F "File too large" >/dev/null ||
	{ cat "$TMP/err" >&2; fail "limit: the error does not say what failed"; }
same_file "$TMP/src/small.txt" "$TMP/out-limit/small.txt"
[ ! -e "$TMP/out-limit/data.bin" ] || fail "limit: a half-written data.bin is left"
echo "ok: a failing write is named: $(cat "$TMP/err")"

# optimg cat into a new file takes the kernel's route too, holes and all,
# and leaves the descriptor after the file for what the shell writes next;
# into a pipe or an appended file it streams.
"$OPTIMG" cat "$TMP/t.iso" /data.bin >"$TMP/cat.bin" || fail "cat failed"
same_file "$TMP/src/data.bin" "$TMP/cat.bin"
used=$(du -k "$TMP/cat.bin" | cut -f1)
[ "$used" -le 2200 ] || fail "cat: the 2 MiB of zeros are not a hole ($used KiB)"
{ "$OPTIMG" cat "$TMP/t.iso" /small.txt; echo next; } >"$TMP/cat2.txt"
[ "$(cat "$TMP/cat2.txt")" = "$(printf 'small\nnext')" ] ||
	fail "cat: the next write did not go after the file"
printf 'first\n' >"$TMP/cat3.txt"
"$OPTIMG" cat "$TMP/t.iso" /small.txt >>"$TMP/cat3.txt"
[ "$(cat "$TMP/cat3.txt")" = "$(printf 'first\nsmall')" ] ||
	fail "cat >>: not appended"
"$OPTIMG" cat "$TMP/t.cue" /data.bin | cmp - "$TMP/src/data.bin" ||
	fail "cat into a pipe differs"
echo "ok: cat into a new file, after it, appended and piped"

# --boot-images: the El Torito image, as mkiso was given it.
mkdir "$TMP/out-boot"
"$OPTIMG" extract -q --boot-images -C "$TMP/out-boot" "$TMP/t.iso" ||
	fail "extract --boot-images failed"
same_file "$TMP/src/boot.img" "$TMP/out-boot/boot-1-x86.img"
echo "ok: --boot-images"
