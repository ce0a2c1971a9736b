#!/bin/sh
# CSO v1/v2 and ZSO: optimg's round trip is byte-identical, its output
# reads back with a decoder written from the format's README alone
# (cso_tool.py), and files that decoder's packer makes (index shift,
# stored blocks, deflate and LZ4 mixed in v2) read as the ISO.  (#13)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3
need_testdata
# Debian's python3-lz4 lives in the system python3, which may not be the
# first python3 on PATH.
py=
for p in python3 /usr/bin/python3; do
	"$p" -c 'import lz4.block' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || skip "python3-lz4 is not installed"
tool="$py $SRCDIR/tests/cli/cso_tool.py"

n=0
for iso in joliet.iso udf102.iso copying.iso isofs-m1.cue; do
	src="$TESTDATA/$iso"
	case $iso in
	*.cue)	"$OPTIMG" convert "$src" "$TMP/src.iso"; src="$TMP/src.iso" ;;
	esac
	for kind in cso zso; do
		expect_exit 0 "$OPTIMG" convert "$src" "$TMP/x.$kind"
		expect_exit 0 "$OPTIMG" convert "$TMP/x.$kind" "$TMP/back.iso"
		same_file "$TMP/back.iso" "$src"
		$tool unpack "$TMP/x.$kind" "$TMP/oracle.iso"
		same_file "$TMP/oracle.iso" "$src"
		rm -f "$TMP/x.$kind" "$TMP/back.iso"
		n=$((n + 1))
	done
	for kind in v1 v2 zso; do
		$tool pack "$kind" "$src" "$TMP/y.cso"
		expect_exit 0 "$OPTIMG" convert "$TMP/y.cso" "$TMP/back.iso"
		same_file "$TMP/back.iso" "$src"
		rm -f "$TMP/back.iso"
		n=$((n + 1))
	done
done

# ls reads through the blocks; a damaged block is one line with its LBAs.
"$OPTIMG" convert "$TESTDATA/joliet.iso" "$TMP/j.cso"
"$OPTIMG" ls "$TMP/j.cso" >/dev/null
size=$(stat -c %s "$TMP/j.cso")
printf '\377\377\377\377' | dd of="$TMP/j.cso" bs=1 seek=$((size - 3000)) \
	conv=notrunc status=none
expect_exit 1 "$OPTIMG" convert "$TMP/j.cso" "$TMP/bad.iso"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "block [0-9]* does not decompress (damaged data); it holds LBAs" "$TMP/err" ||
	fail "damaged block: $(cat "$TMP/err")"
# Only a one-track data image fits.
expect_exit 1 "$OPTIMG" convert "$TESTDATA/p1.cue" "$TMP/p1.cso"
echo "$n CSO/ZSO round trips"
