#!/bin/sh
# CD-TEXT in a known character code comes out as UTF-8 (issue #15, fault
# 5): packs in ISO 8859-1, ASCII and MS-JIS (crafted in fx_images.c,
# inside an NRG's CDTX chunk, and in a CloneCD sheet's [CDText]) are
# transcoded with iconv for info and info --json; packs in a code we do not decode, and a cue sheet's
# CD-TEXT (whose encoding nobody states), keep their bytes: U+FFFD in the
# JSON string plus a *_raw field, and ls-style quoting on the terminal.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"

# check KIND PYTHON-EXPR...: info --json of the fixture parses, and each
# expression over d (the document) holds.
check() {
	kind=$1
	shift
	"$MKFIXTURE" image "nrg-cdtext-$kind" "$TMP/$kind.nrg"
	"$OPTIMG" info --json "$TMP/$kind.nrg" >"$TMP/$kind.json" ||
		fail "info --json $kind"
	for e in "$@"; do
		"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
t = [x["cdtext"] for x in d["tracks"]]
if not eval(sys.argv[2]):
    print(json.dumps([d["cdtext"], t], ensure_ascii=False))
    sys.exit(1)' "$TMP/$kind.json" "$e" || fail "$kind: $e"
	done
}

check latin1 'd["cdtext"]["TITLE"] == "Caf\u00e9"' \
	't[0]["TITLE"] == "Ol\u00e9" and t[1]["TITLE"] == "Stra\u00dfe"' \
	'all(x["PERFORMER"] == "Bj\u00f6rk" for x in [d["cdtext"]] + t)' \
	'not any(k.endswith("_raw") for x in [d["cdtext"]] + t for k in x)'
check ascii 'd["cdtext"]["TITLE"] == "Plain"' \
	't[0]["TITLE"] == "A\ufffd" and "TITLE_raw" not in t[0]' \
	't[1]["TITLE"] == "B"'
check msjis 'd["cdtext"]["TITLE"] == "\u65e5\u672c\u8a9e"' \
	't[0]["TITLE"] == "\u30c6\u30b9\u30c8" and t[1]["TITLE"] == t[0]["TITLE"]'
check korean 'd["cdtext"]["TITLE"] == "K\ufffd\ufffd"' \
	'd["cdtext"]["TITLE_raw"] == "4bb0a1"'

# The terminal gets the same text: UTF-8 as it is, unknown bytes quoted.
"$OPTIMG" info "$TMP/msjis.nrg" >"$TMP/out"
grep -q "TITLE       日本語$" "$TMP/out" || fail "info msjis: $(cat "$TMP/out")"
"$OPTIMG" info "$TMP/latin1.nrg" >"$TMP/out"
grep -q "TITLE       Straße$" "$TMP/out" || fail "info latin1: $(cat "$TMP/out")"
"$OPTIMG" info "$TMP/korean.nrg" >"$TMP/out"
grep -qF "TITLE       'K'\$'\\260\\241'" "$TMP/out" ||
	fail "info korean: $(cat "$TMP/out")"

# A CloneCD sheet's [CDText] section: packs as 16 hex bytes an entry, in
# MS-JIS here (double-byte packs), and a malformed entry refused by line.
mkdir "$TMP/c"
printf 'x' >"$TMP/c/f.txt"
"$OPTIMG" mkiso -q "$TMP/c" -o "$TMP/c.iso"
"$OPTIMG" convert -q "$TMP/c.iso" "$TMP/c.ccd"
"$PY" - "$TMP/c.ccd" <<'PY'
import sys
text = "日本語".encode("cp932") + b"\0\0"
packs = []
for i in range(0, len(text), 12):
    packs.append(bytes([0x80, 0, len(packs), 0x80]) + text[i:i + 12].ljust(12, b"\0"))
for k in range(3):
    info = bytes([0x80, 1, 1]) if k == 0 else b""
    packs.append(bytes([0x8f, k, len(packs), 0]) + info.ljust(12, b"\0"))
with open(sys.argv[1], "a") as f:
    f.write("[CDText]\nEntries=%d\n" % len(packs))
    for n, p in enumerate(packs):
        f.write("Entry %d=%s\n" % (n, " ".join("%02x" % b for b in p)))
PY
"$OPTIMG" info --json "$TMP/c.ccd" >"$TMP/ccd.json" || fail "info ccd"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
sys.exit(0 if d["cdtext"]["TITLE"] == "\u65e5\u672c\u8a9e" else 1)' \
	"$TMP/ccd.json" || fail "ccd CD-TEXT: $(cat "$TMP/ccd.json")"
printf 'Entry 99=80 00 zz\n' >>"$TMP/c.ccd"
expect_exit 1 "$OPTIMG" info "$TMP/c.ccd"
grep -qF "c.ccd' line $(wc -l <"$TMP/c.ccd"): CD-TEXT entry is not hex bytes '80 00 zz'" \
	"$TMP/err" || fail "bad entry: $(cat "$TMP/err")"

# A cue sheet's CD-TEXT in Latin-1: its encoding is not stated, so its
# bytes are kept and shown as of unknown encoding.
head -c 2352000 /dev/zero >"$TMP/a.bin"
printf 'TITLE "Caf\351"\nFILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' \
	>"$TMP/a.cue"
"$OPTIMG" info --json "$TMP/a.cue" >"$TMP/cue.json"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
c = d["cdtext"]
sys.exit(0 if c["TITLE"] == "Caf\ufffd" and c["TITLE_raw"] == "436166e9" else 1)' \
	"$TMP/cue.json" || fail "cue CD-TEXT: $(cat "$TMP/cue.json")"
echo ok
