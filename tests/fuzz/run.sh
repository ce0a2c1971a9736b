#!/bin/sh
# A short coverage-guided fuzz run of each target, when clang is here:
#   tests/fuzz/run.sh BUILDDIR SECONDS_PER_TARGET
# BUILDDIR is a configured build tree (for config.h).  The library is
# compiled anew with clang and libFuzzer; findings go to BUILDDIR/fuzz-out.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR SECONDS}" && pwd)
secs=${2:-20}
if ! command -v clang >/dev/null 2>&1; then
	echo "SKIP: fuzz run: clang is not installed" >&2
	exit 0
fi
out="$build/fuzz-out"
mkdir -p "$out"
libs=$(pkg-config --cflags --libs libcdio libiso9660 libudf libburn-1 zlib libcrypto \
	liblzma libzstd flac liblz4 expat)
srcs=$(ls "$top"/lib/*.c)
for target in $(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//'); do
	name=${target#fuzz_}
	clang -g -O1 -fsanitize=fuzzer,address,undefined -DOPTIMG_BUILD \
		-I"$build" -I"$top/lib" -I"$top/tests/fuzz" \
		$srcs "$top/tests/fuzz/$target.c" $libs -lpthread -o "$out/$target"
	mkdir -p "$out/corpus-$name"
	seeds="$top/tests/fuzz/corpus/$name"
	[ -d "$seeds" ] || seeds=
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
	"$out/$target" -max_total_time="$secs" -max_len=200000 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		"$out/corpus-$name" $seeds 2>"$out/$name.log" || {
		tail -60 "$out/$name.log" >&2
		echo "fuzz: $name found a crash; reproducer in $out" >&2
		exit 1
	}
	grep -E '^Done [0-9]+ runs' "$out/$name.log" || true
done
