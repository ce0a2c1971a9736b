#!/bin/sh
# A cue sheet's CDTEXTFILE is read: its CD-TEXT packs (bare, or with READ
# TOC format 5's 4-byte header, either ending in a NUL) fill the disc's
# and the tracks' CD-TEXT where the sheet's own lines leave it empty.
# Packs made here by an independent Python encoder, and libcdio's three
# .cdt samples when present, give the texts they hold; GENRE's two-byte
# genre code is not part of its text.  A missing or malformed file is one
# warning, and the data still reads.  The text reaches a .toc (read back
# equal; cdrdao accepts it); a CHD, whose tag keeps the sheet but not the
# file, is refused unless --lossy.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"

"$MKFIXTURE" random "$TMP/a.bin" $((2352 * 900)) 1007
sheet() {	# sheet CUE CDT [DISC-TITLE-LINE]
	{
		echo "CDTEXTFILE \"$2\""
		[ $# -ge 3 ] && echo "$3"
		echo 'FILE "a.bin" BINARY'
		for t in 1 2 3; do
			echo "  TRACK 0$t AUDIO"
			echo "    INDEX 01 00:0$(((t - 1) * 4)):00"
		done
	} >"$1"
}

# mkcdt OUT FORM: packs of block 0 (ISO 8859-1), as the Red Book lays
# them out: texts of one type run across packs, NUL-ended, disc first,
# TAB for "as the track before"; GENRE starts with its code 0x0005.
mkcdt() {
	"$PY" - "$1" "$2" <<'PY'
import binascii, sys
out, form = sys.argv[1], sys.argv[2]
items = [(0x80, [b"Disc \xe9t\xe9", b"One", b"Two", b"Three"]),
         (0x81, [b"Band", b"Solo", b"\t", b"Band"]),
         (0x87, [b"\x00\x05Feline jazz"])]
packs, seq = b"", 0
for typ, texts in items:
    data = b"".join(t + b"\0" for t in texts)
    track, pos = 0, 0
    for off in range(0, len(data), 12):
        chunk = data[off:off + 12].ljust(12, b"\0")
        # track number of the first character and its position in its text
        n = data[:off].count(b"\0") if typ != 0x87 else 0
        p = off - (data.rfind(b"\0", 0, off) + 1) if typ != 0x87 else off
        head = bytes([typ, n, seq, min(p, 15)])
        crc = binascii.crc_hqx(head + chunk, 0) ^ 0xFFFF
        packs += head + chunk + crc.to_bytes(2, "big")
        seq += 1
# size information (0x8f): character code 0 (ISO 8859-1), tracks 1..3
info = bytes([0x00, 1, 3, 0]) + bytes(8)
for k in range(3):
    head = bytes([0x8f, k, seq, 0])
    body = info if k == 0 else bytes(12)
    crc = binascii.crc_hqx(head + body, 0) ^ 0xFFFF
    packs += head + body + crc.to_bytes(2, "big")
    seq += 1
if form == "header":
    packs = (len(packs) + 2).to_bytes(2, "big") + b"\0\0" + packs
if form in ("header", "nul"):
    packs += b"\0"
open(out, "wb").write(packs)
PY
}

# check JSON PYTHON-EXPR...: each expression over d (info --json) holds.
check() {
	json=$1
	shift
	for e in "$@"; do
		"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
t = [x.get("cdtext", {}) for x in d["tracks"]]
if not eval(sys.argv[2]):
    print(json.dumps([d.get("cdtext"), t], ensure_ascii=False))
    sys.exit(1)' "$json" "$e" || fail "$json: $e"
	done
}

for form in bare header nul; do
	mkcdt "$TMP/$form.cdt" $form
	sheet "$TMP/$form.cue" "$form.cdt"
	expect_exit 0 "$OPTIMG" info --json "$TMP/$form.cue"
	cp "$TMP/out" "$TMP/$form.json"
	check "$TMP/$form.json" \
	    'd["cdtext"]["TITLE"] == "Disc \u00e9t\u00e9"' \
	    'd["cdtext"]["PERFORMER"] == "Band"' \
	    'd["cdtext"]["GENRE"] == "Feline jazz"' \
	    '[x.get("TITLE") for x in t] == ["One", "Two", "Three"]' \
	    '[x.get("PERFORMER") for x in t] == ["Solo", "Solo", "Band"]' \
	    'd["warnings"] == []'
done
echo "ok: .cdt bare, with a header, with a NUL"

# The sheet's own TITLE wins; the packs fill the rest.
sheet "$TMP/own.cue" bare.cdt 'TITLE "From the sheet"'
"$OPTIMG" info --json "$TMP/own.cue" >"$TMP/own.json"
check "$TMP/own.json" 'd["cdtext"]["TITLE"] == "From the sheet"' \
    'd["cdtext"]["PERFORMER"] == "Band"' 't[0]["TITLE"] == "One"'

# Missing and malformed files: one warning each, the data still reads.
sheet "$TMP/gone.cue" gone.cdt
expect_exit 0 "$OPTIMG" info "$TMP/gone.cue"
[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "warning: '.*gone.cue': cannot find CDTEXTFILE 'gone.cdt'; its CD-TEXT is left out" "$TMP/err" ||
	fail "missing .cdt: $(cat "$TMP/err")"
printf 'TITLE "not packs"\n' >"$TMP/text.cdt"
head -c 36 "$TMP/bare.cdt" >"$TMP/typ.cdt"
printf '\001' | dd of="$TMP/typ.cdt" bs=1 seek=18 conv=notrunc 2>/dev/null
for bad in text typ; do
	sheet "$TMP/$bad.cue" $bad.cdt
	expect_exit 0 "$OPTIMG" info "$TMP/$bad.cue"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$bad.cdt: $(cat "$TMP/err")"
	echo "ok: $bad.cdt: $(cat "$TMP/err")"
done
grep -q "CDTEXTFILE '.*typ.cdt': byte 18 is not a CD-TEXT pack type (0x01)" "$TMP/err" ||
	fail "typ.cdt: $(cat "$TMP/err")"
expect_exit 0 "$OPTIMG" convert -q "$TMP/typ.cue" "$TMP/typ-out.cue"
cmp -s "$TMP/a.bin" "$TMP/typ-out.bin" || fail "a bad .cdt changed the data"

# Into a .toc: CD_TEXT blocks that read back as the same text.
expect_exit 0 "$OPTIMG" convert -q "$TMP/bare.cue" "$TMP/x.toc"
grep -q 'TITLE "One"' "$TMP/x.toc" || fail "no track CD-TEXT in the .toc"
"$OPTIMG" info --json "$TMP/x.toc" >"$TMP/x.json"
"$PY" - "$TMP/bare.json" "$TMP/x.json" <<'PY' || fail "CD-TEXT differs through .toc"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["cdtext"] == b["cdtext"], (a["cdtext"], b["cdtext"])
assert [t.get("cdtext") for t in a["tracks"]] == \
    [t.get("cdtext") for t in b["tracks"]]
PY
if command -v cdrdao >/dev/null 2>&1; then
	cdrdao show-toc "$TMP/x.toc" >"$TMP/cdrdao.out" 2>&1 ||
		fail "cdrdao refuses the .toc: $(cat "$TMP/cdrdao.out")"
else
	echo "NOTE: cdrdao is not installed: the .toc was not shown to it" >&2
fi

# A CHD's tag keeps the sheet, not the file it names: refused by name.
expect_exit 1 "$OPTIMG" convert "$TMP/bare.cue" "$TMP/x.chd"
grep -q "CDTEXTFILE" "$TMP/err" || fail "CHD: $(cat "$TMP/err")"
[ -e "$TMP/x.chd" ] && fail "a refused CHD was written"
expect_exit 0 "$OPTIMG" convert -q --lossy "$TMP/bare.cue" "$TMP/x.chd"

# libcdio's samples: what their bytes spell.
if have_testdata && [ -f "$TESTDATA/cdtext.cdt" ]; then
	for f in cdtext cdtext-krosis cdtext-libburnia; do
		cp "$TESTDATA/$f.cdt" "$TMP/"
		sheet "$TMP/$f.cue" "$f.cdt"
		"$OPTIMG" info --json "$TMP/$f.cue" >"$TMP/$f.json"
	done
	check "$TMP/cdtext.json" 'd["cdtext"]["TITLE"] == "Joyful Nights"' \
	    'd["cdtext"]["GENRE"] == "Feline classic music"' \
	    't[0]["TITLE"] == "Song of Joy"' 't[1]["SONGWRITER"] == "Mother Goose"' \
	    'd["tracks"][0]["isrc"] == "XYBLG1101234"'
	check "$TMP/cdtext-krosis.json" \
	    'd["cdtext"]["TITLE"] == "A Memoir of Free Will"' \
	    't[2]["TITLE"] == "To Persist or Adhere"'
	check "$TMP/cdtext-libburnia.json" 'd["cdtext"]["TITLE"] == "Night Cats II"' \
	    't[1]["TITLE"] == "The Hunt"'
	echo "ok: libcdio's .cdt samples"
else
	echo "NOTE: libcdio test data not found at $TESTDATA: its .cdt samples were not read" >&2
fi
