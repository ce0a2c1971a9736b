#!/bin/sh
# The main job on the bundled sample: data/sample -> ISO -> BIN/CUE -> ISO.
# Run through `make demo` (which sets OPTIMG and MKFIXTURE).
set -eu
: "${OPTIMG:?run through make demo}"
top=$(cd "$(dirname "$0")/.." && pwd)
out=${DEMO_DIR:-demo-out}
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

"$MKFIXTURE" iso "$out/sample.iso" OPTIMG_SAMPLE "$top"/data/sample/*
step optimg info "$out/sample.iso"
"$OPTIMG" info "$out/sample.iso"
step optimg convert "$out/sample.iso" "$out/sample.cue"
"$OPTIMG" convert "$out/sample.iso" "$out/sample.cue"
cat "$out/sample.cue"
step optimg info "$out/sample.cue"
"$OPTIMG" info "$out/sample.cue"
step optimg convert "$out/sample.cue" "$out/back.iso"
"$OPTIMG" convert "$out/sample.cue" "$out/back.iso"
step sha256sum "$out/sample.iso" "$out/back.iso"
sha256sum "$out/sample.iso" "$out/back.iso"
a=$(sha256sum <"$out/sample.iso")
b=$(sha256sum <"$out/back.iso")
if [ "$a" = "$b" ]; then
	echo "demo: round trip ISO -> BIN/CUE -> ISO is byte-identical"
else
	echo "demo: checksums differ" >&2
	exit 1
fi
