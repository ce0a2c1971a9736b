#!/bin/sh
# A CloneCD image whose .sub has Q that fails its CRC: info names those
# sectors (text and JSON), and converting keeps the image's own
# subchannel as it is, bad Q included (the CCD writer takes a track's
# subchannel because the track keeps one, not because its bytes look
# made), through CCD -> CCD and CCD -> TOC -> CCD.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3

"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/x.ccd"
python3 - "$TMP/x.sub" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for lba in (5, 100, 301):	# Q is the second channel: bytes 12..23
    b[lba * 96 + 12 + 4] ^= 0x5a
open(sys.argv[1], "wb").write(b)
PY
"$OPTIMG" info "$TMP/x.ccd" >"$TMP/info"
grep -q "3 CRC bad" "$TMP/info" || fail "$(cat "$TMP/info")"
grep -q "Q CRC fails at sectors 5, 100, 301$" "$TMP/info" || fail "$(cat "$TMP/info")"
"$OPTIMG" info --json "$TMP/x.ccd" >"$TMP/j"
python3 - "$TMP/j" <<'PY' || fail "JSON: $(cat "$TMP/j")"
import json, sys
q = json.load(open(sys.argv[1]))["subq"]
assert q["crc_bad"] == 3 and q["crc_bad_sectors"] == [5, 100, 301], q
PY
mkdir "$TMP/a" "$TMP/b"
"$OPTIMG" convert -q "$TMP/x.ccd" "$TMP/a/x.ccd"
same_file "$TMP/x.sub" "$TMP/a/x.sub"
"$OPTIMG" convert -q "$TMP/x.ccd" "$TMP/b/x.toc"
"$OPTIMG" convert -q "$TMP/b/x.toc" "$TMP/b/x.ccd"
same_file "$TMP/x.sub" "$TMP/b/x.sub"
same_file "$TMP/x.img" "$TMP/b/x.img"
"$OPTIMG" info "$TMP/b/x.toc" | grep -q "Q CRC fails at sectors 5, 100, 301$" ||
	fail "the TOC's RW_RAW lost the bad Q"
