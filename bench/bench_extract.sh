#!/bin/sh
# bench_extract.sh [OPTIMG] - times extracting two images with optimg,
# xorriso, bsdtar and 7z, and cp of the same files, and prints optimg's
# speed-up over the fastest other tool and its speed as a fraction of cp.
#   big.iso:   ~1 GiB in four large files
#   small.iso: 50,000 small files (0.1-8 KiB) in 500 directories
# Images are made once under $BENCH_DIR (default /tmp/optimg-bench) with
# xorriso and read once so that every run starts from the page cache.
# Tools take turns, one run each per round ($BENCH_RUNS rounds, the order
# rotating), and each tool's best run counts.  Not run by make check.
# Needs: xorriso, python3, bc; bsdtar and 7z are optional.
#
# Why the runs are arranged so (measured on this project's 2-core VM):
# - ext4 avoids inodes freed in the last minutes, and creating files is
#   then 5-10x slower, for some tools more than others: after a few trees
#   of 50,000 files were removed, the same tools took 4-15 s, not 1-2 s.
#   So when run as root the outputs go to a new ext4 file system made for
#   each image in a file under $BENCH_DIR (loop-mounted), where nothing
#   was ever deleted; set BENCH_SCRATCH=0 to write to $BENCH_DIR itself.
# - writing 1 GiB into page cache that the guest has not touched lately
#   costs 1.3-1.6 s whatever the tool, as the host backs the memory anew,
#   and buries the tools' own differences; pages that a removed file has
#   just freed are reused at once.  So for big.iso the previous run's
#   output is removed right before each run (four inodes: no harm done),
#   and every tool meets the same warm memory.  For small.iso each run
#   gets a new directory and all are removed at the end.
set -eu
. "$(dirname "$0")/common.sh"
OPTIMG=${1:-${OPTIMG:-optimg}}
DIR=${BENCH_DIR:-/tmp/optimg-bench}
RUNS=${BENCH_RUNS:-3}
mkdir -p "$DIR"
command -v xorriso >/dev/null || { echo "bench: needs xorriso" >&2; exit 1; }
command -v bc >/dev/null || { echo "bench: needs bc" >&2; exit 1; }
case $OPTIMG in */*) bench_real_optimg "$OPTIMG"; OPTIMG=$real_optimg ;; esac
"$OPTIMG" --version >/dev/null || { echo "bench: cannot run $OPTIMG" >&2; exit 1; }

if [ ! -f "$DIR/big.iso" ]; then
	mkdir -p "$DIR/big-src"
	for i in 1 2 3 4; do
		bench_noise "$DIR/big-src/file$i.bin" $((256 << 20)) "$i"
	done
	xorriso -outdev "$DIR/big.iso" -map "$DIR/big-src" / -commit \
	    >/dev/null 2>&1
	rm -rf "$DIR/big-src"
fi
if [ ! -f "$DIR/small.iso" ]; then
	python3 - "$DIR/small-src" <<'PY'
import os, random, sys
rng = random.Random(1)
root = sys.argv[1]
for d in range(500):
    p = os.path.join(root, "dir%03d" % (d // 50), "sub%03d" % d)
    os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p, "file%03d.dat" % f), "wb") as fh:
            fh.write(rng.randbytes(rng.randrange(100, 8192)))
PY
	xorriso -outdev "$DIR/small.iso" -map "$DIR/small-src" / -commit \
	    >/dev/null 2>&1
	rm -rf "$DIR/small-src"
fi

now() { date +%s.%N; }

# One function per tool: extract $f into directory $1.  cp copies the
# tree optimg extracted first ($ref): the same bytes, file by file.
x_optimg() { "$OPTIMG" extract -q -C "$1" "$f"; }
x_xorriso() { xorriso -osirrox on -indev "$f" -extract / "$1"; }
x_bsdtar() { bsdtar -xf "$f" -C "$1"; }
x_7z() { 7z x -y -o"$1" "$f"; }
x_cp() { cp -R "$ref/." "$1"; }

# once TOOL: one run into a new directory; adds the seconds to TOOL's list
once() {
	n=$((n + 1))
	out="$OUT/out/$n"
	if [ "$img" = big ] && [ -n "$last" ]; then
		rm -rf "$last"
	fi
	mkdir -p "$out"
	last=$out
	sync
	t0=$(now)
	if ! x_$1 "$out" >/dev/null 2>&1; then
		echo "  $1 failed" >&2
		eval "t_$1=failed"
		return
	fi
	t1=$(now)
	eval "t_$1=\"\${t_$1:-} $(echo "$t1 - $t0" | bc -l)\""
}

best() {
	eval "set -- \$t_$1"
	[ "${1:-failed}" != failed ] || { echo; return; }
	b=$1
	for t in "$@"; do
		[ "$(echo "$t < $b" | bc -l)" = 1 ] && b=$t
	done
	echo "$b"
}

# scratch IMG: a new ext4 file system at $DIR/scratch for IMG's runs.
scratch_on=0
if [ "${BENCH_SCRATCH:-1}" = 1 ] && [ "$(id -u)" = 0 ] &&
    command -v mkfs.ext4 >/dev/null; then
	scratch_on=1
else
	echo "bench: writing into $DIR itself (not root, no mkfs.ext4, or" \
	    "BENCH_SCRATCH=0): expect swings after many files were deleted" >&2
fi
scratch_end() {
	if [ $scratch_on = 1 ] && mountpoint -q "$DIR/scratch"; then
		umount "$DIR/scratch"
	fi
	rm -f "$DIR/scratch.img"
}
scratch() {
	OUT=$DIR
	[ $scratch_on = 1 ] || return 0
	scratch_end
	# 8 GiB, sparse; an inode per 4 KiB for 16 trees of 50,000 files;
	# inode tables written now, not by a kernel thread during the runs.
	truncate -s 8G "$DIR/scratch.img"
	mkfs.ext4 -q -F -i 4096 -E lazy_itable_init=0,lazy_journal_init=0 \
	    "$DIR/scratch.img"
	mkdir -p "$DIR/scratch"
	mount -o loop "$DIR/scratch.img" "$DIR/scratch"
	OUT=$DIR/scratch
}
trap scratch_end EXIT

tools="optimg cp xorriso"
for t in bsdtar 7z; do
	if command -v $t >/dev/null; then
		tools="$tools $t"
	else
		echo "bench: $t is not installed; left out" >&2
	fi
done

for img in big small; do
	f="$DIR/$img.iso"
	cat "$f" >/dev/null
	scratch
	rm -rf "$OUT/out" "$OUT/ref"
	mkdir -p "$OUT/ref"
	ref="$OUT/ref"
	"$OPTIMG" extract -q -C "$ref" "$f"
	n=0
	last=
	for t in $tools; do eval "t_$t="; done
	r=0
	order=$tools
	while [ $r -lt "$RUNS" ]; do
		for t in $order; do once $t; done
		# rotate: the first tool of this round goes last in the next
		set -- $order
		first=$1
		shift
		order="$* $first"
		r=$((r + 1))
	done
	echo "$img.iso ($(du -h "$f" | cut -f1)), best of $RUNS:"
	mine=$(best optimg)
	fastest=
	fname=
	for t in $tools; do
		b=$(best $t)
		if [ -z "$b" ]; then
			printf '  %-8s   failed\n' "$t"
			continue
		fi
		printf '  %-8s %8.3f s\n' "$t" "$b"
		case $t in optimg|cp) continue ;; esac
		if [ -z "$fastest" ] || [ "$(echo "$b < $fastest" | bc -l)" = 1 ]
		then
			fastest=$b
			fname=$t
		fi
	done
	cpbest=$(best cp)
	if [ -n "$mine" ] && [ -n "$cpbest" ]; then
		printf '  optimg runs at %.2fx the speed of cp\n' \
		    "$(echo "$cpbest / $mine" | bc -l)"
	fi
	if [ -n "$fastest" ] && [ -n "$mine" ]; then
		printf '  optimg is %.2fx the fastest other (%s); goal 1.5x\n' \
		    "$(echo "$fastest / $mine" | bc -l)" "$fname"
	fi
	rm -rf "$OUT/out" "$OUT/ref"
done
