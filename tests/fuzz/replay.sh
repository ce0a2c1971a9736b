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
echo "replayed fuzz corpora"
