#!/bin/sh
# A short coverage-guided fuzz run of each target, when clang is here:
#   tests/fuzz/run.sh BUILDDIR SECONDS_PER_TARGET [TARGET...]
# BUILDDIR is a configured build tree (for config.h).  The library (every
# .c under lib/, subfolders too) is compiled once with clang into a static
# archive; each target is linked against it.  TARGETs (e.g. "dat cue")
# pick targets; by default all run.  A target's source may name more seed
# corpora on a line " * seeds: NAME...".  Findings go to BUILDDIR/fuzz-out.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR SECONDS [TARGET...]}" && pwd)
secs=${2:-20}
shift 2 2>/dev/null || shift $#
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: fuzz run: clang is not installed" >&2
	exit 0
fi
out="$build/fuzz-out"
mkdir -p "$out/obj"
incs=$(find "$top/lib" -type d | sed 's/^/-I/')
libs=$(pkg-config --cflags --libs libcdio libiso9660 libudf libburn-1 zlib libcrypto \
	liblzma libzstd flac liblz4 expat libmpg123)
cflags=$(pkg-config --cflags libcdio libiso9660 libudf libburn-1 zlib \
	libcrypto liblzma libzstd flac liblz4 expat libmpg123)
san="-fsanitize=address,undefined"

# The library, once.  Objects are named after their path, so that
# lib/a/x.c and lib/b/x.c do not clash; rebuilt when the source is newer.
lib="$out/liboptimg-fuzz.a"
objs=
for src in $(cd "$top" && find lib -name '*.c' | sort); do
	obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -f "$obj" ] || [ "$top/$src" -nt "$obj" ] ||
	    [ -n "$(find "$top/lib" -name '*.h' -newer "$obj" | head -1)" ]; then
		clang -g -O1 -fsanitize=fuzzer-no-link $san -DOPTIMG_BUILD \
			-I"$build" $incs \
			$cflags -c "$top/$src" -o "$obj.$$"
		mv "$obj.$$" "$obj"
	fi
	objs="$objs $obj"
done
# shellcheck disable=SC2086
ar rcs "$lib.$$" $objs
mv "$lib.$$" "$lib"	# runs side by side each see a whole archive

targets=$*
[ -n "$targets" ] ||
	targets=$(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
for name in $targets; do
	target=fuzz_$name
	src="$top/tests/fuzz/$target.c"
	[ -f "$src" ] || { echo "fuzz: no target $src" >&2; exit 2; }
	clang -g -O1 -fsanitize=fuzzer $san -DOPTIMG_BUILD \
		-I"$build" $incs -I"$top/tests/fuzz" \
		"$src" "$lib" $libs -lpthread -o "$out/$target"
	mkdir -p "$out/corpus-$name"
	seeds=
	[ -d "$top/tests/fuzz/corpus/$name" ] &&
		seeds="$top/tests/fuzz/corpus/$name"
	for more in $(sed -n 's/^ \* seeds: //p' "$src"); do
		seeds="$seeds $top/tests/fuzz/corpus/$more"
	done
	# Image readers: seeds built from the formats' constants.
	mk="$build/tests/mkfixture"
	if [ -z "$seeds" ] && [ -x "$mk" ] &&
	    "$mk" image list | grep -q "^$name-"; then
		seeds="$out/seeds-$name"
		mkdir -p "$seeds"
		for kind in $("$mk" image list | grep "^$name-"); do
			"$mk" image "$kind" "$seeds/$kind"
		done
	fi
	echo "fuzzing $name for ${secs}s"
	# shellcheck disable=SC2086
	"$out/$target" -max_total_time="$secs" -max_len=200000 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$name-" \
		"$out/corpus-$name" $seeds 2>"$out/$name.log" || {
		tail -60 "$out/$name.log" >&2
		echo "fuzz: $name found a crash; reproducer in $out" >&2
		exit 1
	}
	grep -E '^Done [0-9]+ runs' "$out/$name.log" || true
done
