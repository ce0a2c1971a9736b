#!/bin/sh
# bench_chd.sh [OPTIMG]: a ~700 MB mixed-mode CD image (a MODE1/2352 data
# track of /usr/bin, then ten 2:50 audio tracks that sox synthesises, each
# in its own bin with a stored 2-second INDEX 00, as Redump lays them out)
# converted to CHD and back by optimg and by chdman, in one run each, on a
# warm page cache.  Prints seconds, peak RSS, sizes and the ratios issue
# #13 sets: BIN/CUE -> CHD >= 1.5x chdman createcd at equal or smaller
# size, CHD -> BIN/CUE >= 1.5x chdman extractcd (both read chdman's CHD).
# The image is kept in BENCH_DIR (default /tmp/optimg-bench-chd).
set -eu
OPTIMG=${1:-build-rel/src/optimg}
OPTIMG=$(cd "$(dirname "$OPTIMG")" && pwd)/$(basename "$OPTIMG")
dir=${BENCH_DIR:-/tmp/optimg-bench-chd}
for t in chdman sox /usr/bin/time; do
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
		sox -n -r 44100 -c 2 -b 16 -e signed-integer -L -t raw - \
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

# run NAME CMD...: one timed run; sets SECS and RSS (KiB).
run() {
	name=$1
	shift
	/usr/bin/time -f '%e %M' -o time.out "$@" >/dev/null 2>&1 ||
		{ echo "bench_chd: $name failed" >&2; exit 1; }
	SECS=$(cut -d' ' -f1 time.out)
	RSS=$(cut -d' ' -f2 time.out)
	printf '%-28s %8.2f s  %7d KiB peak RSS\n' "$name" "$SECS" "$RSS"
}

echo "image: $bytes bytes in $(ls data.bin audio*.bin | wc -l) bins"
cat data.bin audio*.bin >/dev/null
rm -f c.chd o.chd
run "chdman createcd" chdman createcd -i game.cue -o c.chd
t_cc=$SECS
run "optimg convert cue -> chd" "$OPTIMG" convert -q game.cue o.chd
t_oc=$SECS
rm -rf xc xo
mkdir xc xo
run "chdman extractcd" chdman extractcd -i c.chd -o xc/x.cue -ob xc/x.bin
t_cx=$SECS
run "optimg convert chd -> cue" "$OPTIMG" convert -q c.chd xo/x.cue
t_ox=$SECS
cmp -s xc/x.bin xo/x.bin || { echo "bench_chd: extracted bins differ" >&2; exit 1; }
chdman verify -i o.chd >/dev/null 2>&1 || { echo "bench_chd: chdman verify failed" >&2; exit 1; }
sc=$(stat -c %s c.chd)
so=$(stat -c %s o.chd)
echo "chdman CHD: $sc bytes; optimg CHD: $so bytes ($(echo "scale=4; $so / $sc" | bc) of chdman's)"
echo "create ratio (chdman s / optimg s):  $(echo "scale=2; $t_cc / $t_oc" | bc)x (goal >= 1.5x)"
echo "extract ratio (chdman s / optimg s): $(echo "scale=2; $t_cx / $t_ox" | bc)x (goal >= 1.5x)"
rm -rf xc xo time.out
