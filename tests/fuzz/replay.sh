#!/bin/sh
# make check: replays each fuzz target over its seed corpus (and seeds made
# here from spec constants), with whatever compiler built the tree.
set -eu
: "${BUILDDIR:?run through make check}"
corpus="$SRCDIR/tests/fuzz/corpus"
seeds=$(mktemp -d "${TMPDIR:-/tmp}/optimg-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT

printf 'x\n' >"$seeds/x.txt"
"$MKFIXTURE" iso "$seeds/small.iso" SEED "$seeds/x.txt"
mkdir "$seeds/redump"
"$MKFIXTURE" redump "$seeds/redump" seed 1
cp "$seeds/redump/seed (Track 1).bin" "$seeds/track1.bin"
head -c 40000 "$seeds/small.iso" >"$seeds/truncated.iso"

"$BUILDDIR/tests/fuzz/replay_cue" "$corpus/cue" "$seeds/redump/seed.cue"
"$BUILDDIR/tests/fuzz/replay_probe" "$corpus/probe" "$seeds"

# Reader seeds from the formats' constants (fx_images.c), whole and cut.
mkdir "$seeds/nrg"
for kind in nrg-dao1 nrg-dao2 nrg-tao1 nrg-tao2 nrg-sessions; do
	"$MKFIXTURE" image "$kind" "$seeds/nrg/$kind.nrg"
	head -c 3000 "$seeds/nrg/$kind.nrg" >"$seeds/nrg/$kind-head.nrg"
	tail -c 300 "$seeds/nrg/$kind.nrg" >"$seeds/nrg/$kind-tail.nrg"
done
"$BUILDDIR/tests/fuzz/replay_nrg" "$seeds/nrg"
"$BUILDDIR/tests/fuzz/replay_gdi" "$corpus/gdi"
"$BUILDDIR/tests/fuzz/replay_cdt" "$corpus/cdt"
# CHD seeds: what optimg writes (CD with our tag, CD with subchannel from
# a CloneCD image, DVD), whole, cut short,
# and with a byte flipped in the map and in a hunk; chdman's own when
# chdman is here (huff and flac only come from it).
mkdir "$seeds/chd"
"$OPTIMG" convert -q "$seeds/redump/seed.cue" "$seeds/chd/cd.chd"
"$OPTIMG" convert -q "$seeds/small.iso" "$seeds/chd/dvd.chd"
"$OPTIMG" convert -q --lossy "$seeds/redump/seed.cue" "$seeds/sub.ccd"
"$OPTIMG" convert -q --lossy "$seeds/sub.ccd" "$seeds/chd/sub.chd"
if command -v chdman >/dev/null 2>&1; then
	chdman createraw -i "$seeds/small.iso" -o "$seeds/chd/raw.chd" \
		-hs 4096 -us 2048 >/dev/null 2>&1 || true
	chdman createcd -i "$seeds/redump/seed.cue" -o "$seeds/chd/chdman.chd" \
		>/dev/null 2>&1 || true
fi
for f in "$seeds"/chd/*.chd; do
	size=$(stat -c %s "$f")
	head -c 200 "$f" >"$f.head"
	head -c $((size / 2)) "$f" >"$f.half"
	head -c $((size - 10)) "$f" >"$f.short"
	for at in 130 $((size / 2)) $((size - 20)); do
		cp "$f" "$f.flip$at"
		printf '\377' | dd of="$f.flip$at" bs=1 seek="$at" conv=notrunc \
			status=none
	done
done
"$BUILDDIR/tests/fuzz/replay_chd" "$corpus/chd" "$seeds/chd"
mkdir "$seeds/cso"
"$OPTIMG" convert -q "$seeds/small.iso" "$seeds/cso/small.cso"
"$OPTIMG" convert -q "$seeds/small.iso" "$seeds/cso/small.zso"
for f in "$seeds"/cso/*; do
	head -c 100 "$f" >"$f.head"
	cp "$f" "$f.flip"
	printf '\377\377' | dd of="$f.flip" bs=1 seek=40 conv=notrunc status=none
done
"$BUILDDIR/tests/fuzz/replay_cso" "$seeds/cso"
# Packed streams: what optimg writes (xz blocks, zstd frames and seek
# table, gzip, ECM), what the tools write, whole, cut and flipped.
mkdir "$seeds/packed"
for k in xz zst gz; do
	"$OPTIMG" convert -q "$seeds/small.iso" "$seeds/packed/small.iso.$k"
done
"$OPTIMG" convert -q "$seeds/redump/seed.cue" "$seeds/packed/seed.bin.ecm"
command -v xz >/dev/null 2>&1 &&
	xz -T1 -c "$seeds/small.iso" >"$seeds/packed/one.xz"
command -v zstd >/dev/null 2>&1 &&
	zstd -q -c "$seeds/small.iso" >"$seeds/packed/one.zst"
for f in "$seeds"/packed/*; do
	size=$(stat -c %s "$f")
	head -c 64 "$f" >"$f.head"
	head -c $((size / 2)) "$f" >"$f.half"
	for at in 30 $((size / 2)) $((size - 12)); do
		cp "$f" "$f.flip$at"
		printf '\377' | dd of="$f.flip$at" bs=1 seek="$at" conv=notrunc \
			status=none
	done
done
"$BUILDDIR/tests/fuzz/replay_container" "$seeds/packed"

# DAT, rescue map, boot and partition decoders, UDF (seeds from libcdio's
# UDF images and genisoimage when they are here).
"$BUILDDIR/tests/fuzz/replay_dat" "$corpus/dat"
"$BUILDDIR/tests/fuzz/replay_map" "$corpus/map"
# A drive's full TOC (READ TOC format 2): two sessions, as a drive answers,
# whole and cut short.
mkdir "$seeds/fulltoc"
d() { printf "$(printf '\\%03o' "$@")"; }
{ d 0 79 0 2
  for s in 1 2; do
	d $s 16 0 160 0 0 0 0 $s 0 0
	d $s 16 0 161 0 0 0 0 $s 0 0
  done
  d 1 16 0 162 0 0 0 0 0 6 2
  d 2 16 0 162 0 0 0 0 2 40 29
  d 1 20 0 1 0 0 0 0 0 2 0
  d 2 20 0 2 0 0 0 0 2 34 29
} >"$seeds/fulltoc/two-sessions"
head -c 30 "$seeds/fulltoc/two-sessions" >"$seeds/fulltoc/cut"
"$BUILDDIR/tests/fuzz/replay_fulltoc" "$seeds/fulltoc"
"$BUILDDIR/tests/fuzz/replay_sysarea" "$corpus/fs" "$seeds/small.iso"
mkdir "$seeds/udf"
for f in "${TESTDATA:-/nonexistent}/udf102.iso" \
    "${TESTDATA:-/nonexistent}/test-udf1.iso"; do
	[ -f "$f" ] && python3 "$SRCDIR/tests/fuzz/udf_seed.py" "$f" \
		"$seeds/udf/$(basename "$f").seed"
done
"$BUILDDIR/tests/fuzz/replay_udf" "$corpus/udf" "$seeds/udf"
"$BUILDDIR/tests/fuzz/replay_ccd" "$corpus/ccd"
mkdir "$seeds/cdi"
for kind in cdi-v2 cdi-v3 cdi-v35; do
	"$MKFIXTURE" image "$kind" "$seeds/cdi/$kind.cdi"
	tail -c 400 "$seeds/cdi/$kind.cdi" >"$seeds/cdi/$kind-tail.cdi"
done
"$BUILDDIR/tests/fuzz/replay_cdi" "$seeds/cdi"
mkdir "$seeds/mds"
"$MKFIXTURE" image mds-disc "$seeds/mds/disc.mds"
head -c 200 "$seeds/mds/disc.mds" >"$seeds/mds/head.mds"
"$BUILDDIR/tests/fuzz/replay_mds" "$seeds/mds"
# cdrdao TOC: our seeds, and libcdio's tocs (good and bad) when here.
mkdir "$seeds/toc"
for f in "${TESTDATA:-/nonexistent}"/*.toc; do
	[ -f "$f" ] && cp "$f" "$seeds/toc/"
done
"$BUILDDIR/tests/fuzz/replay_toc" "$corpus/toc" "$seeds/toc"
echo "replayed fuzz corpora"
