#!/bin/sh
# optimg ls -R lists the libcdio test images with the same names, types,
# sizes and symlink targets as xorriso and isoinfo, in every name space
# the image has.  Known limits of the oracles are left out: xorriso shows
# plain ISO 9660 names mapped to lower case, and isoinfo resolves no Rock
# Ridge relocation (deep-directory.iso).
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3
need_tool xorriso
need_tool isoinfo
L="$SRCDIR/tests/cli/fs_listing.py"

compare() {	# TOOL IMAGE NS
	python3 "$L" optimg "$2" "$3" >"$TMP/mine" ||
		fail "optimg ls failed on $2 ($3)"
	python3 "$L" "$1" "$2" "$3" >"$TMP/theirs" ||
		fail "$1 failed on $2 ($3)"
	[ -s "$TMP/mine" ] || fail "empty listing of $2 ($3)"
	diff -u "$TMP/theirs" "$TMP/mine" >&2 ||
		fail "$2 ($3): optimg and $1 disagree"
	echo "ok: $2 $3 = $1"
}

n=0
for img in copying-rr.iso joliet.iso multi_extent_8k.iso \
    multi_extent_8k_joliet.iso multi_extent_8k_emul_toc_padded.iso \
    deep-directory.iso test-udf1.iso; do
	f="$TESTDATA/$img"
	[ -f "$f" ] || { echo "missing $img, not compared" >&2; continue; }
	n=$((n + 1))
	spaces=$("$OPTIMG" ls --json --namespace iso "$f" / >/dev/null &&
	    for ns in rr joliet; do
		"$OPTIMG" ls --namespace $ns "$f" / >/dev/null 2>&1 &&
		    echo $ns
	    done || true)
	for ns in $spaces; do
		compare xorriso "$f" $ns
		[ "$img" = deep-directory.iso ] || compare isoinfo "$f" $ns
	done
	[ "$img" = deep-directory.iso ] || compare isoinfo "$f" iso
done
[ $n -gt 0 ] || skip "none of the images are in $TESTDATA"

# The data track of a BIN/CUE: compare with xorriso on the cooked track.
if [ -f "$TESTDATA/isofs-m1.cue" ]; then
	python3 - "$TESTDATA/isofs-m1.bin" "$TMP/m1.iso" <<'PY'
import sys
src, dst = open(sys.argv[1], "rb"), open(sys.argv[2], "wb")
while True:
    s = src.read(2352)
    if len(s) < 2352:
        break
    dst.write(s[16:16 + 2048])
PY
	python3 "$L" optimg "$TESTDATA/isofs-m1.cue" >"$TMP/mine"
	python3 "$L" xorriso "$TMP/m1.iso" >"$TMP/theirs"
	diff -u "$TMP/theirs" "$TMP/mine" >&2 ||
		fail "isofs-m1.cue: optimg and xorriso disagree"
	echo "ok: isofs-m1.cue = xorriso on the cooked track"
fi

# UDF: 7z reads it (xorriso and isoinfo do not).
if command -v 7z >/dev/null 2>&1; then
	for img in udf102.iso test-udf1.iso; do
		f="$TESTDATA/$img"
		[ -f "$f" ] || continue
		python3 "$L" optimg "$f" udf >"$TMP/mine" ||
			fail "optimg ls --namespace udf failed on $img"
		python3 "$L" 7z "$f" >"$TMP/theirs"
		diff -u "$TMP/theirs" "$TMP/mine" >&2 ||
			fail "$img (udf): optimg and 7z disagree"
		echo "ok: $img udf = 7z"
	done
else
	echo "7z is not installed: UDF listings not compared" >&2
fi
