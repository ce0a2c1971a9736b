#!/bin/sh
# GD-ROM CHDs with chdman as the oracle, on a seeded .gdi set (mkfixture
# gdi: track 1 data, track 2 audio from LBA 450, track 3 data in the
# high-density area at LBA 45000).  optimg writes CHGD entries with the
# padding between tracks as chdman does: the same overall SHA-1 as
# chdman's createcd, chdman verify passes, and chdman extractcd gives the
# original .gdi files back.  optimg reads chdman's GD-ROM CHD as the .gdi:
# the same tracks at the same LBAs, the same per-track hashes.  (#13)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool chdman
need_tool python3

"$MKFIXTURE" gdi "$TMP" disc 1305

sha1_of() {
	chdman info -i "$1" | sed -n 's/^SHA1: *//p'
}

# optimg's CHD of the set is chdman's, byte for byte in what is hashed.
expect_exit 0 "$OPTIMG" convert "$TMP/disc.gdi" "$TMP/o.chd"
chdman createcd -i "$TMP/disc.gdi" -o "$TMP/c.chd" >/dev/null 2>&1 ||
	fail "chdman createcd disc.gdi"
chdman info -v -i "$TMP/o.chd" >"$TMP/info-o"
grep -q "Tag='CHGD'" "$TMP/info-o" || fail "no CHGD entries in optimg's CHD"
! grep -q "Tag='CHT2'" "$TMP/info-o" || fail "CHT2 entries in a GD-ROM CHD"
[ "$(sha1_of "$TMP/o.chd")" = "$(sha1_of "$TMP/c.chd")" ] ||
	fail "overall SHA-1 differs from chdman's"
chdman verify -i "$TMP/o.chd" >"$TMP/verify" 2>&1 ||
	{ cat "$TMP/verify" >&2; fail "chdman verify o.chd"; }
mkdir "$TMP/x"
chdman extractcd -i "$TMP/o.chd" -o "$TMP/x/disc.gdi" >/dev/null 2>&1 ||
	fail "chdman extractcd o.chd"
same_file "$TMP/x/disc01.bin" "$TMP/track01.bin"
same_file "$TMP/x/disc02.raw" "$TMP/track02.raw"
same_file "$TMP/x/disc03.bin" "$TMP/track03.bin"
grep -q '^3 45000 4 2352 disc03.bin 0' "$TMP/x/disc.gdi" ||
	fail "track 3 not at 45000: $(cat "$TMP/x/disc.gdi")"

# chdman's CHD read by optimg is the .gdi: tracks, LBAs, hashes.
"$OPTIMG" info --json "$TMP/c.chd" >"$TMP/a.json"
"$OPTIMG" info --json "$TMP/disc.gdi" >"$TMP/b.json"
python3 "$SRCDIR/tests/cli/chd_tracks.py" "$TMP/a.json" "$TMP/b.json" ||
	fail "c.chd: tracks differ from disc.gdi's"
python3 - "$TMP/a.json" <<'PY' || fail "c.chd: tracks not where the .gdi puts them"
import json, sys
t = json.load(open(sys.argv[1]))["tracks"]
assert [x["start"] for x in t] == [0, 450, 45000], [x["start"] for x in t]
PY
"$OPTIMG" verify "$TMP/c.chd" | grep -E 'sha1|bad' >"$TMP/v-chd"
"$OPTIMG" verify "$TMP/disc.gdi" | grep -E 'sha1|bad' >"$TMP/v-gdi"
same_file "$TMP/v-chd" "$TMP/v-gdi"
# The hashes are the files' own.
for f in track01.bin track02.raw track03.bin; do
	sum=$(sha1sum "$TMP/$f" | cut -d' ' -f1)
	grep -q "sha1 $sum" "$TMP/v-chd" || fail "no track hashes as $f does"
done
echo "GD-ROM CHD written as chdman writes it and read as the .gdi"
