#!/bin/sh
# The main job on the bundled sample: data/sample -> ISO (mkiso) -> look
# inside -> BIN/CUE -> ISO -> extract, checking that nothing was lost.
# Run through `make demo` (which sets OPTIMG).
set -eu
: "${OPTIMG:?run through make demo}"
top=$(cd "$(dirname "$0")/.." && pwd)
out=${DEMO_DIR:-demo-out}
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

SOURCE_DATE_EPOCH=1767225600
export SOURCE_DATE_EPOCH
step optimg mkiso -V OPTIMG_SAMPLE "$top/data/sample" -o "$out/sample.iso"
"$OPTIMG" mkiso -q -V OPTIMG_SAMPLE "$top/data/sample" -o "$out/sample.iso"
step optimg ls -lR "$out/sample.iso"
"$OPTIMG" ls -lR "$out/sample.iso"
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
step optimg extract "$out/back.iso" -C "$out/files"
mkdir "$out/files"
"$OPTIMG" extract -q "$out/back.iso" -C "$out/files"
diff -r "$top/data/sample" "$out/files"
echo "demo: the files extracted from the round-tripped image equal data/sample"
# DEMO_LIVE=0 leaves out the live image (it fetches a kernel and boots it).
if [ "${DEMO_LIVE:-1}" = 1 ]; then
	rc=0
	DEMO_DIR=$(cd "$out" && pwd) SRCDIR=$top "$top/scripts/demo-live.sh" || rc=$?
	[ "$rc" -eq 77 ] && echo "demo: live image skipped (see the SKIP line)"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || exit "$rc"
fi
