#!/bin/sh
# bench_extract.sh [OPTIMG] - times extracting two images with optimg,
# xorriso, bsdtar and 7z and prints optimg's speed-up over the fastest.
#   big.iso:   ~1 GiB in four large files
#   small.iso: 50,000 small files (0.1-8 KiB) in 500 directories
# Images are made once under $BENCH_DIR (default /tmp/optimg-bench) with
# xorriso; each tool then extracts into a fresh directory, after the image
# has been read once so that all runs start from the page cache.  Not run
# by make check.  Needs: xorriso, python3; bsdtar and 7z are optional.
set -eu
OPTIMG=${1:-${OPTIMG:-optimg}}
DIR=${BENCH_DIR:-/tmp/optimg-bench}
RUNS=${BENCH_RUNS:-3}
mkdir -p "$DIR"
command -v xorriso >/dev/null || { echo "bench: needs xorriso" >&2; exit 1; }

if [ ! -f "$DIR/big.iso" ]; then
	mkdir -p "$DIR/big-src"
	for i in 1 2 3 4; do
		head -c $((256 << 20)) /dev/urandom >"$DIR/big-src/file$i.bin"
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
n=0

# One function per tool: extract $f into directory $1.
x_optimg() { "$OPTIMG" extract -q -C "$1" "$f"; }
x_xorriso() { xorriso -osirrox on -indev "$f" -extract / "$1"; }
x_bsdtar() { bsdtar -xf "$f" -C "$1"; }
x_7z() { 7z x -y -o"$1" "$f"; }

# run TOOL: best of $RUNS wall-clock seconds, into $best
run() {
	best=
	i=0
	while [ $i -lt "$RUNS" ]; do
		# A fresh directory each time, removed only at the end: ext4
		# skips inodes freed in the last seconds, so extracting right
		# after deleting 50,000 files measures that, not the tool.
		n=$((n + 1))
		mkdir -p "$DIR/out/$n"
		sync
		t0=$(now)
		x_$1 "$DIR/out/$n" >/dev/null 2>&1 ||
			{ echo "  $1 failed" >&2; best=; return; }
		t1=$(now)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then
			best=$t
		fi
		i=$((i + 1))
	done
	printf '  %-8s %8.3f s\n' "$1" "$best"
}

for img in big small; do
	f="$DIR/$img.iso"
	cat "$f" >/dev/null
	echo "$img.iso ($(du -h "$f" | cut -f1)):"
	run optimg
	mine=$best
	fastest=
	fname=
	for tool in xorriso bsdtar 7z; do
		command -v $tool >/dev/null || { echo "  $tool: not installed"; continue; }
		run $tool
		[ -n "$best" ] || continue
		if [ -z "$fastest" ] || [ "$(echo "$best < $fastest" | bc -l)" = 1 ]
		then
			fastest=$best
			fname=$tool
		fi
	done
	if [ -n "$fastest" ] && [ -n "$mine" ]; then
		printf '  optimg is %.2fx the fastest other (%s)\n' \
		    "$(echo "$fastest / $mine" | bc -l)" "$fname"
	fi
	rm -rf "$DIR/out"
done
