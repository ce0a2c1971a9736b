#!/bin/sh
# Reading through optimg mount against optimg convert of the same image:
#   bench/bench_mount.sh [BUILDDIR] [MB]
# Makes a seeded ~700 MB ISO (tests/mkfixture random, so every run has the
# same bytes), converts it to BIN/CUE, then times, best of 3 on a warm page
# cache of the bin: `optimg convert disc.cue out.iso` (into a file) and
# `cat DIR/image.iso > /dev/null` on a fresh mount each time (so nothing
# comes from FUSE's own cache), and prints the speed ratio.
# Goal (issue #16): mount >= 0.5x convert.
# Then the view's per-thread image handles: four readers at once of the
# four quarters of a CHD's image.iso (decompression is the work) with
# --threads 1 and 4.
# Needs /dev/fuse (and fusermount3 when not root).
set -eu
. "$(dirname "$0")/common.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
bench_build_tools "${1:-$top}"
mb=${2:-700}
[ -e /dev/fuse ] || { echo "bench: /dev/fuse is absent: nothing to measure" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/optimg-bench.XXXXXX")
mnt="$work/mnt"
mkdir "$mnt"
trap 'fusermount3 -uz "$mnt" 2>/dev/null || :; rm -rf "$work"' EXIT

"$mkfixture" random "$work/payload.dat" $((mb * 1000 * 1000)) 16
"$mkfixture" iso "$work/disc.iso" BENCH "$work/payload.dat"
rm "$work/payload.dat"
"$optimg" convert -q "$work/disc.iso" "$work/disc.cue"
rm "$work/disc.iso"
cat "$work/disc.bin" >/dev/null		# warm

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# remount IMAGE [OPTIONS]: a fresh mount on $mnt.
remount() {
	fusermount3 -u "$mnt" 2>/dev/null || :
	img=$1
	shift
	"$optimg" mount "$@" "$img" "$mnt"
}

t_conv= t_mount=
for _ in 1 2 3; do
	rm -f "$work/out.iso"
	s=$(now)
	"$optimg" convert -q "$work/disc.cue" "$work/out.iso"
	t_conv=$(min "$t_conv" "$(elapsed "$s" "$(now)")")
	remount "$work/disc.cue"
	s=$(now)
	cat "$mnt/image.iso" >/dev/null
	t_mount=$(min "$t_mount" "$(elapsed "$s" "$(now)")")
done
cmp -s "$work/out.iso" "$mnt/image.iso" || { echo "bench: image.iso differs" >&2; exit 1; }
size=$(stat -c %s "$work/out.iso")
rm -f "$work/out.iso"
echo "image: $((size / 1000000)) MB ISO in a $(($(stat -c %s "$work/disc.bin") / 1000000)) MB BIN/CUE"
printf '%-42s %8.3fs %7.0f MB/s\n' \
    "optimg convert BIN/CUE -> ISO file" "$t_conv" "$(echo "$size / $t_conv / 1000000" | bc -l)" \
    "cat DIR/image.iso > /dev/null (mount)" "$t_mount" "$(echo "$size / $t_mount / 1000000" | bc -l)"
echo "mount vs convert: $(ratio "$t_conv" "$t_mount")x (goal >= 0.5)"

# Parallel readers of a CHD: one image handle against four.
chdmb=$((mb / 7 + 1))
"$mkfixture" random "$work/p.dat" $((chdmb * 1000 * 1000)) 17
"$mkfixture" iso "$work/c.iso" CHD "$work/p.dat"
rm "$work/p.dat"
"$optimg" convert -q "$work/c.iso" "$work/c.cue"
"$optimg" convert -q "$work/c.cue" "$work/c.chd"
rm -f "$work/c.iso" "$work/c.bin" "$work/c.cue" "$work/disc.bin"
for n in 1 4; do
	best=
	for _ in 1 2; do
		remount "$work/c.chd" --threads $n
		q=$(($(stat -c %s "$mnt/image.iso") / 4 / 1048576))
		s=$(now)
		for k in 0 1 2 3; do
			dd if="$mnt/image.iso" of=/dev/null bs=1M \
			    skip=$((k * q)) count=$q 2>/dev/null &
		done
		wait
		best=$(min "$best" "$(elapsed "$s" "$(now)")")
	done
	eval "t_threads$n=$best"
	printf '%-42s %8.3fs\n' "4 quarters of a ${chdmb} MB CHD, --threads $n" "$best"
done
echo "4 handles vs 1: $(ratio "$t_threads1" "$t_threads4")x ($(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
