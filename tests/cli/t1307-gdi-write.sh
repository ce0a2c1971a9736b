#!/bin/sh
# GD-ROM .gdi writing, with chdman as the oracle, on a seeded .gdi set
# (mkfixture gdi: data, audio from LBA 450, data at 45000).  optimg's
# .gdi of chdman's GD-ROM CHD is what chdman extractcd writes (list and
# files), chdman createcd of it gives the source CHD's overall SHA-1, a
# .gdi converted to .gdi gives its files back, and a CD is refused by
# name, leaving nothing behind.  (#13)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool chdman
need_tool python3

"$MKFIXTURE" gdi "$TMP" disc 1307

sha1_of() {
	chdman info -i "$1" | sed -n 's/^SHA1: *//p'
}

chdman createcd -i "$TMP/disc.gdi" -o "$TMP/c.chd" >/dev/null 2>&1 ||
	fail "chdman createcd disc.gdi"
mkdir "$TMP/o" "$TMP/x"
expect_exit 0 "$OPTIMG" convert "$TMP/c.chd" "$TMP/o/disc.gdi"
chdman extractcd -i "$TMP/c.chd" -o "$TMP/x/disc.gdi" >/dev/null 2>&1 ||
	fail "chdman extractcd c.chd"
for f in disc.gdi disc01.bin disc02.raw disc03.bin; do
	same_file "$TMP/o/$f" "$TMP/x/$f"
done
same_file "$TMP/o/disc02.raw" "$TMP/track02.raw"
chdman createcd -i "$TMP/o/disc.gdi" -o "$TMP/o.chd" >/dev/null 2>&1 ||
	fail "chdman createcd of optimg's .gdi"
[ -n "$(sha1_of "$TMP/c.chd")" ] &&
	[ "$(sha1_of "$TMP/o.chd")" = "$(sha1_of "$TMP/c.chd")" ] ||
	fail "SHA-1 $(sha1_of "$TMP/o.chd"), the source CHD's $(sha1_of "$TMP/c.chd")"

# .gdi to .gdi: the same files, the same tracks read back.
mkdir "$TMP/r"
expect_exit 0 "$OPTIMG" convert "$TMP/disc.gdi" "$TMP/r/game.gdi"
same_file "$TMP/r/game01.bin" "$TMP/track01.bin"
same_file "$TMP/r/game02.raw" "$TMP/track02.raw"
same_file "$TMP/r/game03.bin" "$TMP/track03.bin"
"$OPTIMG" info --json "$TMP/r/game.gdi" >"$TMP/a.json"
"$OPTIMG" info --json "$TMP/disc.gdi" >"$TMP/b.json"
python3 "$SRCDIR/tests/cli/chd_tracks.py" "$TMP/a.json" "$TMP/b.json" ||
	fail "game.gdi: tracks differ from disc.gdi's"

# A CD has no high-density area: refused, nothing written.
"$MKFIXTURE" random "$TMP/cd.bin" $((2352 * 300)) 1
printf 'FILE "cd.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' >"$TMP/cd.cue"
mkdir "$TMP/n"
expect_exit 1 "$OPTIMG" convert "$TMP/cd.cue" "$TMP/n/cd.gdi"
grep -q "high-density area" "$TMP/err" || fail "CD to .gdi: $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/n")" ] || fail "CD to .gdi left $(ls -A "$TMP/n")"
echo "GD-ROM .gdi written as chdman extractcd writes it"
