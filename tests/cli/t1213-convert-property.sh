#!/bin/sh
# Every fixture x every writable format: convert, read back, and get the
# same disc (tracks, indices, LBAs, gaps, flags, ISRC, catalog, CD-TEXT,
# sessions as `optimg info --json` gives them) and the same sectors (both
# written as CloneCD, whose .img holds every raw sector from LBA 0; as
# BIN/CUE for several sessions).  A conversion the target cannot hold is
# refused by name and counted; any other failure fails the test.
#
# Fields a format changes by design, and so not compared: mode, storage
# and sector size (an ISO written as cue or CCD becomes raw; a raw track
# written as TOC stays raw, a cooked one cooked), and for CCD the gaps no
# file holds (a CloneCD .img stores every sector).
#
# CHD keeps what chdman's track list cannot say (CD-TEXT, codes, flags,
# sessions, indices past 01) only in our tag, which holds the cue sheet
# the image came from: from any other source such a disc is refused.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3
check="python3 $SRCDIR/tests/cli/toc_check.py"

mkdir "$TMP/fx"
set -- "$TESTDATA/cdda.cue" "$TESTDATA/isofs-m1.cue" "$TESTDATA/videocd.nrg" \
	"$TESTDATA/p1.nrg" "$TESTDATA/copying.iso" "$TESTDATA/cdda.toc" \
	"$TESTDATA/isofs-m1.toc"
"$MKFIXTURE" redump "$TMP/fx" seed 3
set -- "$@" "$TMP/fx/seed.cue"
for k in nrg-dao1 nrg-tao2 nrg-sessions cdi-v2 cdi-v35; do
	"$MKFIXTURE" image $k "$TMP/fx/$k.img"
	set -- "$@" "$TMP/fx/$k.img"
done

# raw_sectors IMAGE OUT: every sector as CloneCD's .img (BIN/CUE for
# several sessions), for cmp.
raw_sectors() {
	rm -rf "$2"
	mkdir "$2"
	if "$OPTIMG" convert -q --lossy "$1" "$2/r.ccd" 2>/dev/null; then
		mv "$2/r.img" "$2/raw"
	else
		"$OPTIMG" convert -q --lossy "$1" "$2/r.cue" || return 1
		mv "$2/r.bin" "$2/raw"
	fi
}

ok=0 refused=0 n=0
for src in "$@"; do
	n=$((n + 1))
	"$OPTIMG" info --json "$src" >"$TMP/src.json" 2>/dev/null || fail "$src: info"
	raw_sectors "$src" "$TMP/srcraw" || fail "$src: raw sectors"
	for fmt in iso cue ccd toc cso chd; do
		out="$TMP/o$n-$fmt"
		mkdir "$out"
		if ! "$OPTIMG" convert -q "$src" "$out/x.$fmt" 2>"$out/err"; then
			grep -q -E "cannot hold|--lossy|--data-track|not written yet|holds one data track|has no data for an ISO|no data track" "$out/err" ||
				fail "$src -> $fmt: $(cat "$out/err")"
			echo "refused: ${src##*/} -> $fmt: $(cat "$out/err")"
			refused=$((refused + 1))
			continue
		fi
		"$OPTIMG" info --json "$out/x.$fmt" >"$out/j" 2>"$out/err" ||
			fail "$src -> $fmt: reads back: $(cat "$out/err")"
		case $fmt in
		iso|cso)	# one plain data track: its user data, compared
			"$OPTIMG" convert -q "$out/x.$fmt" "$out/y.iso"
			[ $fmt = cso ] || same_file "$out/x.iso" "$out/y.iso"
			"$OPTIMG" convert -q "$src" "$out/z.iso" 2>/dev/null &&
				same_file "$out/y.iso" "$out/z.iso"
			ok=$((ok + 1))
			continue;;
		ccd)	skip="mode storage sector_size pregap_unstored postgap_unstored subchannel volume_id index00";;
		*)	skip="mode storage sector_size subchannel volume_id";;
		esac
		# shellcheck disable=SC2086
		$check same "$TMP/src.json" "$out/j" $skip ||
			fail "$src -> $fmt: reads back as another disc"
		raw_sectors "$out/x.$fmt" "$out/raw" || fail "$src -> $fmt: raw"
		cmp -s "$TMP/srcraw/raw" "$out/raw/raw" ||
			fail "$src -> $fmt: other sectors"
		ok=$((ok + 1))
	done
done
echo "$n fixtures: $ok conversions read back the same, $refused refused by name"
[ "$ok" -ge $((n * 2)) ] || fail "too few conversions went through"
