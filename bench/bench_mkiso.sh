#!/bin/sh
# bench_mkiso.sh - how fast optimg mkiso makes ISO images, against
# xorriso -as mkisofs, genisoimage, bsdtar and the copy limit (the same
# file bytes copied into one file).  Not run by make check.
#
#   OPTIMG=build/src/optimg bench/bench_mkiso.sh [WORKDIR]
#
# Two trees: a few large files (BIG_MB in all, default 2048) and many
# small files (SMALL_N, default 50000, of 0..8 KiB).  Every run starts
# from a warm page cache (the trees are read once first), so the numbers
# compare the writers, not the disk.  Prints seconds, ratios and peak RSS.
set -eu
. "$(dirname "$0")/common.sh"

OPTIMG=${OPTIMG:-optimg}
WORK=${1:-${TMPDIR:-/tmp}/optimg-bench-mkiso}
BIG_MB=${BIG_MB:-2048}
SMALL_N=${SMALL_N:-50000}
TIME=/usr/bin/time

[ -x "$TIME" ] || { echo "bench: needs /usr/bin/time (package time)" >&2; exit 1; }
mkdir -p "$WORK"

make_trees() {
	if [ ! -d "$WORK/big" ]; then
		mkdir -p "$WORK/big.tmp/sub"
		n=0
		while [ $((n * 256)) -lt "$BIG_MB" ]; do
			bench_noise "$WORK/big.tmp/sub/part$n.bin" \
			    $((256 * 1024 * 1024)) "$n"
			n=$((n + 1))
		done
		mv "$WORK/big.tmp" "$WORK/big"
	fi
	if [ ! -d "$WORK/small" ]; then
		/usr/bin/python3 - "$WORK/small.tmp" "$SMALL_N" <<'EOF'
import os, random, sys
top, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(50000)
for i in range(n):
    d = os.path.join(top, 'd%03d' % (i % 500), 'e%02d' % (i % 7))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'file%05d.txt' % i), 'wb') as f:
        f.write(rng.randbytes(rng.randint(0, 8192)))
EOF
		mv "$WORK/small.tmp" "$WORK/small"
	fi
}

# run NAME CMD...: prints "seconds peak_kb" of CMD.
run() {
	name=$1
	shift
	rm -f "$WORK/out.iso"
	sync
	if ! "$TIME" -f '%e %M' -o "$WORK/time.$name" "$@" \
	    >"$WORK/log.$name" 2>&1; then
		echo "FAILED" >"$WORK/time.$name"
	fi
	cat "$WORK/time.$name"
}

bench_tree() {
	tree=$1
	find "$WORK/$tree" -type f -print0 | xargs -0 cat >/dev/null	# warm
	printf '\n%s tree (%s)\n' "$tree" "$(du -sh "$WORK/$tree" | cut -f1)"
	printf '  %-22s %9s %9s %10s\n' tool seconds 'x optimg' 'peak RSS'
	set -- \
	    "optimg" "$OPTIMG mkiso -q $WORK/$tree -o $WORK/out.iso" \
	    "xorriso" "xorriso -as mkisofs -quiet -R -J -o $WORK/out.iso $WORK/$tree" \
	    "genisoimage" "genisoimage -quiet -R -J -o $WORK/out.iso $WORK/$tree" \
	    "bsdtar" "bsdtar -c --format iso9660 --options rockridge,joliet -f $WORK/out.iso -C $WORK/$tree ." \
	    "copy-limit" "copy_limit"
	base=
	while [ $# -ge 2 ]; do
		name=$1 cmd=$2
		shift 2
		tool=${cmd%% *}
		if [ "$tool" != copy_limit ] && [ "$tool" != "$OPTIMG" ] &&
		    ! command -v "$tool" >/dev/null 2>&1; then
			printf '  %-22s %9s\n' "$name" "missing"
			continue
		fi
		if [ "$tool" = copy_limit ]; then
			# The same bytes into one file: what a writer can hope for.
			res=$(run "$name" sh -c "find '$WORK/$tree' -type f -print0 |
			    xargs -0 cat >'$WORK/out.iso'")
		else
			# shellcheck disable=SC2086
			res=$(run "$name" $cmd)
		fi
		secs=${res% *}
		rss=${res#* }
		[ -n "$base" ] || base=$secs
		ratio=$(awk -v a="$secs" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		printf '  %-22s %9s %9s %8s KB\n' "$name" "$secs" "$ratio" "$rss"
	done
}

make_trees
echo "optimg mkiso benchmark in $WORK ($(nproc) CPUs)"
bench_tree big
bench_tree small
rm -f "$WORK/out.iso"
echo
echo "'x optimg' > 1 means slower than optimg mkiso; the acceptance asks"
echo "for >= 2 against xorriso and genisoimage, and optimg within 1/0.7 of"
echo "the copy limit.  Trees are kept in $WORK for the next run."
