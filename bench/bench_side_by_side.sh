#!/bin/sh
# bench_side_by_side.sh [BUILDDIR] [anchors.sh options ...]
#
# The table issue #17 is judged by: the shared side-by-side harness
# (../shared/bench/anchors.sh) run on this build's optimg, round-robin with
# the peer tools and the plain-copy limits, every optimg output checked.
# BUILDDIR defaults to build-rel; its libtool wrapper is skipped (the
# harness must time the real binary).  Options after BUILDDIR go to the
# harness as they are, e.g. `-g bincue -r 5`; without any, `-r 3` over
# every group (15-25 minutes on 2 cores).  ANCHORS overrides the
# harness's path.
set -eu
. "$(dirname "$0")/common.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-rel}
[ $# -gt 0 ] && shift
case $build in /*) ;; *) build=$top/$build ;; esac
anchors=${ANCHORS:-$top/../shared/bench/anchors.sh}
if [ ! -x "$anchors" ]; then
	echo "bench_side_by_side: no harness at $anchors (set ANCHORS)" >&2
	exit 1
fi
if [ ! -x "$build/src/optimg" ]; then
	echo "bench_side_by_side: no optimg in $build/src (build it first)" >&2
	exit 1
fi
bench_real_optimg "$build/src/optimg"
bin=$real_optimg
[ $# -gt 0 ] || set -- -r 3
exec "$anchors" "$@" -O "$bin"
