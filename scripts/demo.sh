#!/bin/sh
# README command (a): install, build, and show the main job on the bundled
# sample: ISO -> BIN/CUE -> ISO with `optimg info` of each and checksums.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
make demo
