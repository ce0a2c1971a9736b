#!/bin/sh
# A Redump-style split dump (data + two audio tracks, stored INDEX 00
# pregaps, one bin per track) merges into one bin and splits back to
# byte-identical files and a cue of the same meaning.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

mkdir "$TMP/orig" "$TMP/merged" "$TMP/split"
"$MKFIXTURE" redump "$TMP/orig" "Mixed Disc" 42

"$OPTIMG" info --json "$TMP/orig/Mixed Disc.cue" >"$TMP/orig.json"
"$OPTIMG" convert -q "$TMP/orig/Mixed Disc.cue" "$TMP/merged/Mixed Disc.cue"
[ "$(ls "$TMP/merged" | wc -l)" -eq 2 ] || fail "merge made: $(ls "$TMP/merged")"
cat "$TMP/orig/Mixed Disc (Track 1).bin" "$TMP/orig/Mixed Disc (Track 2).bin" \
	"$TMP/orig/Mixed Disc (Track 3).bin" >"$TMP/concat.bin"
same_file "$TMP/concat.bin" "$TMP/merged/Mixed Disc.bin"

"$OPTIMG" convert -q --split "$TMP/merged/Mixed Disc.cue" "$TMP/split/Mixed Disc.cue"
for n in 1 2 3; do
	same_file "$TMP/orig/Mixed Disc (Track $n).bin" "$TMP/split/Mixed Disc (Track $n).bin"
done

# Same meaning: the disc model read back is the same (paths and sizes aside).
strip() {
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [d.pop(k) for k in ("image","size")]; print(json.dumps(d, sort_keys=True, indent=1))' "$1"
}
for v in merged split; do
	"$OPTIMG" info --json "$TMP/$v/Mixed Disc.cue" >"$TMP/$v.json"
	strip "$TMP/orig.json" >"$TMP/a.txt"
	strip "$TMP/$v.json" >"$TMP/b.txt"
	diff -u "$TMP/a.txt" "$TMP/b.txt" || fail "$v cue differs in meaning"
done
grep -q 'REM GENRE "Test"' "$TMP/split/Mixed Disc.cue" || fail "REM line lost"
grep -q 'ISRC USXYZ2600001' "$TMP/split/Mixed Disc.cue" || fail "ISRC lost"
grep -q 'FLAGS .*DCP' "$TMP/split/Mixed Disc.cue" || fail "FLAGS lost"
grep -q 'INDEX 02 ' "$TMP/merged/Mixed Disc.cue" || fail "INDEX 02 lost"

# The track table: data track at 0, audio tracks after their pregaps.
"$OPTIMG" info "$TMP/merged/Mixed Disc.cue" | awk '/^  session/ { on = 1; next } on && $1 ~ /^[0-9]+$/ { print $2, $3, $4, $6, $7 }' >"$TMP/table"
printf '1 MODE1/2352 0 32 0\n2 AUDIO 182 300 150\n3 AUDIO 632 1200 150\n' >"$TMP/want"
diff -u "$TMP/want" "$TMP/table" || fail "track table"

# cdrdao reads the merged (single FILE) cue the same way: same starts,
# pregaps and ends.  cdrdao 1.2.4 rejects INDEX 02+ in cue sheets ("Index
# beyond track end" for a valid index), so it gets the sheet without them.
if command -v cdrdao >/dev/null; then
	grep -v 'INDEX 0[2-9]' "$TMP/merged/Mixed Disc.cue" >"$TMP/merged/cdrdao.cue"
	(cd "$TMP/merged" && cdrdao show-toc cdrdao.cue >"$TMP/cdrdao" 2>&1) ||
		fail "cdrdao cannot read our cue: $(cat "$TMP/cdrdao")"
	awk '/^TRACK/ { t = $2; p = 0 } /PREGAP/ { gsub(/[()]/, " "); p = $3 }
		/START/ { gsub(/[()]/, " "); s = $3 }
		/END/ { gsub(/[()]/, " "); print t, s, $3 - s, p }' "$TMP/cdrdao" >"$TMP/cdrdao.table"
	printf '1 0 32 0\n2 182 300 150\n3 632 1200 150\n' >"$TMP/want"
	diff -u "$TMP/want" "$TMP/cdrdao.table" || fail "cdrdao reads the tracks differently"
else
	echo "SKIP part: cdrdao not installed" >&2
fi

# The mixed disc cannot become an ISO without losing the audio...
expect_exit 1 "$OPTIMG" convert "$TMP/merged/Mixed Disc.cue" "$TMP/x.iso"
grep -q "3 tracks (1 MODE1/2352, 2 AUDIO, 3 AUDIO)" "$TMP/err" || fail "lossy refusal: $(cat "$TMP/err")"
[ ! -e "$TMP/x.iso" ] || fail "refused conversion left x.iso"
# ...unless asked for the data track alone.
"$OPTIMG" convert -q --data-track 1 "$TMP/merged/Mixed Disc.cue" "$TMP/x.iso"
[ "$(stat -c %s "$TMP/x.iso")" -eq $((32 * 2048)) ] || fail "x.iso size"
"$OPTIMG" info "$TMP/x.iso" | grep -q ' OPTIMG_MIXED$' || fail "x.iso volume id"
echo ok
