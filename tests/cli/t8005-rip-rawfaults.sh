#!/bin/sh
# Raw reads that are consistently wrong must never become a silent bad
# dump.  A bin whose data sectors all fail EDC/ECC, ripped to an ISO,
# gives the bin's user data; a drive whose raw sectors come back corrupt
# (QEMU's IDE drive: binary MSF, zeroed EDC/ECC) or not at all (QEMU's
# SCSI drive: no READ CD) gives an ISO from cooked reads, refuses a raw
# BIN/CUE, and with --reconstruct gives a bin marked as rebuilt.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3

"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/ref.iso"
# Every Mode 1 sector's EDC, zero bytes and ECC zeroed: user data intact.
python3 - "$TESTDATA/isofs-m1.bin" "$TMP/bad.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
for o in range(0, len(d), 2352):
    if d[o + 15] == 1:
        d[o + 2064:o + 2352] = bytes(288)
open(sys.argv[2], 'wb').write(d)
PY
printf 'FILE "bad.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' >"$TMP/bad.cue"

# ---- a bin failing EDC/ECC everywhere, to an ISO: its user data -------
expect_exit 0 "$OPTIMG" rip "$TMP/bad.cue" -o "$TMP/bad.iso"
same_file "$TMP/ref.iso" "$TMP/bad.iso"
grep -qx 'cooked:   302 sectors of user data from cooked reads' "$TMP/out" ||
	fail "summary: $(cat "$TMP/out")"
grep -Eqx '0 302 cooked( [0-9a-f]{8})?' "$TMP/bad.map" || fail "map: $(cat "$TMP/bad.map")"
grep -q '^<!-- optimg rip: 302 sectors of user data from cooked reads' "$TMP/bad.hash" ||
	fail "hash file: $(cat "$TMP/bad.hash")"
# ... and to a BIN/CUE: an image has no second opinion, so kept as read.
mkdir "$TMP/k"
expect_exit 0 "$OPTIMG" rip "$TMP/bad.cue" -o "$TMP/k/K.cue"
same_file "$TMP/bad.bin" "$TMP/k/K (Track 1).bin"
grep -qx 'kept:     302 sectors that fail their EDC/ECC check the same way every time' \
	"$TMP/out" || fail "summary: $(cat "$TMP/out")"
grep -q '^REM OPTIMG "302 sectors fail their EDC/ECC check' "$TMP/k/K.cue" ||
	fail "cue: $(cat "$TMP/k/K.cue")"

for fault in rawbad noraw; do
	mkdir "$TMP/$fault"
	cd "$TMP/$fault"
	# ---- ISO: from cooked reads, byte-identical ---------------------
	expect_exit 0 "$OPTIMG" rip --inject-faults "0-301:$fault" \
		"$TESTDATA/isofs-m1.cue" -o I.iso
	same_file "$TMP/ref.iso" I.iso
	grep -qx 'status:   complete' "$TMP/out" || fail "$fault iso: $(cat "$TMP/out")"
	case $fault in
	rawbad) want='drive:    returns corrupt raw sectors (302 failed their EDC/ECC check, read fine cooked): ISO from cooked reads; BIN/CUE not possible raw' ;;
	noraw) want='drive:    cannot read raw sectors (302 read cooked only): ISO from cooked reads; BIN/CUE not possible raw' ;;
	esac
	grep -qxF "$want" "$TMP/out" || fail "$fault drive line: $(cat "$TMP/out")"
	# ---- BIN/CUE: refused, nothing published ---------------------------
	expect_exit 1 "$OPTIMG" rip --inject-faults "0-301:$fault" \
		"$TESTDATA/isofs-m1.cue" -o B.cue
	grep -q "302 of 302 sectors cannot be dumped raw" "$TMP/err" ||
		fail "$fault bin: $(cat "$TMP/err")"
	grep -qx 'status:   incomplete' "$TMP/out" || fail "$fault bin: $(cat "$TMP/out")"
	grep -Eqx '0 302 rawfail( [0-9a-f]{8})?' B.map || fail "$fault map: $(cat B.map)"
	[ ! -e "B (Track 1).bin" ] && [ ! -e B.cue ] && [ ! -e B.hash ] ||
		fail "$fault: a refused bin was published: $(ls -A)"
	# ---- --reconstruct on the same map: rebuilt, marked everywhere -----
	expect_exit 0 "$OPTIMG" rip --reconstruct --inject-faults "0-301:$fault" \
		"$TESTDATA/isofs-m1.cue" -o B.cue
	grep -qx 'status:   reconstructed' "$TMP/out" || fail "$fault: $(cat "$TMP/out")"
	grep -Eqx '0 302 rebuilt( [0-9a-f]{8})?' B.map || fail "$fault map: $(cat B.map)"
	grep -q '^REM OPTIMG "RECONSTRUCTED, not a raw dump: 302 sectors' B.cue ||
		fail "$fault cue: $(cat B.cue)"
	grep -q '^<!-- optimg rip: RECONSTRUCTED, not a raw dump' B.hash ||
		fail "$fault hash: $(cat B.hash)"
	# Mode 1 sectors follow from LBA and user data: the rebuilt bin is
	# the disc's, but it says it was not read raw.
	same_file "$TESTDATA/isofs-m1.bin" "B (Track 1).bin"
	cd "$TMP"
done
echo ok
