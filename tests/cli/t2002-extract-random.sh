#!/bin/sh
# optimg extract reproduces seeded random trees imaged by xorriso and by
# genisoimage: diff -r clean; modes, mtimes, symlink targets and hard
# links equal.  The xorriso tree holds a sparse 4.5 GiB file (a
# multi-extent file); genisoimage cannot write files of 4 GiB, so it is
# left out there.  Set OPTIMG_TEST_NO_BIG=1 to skip the big file.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3
need_tool xorriso
M="$SRCDIR/tests/cli/fs_mktree.py"
SEED=${OPTIMG_TEST_SEED:-20240501}
big=--big
[ "${OPTIMG_TEST_NO_BIG:-0}" = 1 ] && big=
python3 "$M" tree "$TMP/src" "$SEED" $big
echo "seed $SEED"

check() {	# LABEL IMAGE [EXCLUDE]
	rm -rf "$TMP/out"
	mkdir "$TMP/out"
	"$OPTIMG" extract -C "$TMP/out" "$2" 2>"$TMP/err" || {
		cat "$TMP/err" >&2
		fail "$1: optimg extract failed"
	}
	if [ $# -gt 2 ]; then
		diff -r --no-dereference -x "$3" "$TMP/src" "$TMP/out" >&2 ||
			fail "$1: trees differ"
		python3 "$M" manifest "$TMP/src" | grep -v " $3\$" \
		    >"$TMP/want"
	else
		diff -r --no-dereference "$TMP/src" "$TMP/out" >&2 || fail "$1: trees differ"
		python3 "$M" manifest "$TMP/src" >"$TMP/want"
	fi
	python3 "$M" manifest "$TMP/out" >"$TMP/got"
	diff -u "$TMP/want" "$TMP/got" >&2 ||
		fail "$1: modes, times, links or hard links differ"
	echo "ok: $1"
}

xorriso -abort_on FAILURE -outdev "$TMP/x.iso" \
    -compliance iso_9660_level=3 -hardlinks on \
    -map "$TMP/src" / -commit >/dev/null 2>&1 ||
	fail "xorriso could not make the image"
check xorriso "$TMP/x.iso"
# The big file is multi-extent and sparse on extraction.
if [ -n "$big" ]; then
	used=$(du -k "$TMP/out/big.sparse" | cut -f1)
	[ "$used" -lt 1024 ] || fail "big.sparse takes ${used} KiB on disk"
fi
rm -f "$TMP/x.iso"

if command -v genisoimage >/dev/null 2>&1; then
	genisoimage -quiet -R -input-charset utf-8 -m big.sparse \
	    -o "$TMP/g.iso" "$TMP/src" 2>"$TMP/gerr" || {
		cat "$TMP/gerr" >&2
		fail "genisoimage could not make the image"
	}
	check genisoimage "$TMP/g.iso" big.sparse
else
	echo "genisoimage is not installed: only xorriso checked" >&2
fi
chmod -R u+w "$TMP"
