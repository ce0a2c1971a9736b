#!/bin/sh
# bench_chd.sh [OPTIMG]: a ~800 MB mixed-mode CD image (a MODE1/2352 data
# track of /usr/bin, then ten 2:50 audio tracks that sox synthesises, each
# in its own bin with a stored 2-second INDEX 00, as Redump lays them out)
# converted to CHD and back by optimg and by chdman, on a warm page cache.
# Prints the ratios issue #13 sets: BIN/CUE -> CHD >= 1.5x chdman createcd
# at equal or smaller size, CHD -> BIN/CUE >= 1.5x chdman extractcd (both
# read chdman's CHD), each with its peak RSS.
#
# The machine may be shared, so the tools take turns: BENCH_RUNS rounds
# (default 3), each running chdman and optimg back to back, the one that
# goes first alternating, both under the same `nice -n BENCH_NICE`
# (default 0).  Printed: each tool's median and min-max seconds, the ratio
# of the medians, and the min-max of the rounds' own ratios.  Checked, or
# the script fails: chdman verify passes on optimg's CHD, chdman extractcd
# of it gives the original bins, and optimg's BIN of chdman's CHD is
# chdman's.  The image is kept in BENCH_DIR (default /tmp/optimg-bench-chd).
set -eu
OPTIMG=${1:-build-rel/src/optimg}
OPTIMG=$(cd "$(dirname "$OPTIMG")" && pwd)/$(basename "$OPTIMG")
# A libtool wrapper script costs a start: run the binary behind it.
real="$(dirname "$OPTIMG")/.libs/$(basename "$OPTIMG")"
if [ -x "$real" ] && [ -d "$(dirname "$OPTIMG")/../lib/.libs" ]; then
	LD_LIBRARY_PATH="$(cd "$(dirname "$OPTIMG")/../lib/.libs" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
	OPTIMG=$real
fi
dir=${BENCH_DIR:-/tmp/optimg-bench-chd}
runs=${BENCH_RUNS:-3}
nice=${BENCH_NICE:-0}
for t in chdman sox bc /usr/bin/time; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench_chd: needs $t" >&2; exit 1; }
done
mkdir -p "$dir"
cd "$dir"

if [ ! -f game.cue ]; then
	"$OPTIMG" mkiso -q -f /usr/bin -o data.iso -V BENCH_DATA
	"$OPTIMG" convert -q -f data.iso data.cue
	printf 'FILE "data.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' >game.cue
	for n in 2 3 4 5 6 7 8 9 10 11; do
		f=$(printf 'audio %02d.bin' "$n")
		head -c 352800 /dev/zero >"$f"
		# -R: the same noise on every machine and run.
		sox -R -n -r 44100 -c 2 -b 16 -e signed-integer -L -t raw - \
			synth 170 pluck "$((40 + n))" pluck "$((44 + n))" \
			pinknoise vol 0.4 >>"$f"
		# Whole sectors.
		size=$(stat -c %s "$f")
		pad=$(( (2352 - size % 2352) % 2352 ))
		head -c "$pad" /dev/zero >>"$f"
		printf 'FILE "%s" BINARY\n  TRACK %02d AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n' "$f" "$n" >>game.cue
	done
	rm -f data.iso data.cue
fi
bytes=$(cat data.bin audio*.bin | wc -c)

# run NAME CMD...: one timed run; appends seconds and KiB to NAME.times.
run() {
	name=$1
	shift
	nice -n "$nice" /usr/bin/time -f '%e %M' -o time.out "$@" \
		>/dev/null 2>&1 || { echo "bench_chd: $name failed" >&2; exit 1; }
	cat time.out >>"$name.times"
}

cc() { rm -f c.chd; run cc chdman createcd -i game.cue -o c.chd; }
oc() { rm -f o.chd; run oc "$OPTIMG" convert -q game.cue o.chd; }
cx() { rm -rf xc; mkdir xc; run cx chdman extractcd -i c.chd -o xc/x.cue -ob xc/x.bin; }
ox() { rm -rf xo; mkdir xo; run ox "$OPTIMG" convert -q c.chd xo/x.cue; }

echo "image: $bytes bytes in $(ls data.bin audio*.bin | wc -l) bins; $runs rounds, nice $nice, $(nproc) cores"
cat data.bin audio*.bin >/dev/null
rm -f cc.times oc.times cx.times ox.times
r=1
while [ "$r" -le "$runs" ]; do
	if [ $((r % 2)) -eq 1 ]; then cc; oc; cx; ox; else oc; cc; ox; cx; fi
	r=$((r + 1))
done

# The checks: nothing counts with wrong bytes.
cmp -s xc/x.bin xo/x.bin || { echo "bench_chd: extracted bins differ" >&2; exit 1; }
chdman verify -i o.chd >/dev/null 2>&1 || { echo "bench_chd: chdman verify failed on optimg's CHD" >&2; exit 1; }
rm -rf xv && mkdir xv
chdman extractcd -i o.chd -o xv/x.cue -ob xv/x.bin >/dev/null 2>&1 ||
	{ echo "bench_chd: chdman extractcd failed on optimg's CHD" >&2; exit 1; }
cat data.bin audio*.bin | cmp -s - xv/x.bin ||
	{ echo "bench_chd: chdman extractcd of optimg's CHD differs from the bins" >&2; exit 1; }

# stats FILE: "median min max" of the seconds; "peak" of the KiB.
stats() { cut -d' ' -f1 "$1" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f %.2f %.2f", a[int((NR + 1) / 2)], a[1], a[NR] }'; }
peak() { cut -d' ' -f2 "$1" | sort -n | tail -1; }
# ratios A B: min and max over rounds of A's seconds / B's.
ratios() { paste -d' ' "$1" "$2" | awk '{ r = $1 / $3; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r } END { printf "%.2f-%.2f", lo, hi }'; }
line() {
	set -- "$1" "$2" $(stats "$3.times")
	printf '%-26s median %7.2f s  (%.2f-%.2f)  %7d KiB peak RSS\n' "$1" "$3" "$4" "$5" "$(peak "$2.times")"
}
line "chdman createcd" cc cc
line "optimg convert cue -> chd" oc oc
line "chdman extractcd" cx cx
line "optimg convert chd -> cue" ox ox
sc=$(stat -c %s c.chd)
so=$(stat -c %s o.chd)
tag=$(chdman info -v -i o.chd | sed -n "s/.*Tag='OPTI'.*Length=\\([0-9]*\\) bytes.*/\\1/p")
echo "chdman CHD: $sc bytes; optimg CHD: $so bytes ($(echo "scale=4; $so / $sc" | bc) of chdman's; ${tag:-no} bytes of it our lossless tag)"
m() { stats "$1.times" | cut -d' ' -f1; }
echo "create ratio (chdman s / optimg s):  $(echo "scale=2; $(m cc) / $(m oc)" | bc)x of medians, rounds $(ratios cc.times oc.times) (goal >= 1.5x)"
echo "extract ratio (chdman s / optimg s): $(echo "scale=2; $(m cx) / $(m ox)" | bc)x of medians, rounds $(ratios cx.times ox.times) (goal >= 1.5x)"
echo "checks: chdman verify of optimg's CHD passes; chdman extractcd of it gives the original bins; optimg's BIN of chdman's CHD is chdman's"
rm -rf xc xo xv time.out
