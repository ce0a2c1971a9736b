#!/bin/sh
# Strings from an image's descriptors and system area never reach the
# terminal raw (issue #15, faults 4 and 5): a crafted ISO whose primary
# volume id holds ESC[31m, a newline and an invalid byte, whose GPT
# partition name holds ESC and a newline, and whose Apple partition map
# has a name with an OSC sequence and a type with invalid UTF-8.  info
# prints no control byte (checked with od), names are quoted once, and
# info --json parses with every bad string beside its *_raw bytes.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"

mkdir "$TMP/src"
printf 'x' >"$TMP/src/f.txt"
"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/c.iso"
"$PY" - "$TMP/c.iso" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
# Primary volume descriptor (LBA 16): volume id at 40, 32 bytes.
b[32768 + 40:32768 + 72] = b"\x1b[31mVOL\n\xff".ljust(32, b" ")
# GPT header in sector 1, four 128-byte entries from LBA 2 (CRCs left
# wrong: the reader shows a table whose CRC is bad, and says so).
h = bytearray(512)
h[0:8] = b"EFI PART"
struct.pack_into("<I", h, 12, 92)
struct.pack_into("<Q", h, 72, 2)
struct.pack_into("<II", h, 80, 4, 128)
b[512:1024] = h
e = bytearray(128)
e[0:16] = bytes(range(1, 17))
e[16:32] = bytes(range(17, 33))
struct.pack_into("<QQ", e, 32, 64, 127)
name = "a\x1b[31mb\nc".encode("utf-16le")
e[56:56 + len(name)] = name
b[1024:1152] = e
# Apple partition map, 2048-byte blocks: "ER", then one "PM" entry.
b[0:2] = b"ER"
struct.pack_into(">H", b, 2, 2048)
pm = bytearray(2048)
pm[0:2] = b"PM"
struct.pack_into(">III", pm, 4, 1, 1, 10)
pm[16:25] = b"n\x1b]0;x\x07zz"
pm[48:60] = b"Apple_\xff\xfe\x1b[2J"
b[2048:4096] = pm
open(sys.argv[1], "wb").write(b)
PY

# no_controls FILE WHAT: no byte below 0x20 but the newline, no DEL, no
# invalid UTF-8 (od shows what was there when it fails).
no_controls() {
	"$PY" -c 'import sys
b = open(sys.argv[1], "rb").read()
b.decode("utf-8")
sys.exit(1 if [c for c in b if (c < 0x20 and c != 0x0a) or c == 0x7f] else 0)' "$1" ||
		fail "$2: raw control byte or bad UTF-8: $(od -c "$1" | head -30)"
}

"$OPTIMG" info "$TMP/c.iso" >"$TMP/out" 2>"$TMP/err" || fail "info: $(cat "$TMP/err")"
no_controls "$TMP/out" info
no_controls "$TMP/err" "info (stderr)"
grep -qF "\$'\\033''[31mVOL'\$'\\n\\377'" "$TMP/out" ||
	fail "track table volume id: $(cat "$TMP/out")"
grep -qF "  'a'\$'\\033''[31mb'\$'\\n''c'" "$TMP/out" ||
	fail "GPT name: $(cat "$TMP/out")"
grep -qF "  'n'\$'\\033'']0;x'\$'\\a''zz'  'Apple_'\$'\\377\\376\\033''[2J'" \
	"$TMP/out" || fail "APM name and type: $(cat "$TMP/out")"
grep -qE "(^| )''[^ ]" "$TMP/out" && fail "a name quoted twice: $(cat "$TMP/out")"

"$OPTIMG" info --json "$TMP/c.iso" >"$TMP/json" || fail "info --json"
"$PY" - "$TMP/json" <<'PY' || fail "info --json: $(head -c 600 "$TMP/json")"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
raws, strs = [], []
def walk(o):
    if isinstance(o, str):
        strs.append(o)
    if isinstance(o, dict):
        for k, v in o.items():
            if k.endswith("_raw"):
                raws.append(bytes.fromhex(v))
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(d)
# The invalid bytes are kept beside the repaired text.
assert any(b"\xff" in r for r in raws), raws
assert any(b"Apple_\xff\xfe\x1b[2J" == r for r in raws), raws
assert "a\x1b[31mb\nc" in strs, "GPT name"
assert "n\x1b]0;x\x07zz" in strs, "APM name"
PY
echo ok
