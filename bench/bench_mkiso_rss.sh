#!/bin/sh
# bench_mkiso_rss.sh - peak RSS (and seconds) of optimg mkiso next to
# genisoimage's and xorriso's on the same tree, each measured with GNU
# time's %M.  Not run by make check.
#
#   bench/bench_mkiso_rss.sh [OPTIMG] [TREE]
#
# OPTIMG defaults to build-rel/src/optimg; when a libtool .libs/optimg
# sits next to it, that binary runs (LD_LIBRARY_PATH set), so the wrapper
# script's shell is not what gets measured.  TREE defaults to the shared
# harness's 50,000-file tree, /tmp/benchlab/trees/many-small (make it
# with ../shared/bench/make-tree.sh /tmp/benchlab/trees many-small).
# Outputs go next to the tree (same file system, as the harness does);
# the page cache is warmed first; tools take turns, RUNS rounds (default
# 3); the table shows the median and the min-max of each.  Issue #17
# wants optimg below 32 MB (32768 KB) on many-small.
set -eu
. "$(dirname "$0")/common.sh"

OPTIMG=${1:-build-rel/src/optimg}
TREE=${2:-/tmp/benchlab/trees/many-small}
RUNS=${RUNS:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs /usr/bin/time (package time)" >&2; exit 1; }
[ -d "$TREE" ] || { echo "bench: no tree '$TREE'" >&2; exit 1; }
bench_real_optimg "$OPTIMG"
OPTIMG=$real_optimg
TREE=$(cd "$TREE" && pwd)
WORK=$(mktemp -d "$(dirname "$TREE")/bench-rss.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
OUT=$WORK/out.iso

find "$TREE" -type f -print0 | xargs -0 cat >/dev/null	# warm cache

# run NAME CMD...: one run, appending "seconds kb" to $WORK/NAME.
run() {
	name=$1
	shift
	rm -f "$OUT"
	if "$TIME" -f '%e %M' -o "$WORK/t" "$@" >"$WORK/log" 2>&1 &&
	    [ -s "$OUT" ]; then
		tail -n 1 "$WORK/t" >>"$WORK/$name"
	else
		echo "bench: $name failed:" >&2
		tail -n 5 "$WORK/log" >&2
		echo "FAILED FAILED" >>"$WORK/$name"
	fi
}

tools=optimg
command -v genisoimage >/dev/null 2>&1 && tools="$tools genisoimage"
command -v xorriso >/dev/null 2>&1 && tools="$tools xorriso"
r=0
while [ "$r" -lt "$RUNS" ]; do
	r=$((r + 1))
	for t in $tools; do
		case $t in
		optimg)	run optimg "$OPTIMG" mkiso -q "$TREE" -o "$OUT" ;;
		genisoimage)
			run genisoimage genisoimage -quiet -R -J -o "$OUT" \
			    "$TREE" ;;
		xorriso)
			run xorriso xorriso -as mkisofs -quiet -R -J -o "$OUT" \
			    "$TREE" ;;
		esac
	done
done

# col FILE N: "median (min-max)" of column N.
col() {
	sort -n -k "$2,$2" "$1" | awk -v c="$2" '
	    { v[NR] = $c }
	    END { printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

printf 'mkiso peak RSS on %s (%s, %d files), %s runs each\n' "$TREE" \
    "$(du -sh "$TREE" | cut -f1)" "$(find "$TREE" -type f | wc -l)" "$RUNS"
printf '  %-12s %-29s %s\n' tool 'peak RSS KB, median (min-max)' \
    'seconds, median (min-max)'
for t in $tools; do
	printf '  %-12s %-29s %s\n' "$t" "$(col "$WORK/$t" 2)" \
	    "$(col "$WORK/$t" 1)"
done
echo "Goal (#17): optimg below 32768 KB on many-small."
