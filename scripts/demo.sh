#!/bin/sh
# README command (a): install, build, and show the main job on the bundled
# sample: ISO -> BIN/CUE -> ISO with `optimg info` of each and checksums.
set -eu
cd "$(dirname "$0")/.."
# --test: the live-image step boots in QEMU with Debian's boot loaders.
scripts/install-deps.sh --test
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
make demo
