#!/bin/sh
# Times `optimg convert` on a ~700 MB image against bchunk and against a
# plain copy of the same bytes, and prints the ratios (speed relative to
# the other tool: 1.0 = as fast, 2.0 = twice as fast).
#   bench/bench_convert.sh [BUILDDIR] [MB]
# Goals (issue #2): BIN/CUE -> ISO >= 0.8x cp and >= 2x bchunk;
# ISO -> BIN/CUE >= 0.5x cp.  Best of 3 runs each, warm page cache.
set -eu
. "$(dirname "$0")/common.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
bench_build_tools "${1:-$top}"
mb=${2:-700}
work=$(mktemp -d "${TMPDIR:-/var/tmp}/optimg-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

bench_noise "$work/payload.dat" $((mb * 1000 * 1000)) 16
"$mkfixture" iso "$work/disc.iso" BENCH "$work/payload.dat"
rm "$work/payload.dat"
"$optimg" convert -q "$work/disc.iso" "$work/disc.cue"

best() {	# best of 3 wall-clock seconds for the command
	b=
	for _ in 1 2 3; do
		rm -f "$work"/out.* "$work"/bch*
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }

t_cp_iso=$(best cp "$work/disc.iso" "$work/out.copy")
t_cp_bin=$(best cp "$work/disc.bin" "$work/out.copy")
t_to_cue=$(best "$optimg" convert -q "$work/disc.iso" "$work/out.cue")
t_to_iso=$(best "$optimg" convert -q "$work/disc.cue" "$work/out.iso")
if command -v bchunk >/dev/null; then
	t_bchunk=$(best sh -c "cd '$work' && bchunk disc.bin disc.cue bch")
else
	t_bchunk=
fi

size=$(stat -c %s "$work/disc.iso")
echo "image: $((size / 1000000)) MB ISO, $(($(stat -c %s "$work/disc.bin") / 1000000)) MB bin"
printf '%-34s %8ss\n' "cp ISO" "$t_cp_iso" "cp BIN" "$t_cp_bin" \
	"optimg convert ISO -> BIN/CUE" "$t_to_cue" \
	"optimg convert BIN/CUE -> ISO" "$t_to_iso"
[ -n "$t_bchunk" ] && printf '%-34s %8ss\n' "bchunk BIN/CUE -> ISO" "$t_bchunk"
echo
echo "BIN/CUE -> ISO vs cp of the bin: $(ratio "$t_cp_bin" "$t_to_iso")x (goal >= 0.8)"
[ -n "$t_bchunk" ] && echo "BIN/CUE -> ISO vs bchunk:        $(ratio "$t_bchunk" "$t_to_iso")x (goal >= 2)"
echo "ISO -> BIN/CUE vs cp of the ISO: $(ratio "$t_cp_iso" "$t_to_cue")x (goal >= 0.5)"
