#!/bin/sh
# `optimg verify`: Redump per-track hashes (split and merged dumps agree),
# a DAT made from the fixture's own hashes matches, a changed DAT names
# the track that differs, a flipped byte in a data sector is reported by
# sector number, hostile DATs fail cleanly.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

mkdir "$TMP/split"
"$MKFIXTURE" redump "$TMP/split" "Mixed Disc" 42
"$OPTIMG" convert -q "$TMP/split/Mixed Disc.cue" "$TMP/Mixed Disc.cue"

# mkdat OUT [TRACK-TO-CHANGE]: a Redump-style DAT of the split bins, with
# a decoy entry first; the given track's hashes are altered.
mkdat() {
	/usr/bin/python3 - "$TMP/split" "$1" "${2:-0}" <<'PY'
import hashlib, os, sys, zlib
d, out, change = sys.argv[1], sys.argv[2], int(sys.argv[3])
roms = []
for n in (1, 2, 3):
    name = "Mixed Disc (Track %d).bin" % n
    data = open(os.path.join(d, name), "rb").read()
    if n == change:
        data = data[:-1] + bytes([data[-1] ^ 1])
    roms.append('\t\t<rom name="%s" size="%d" crc="%08x" md5="%s" sha1="%s"/>'
        % (name, len(data), zlib.crc32(data), hashlib.md5(data).hexdigest(),
           hashlib.sha1(data).hexdigest()))
with open(out, "w") as f:
    f.write('<?xml version="1.0"?>\n<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD'
        ' ROM Management Datafile//EN" "http://www.logiqx.com/Dats/datafile.dtd">\n'
        '<datafile>\n\t<header><name>Test</name></header>\n'
        '\t<game name="Decoy &amp; Co"><rom name="Decoy (Track 1).bin" size="2352"'
        ' crc="00000000" sha1="0000000000000000000000000000000000000000"/></game>\n'
        '\t<game name="Mixed Disc (Test)">\n\t\t<category>Games</category>\n'
        '\t\t<rom name="Mixed Disc (Test).cue" size="123" crc="01234567"/>\n'
        + "\n".join(roms) + '\n\t</game>\n</datafile>\n')
PY
}

mkdat "$TMP/good.dat"
for cue in "$TMP/split/Mixed Disc.cue" "$TMP/Mixed Disc.cue"; do
	expect_exit 0 "$OPTIMG" verify --dat "$TMP/good.dat" "$cue"
	grep -q "^dat:      matches 'Mixed Disc (Test)'$" "$TMP/out" || fail "no match: $(cat "$TMP/out")"
	grep -q '^result:   ok$' "$TMP/out" || fail "$(cat "$TMP/out")"
	grep -q '^sectors:  32 data sectors checked, 0 bad$' "$TMP/out" || fail "$(cat "$TMP/out")"
	sed -n 's/^ *size \([0-9]*\)  crc32 \([0-9a-f]*\)  md5 \([0-9a-f]*\)  sha1 \([0-9a-f]*\)$/\1 \2 \3 \4/p' \
		"$TMP/out" >"$TMP/hashes.$(basename "$(dirname "$cue")")"
done
# The merged bin is hashed as the split bins it holds.
same_file "$TMP/hashes.split" "$TMP/hashes.$(basename "$TMP")"
[ "$(wc -l <"$TMP/hashes.split")" -eq 3 ] || fail "$(cat "$TMP/hashes.split")"
sha1=$(sha1sum <"$TMP/split/Mixed Disc (Track 2).bin" | cut -d' ' -f1)
grep -q " $sha1\$" "$TMP/hashes.split" || fail "track 2 sha1"

# A DAT whose track 2 differs: named, exit 1.
mkdat "$TMP/bad2.dat" 2
expect_exit 1 "$OPTIMG" verify --dat "$TMP/bad2.dat" "$TMP/Mixed Disc.cue"
grep -q "^dat:      differs from 'Mixed Disc (Test)': track 2 differs;$" "$TMP/out" ||
	fail "differing track: $(cat "$TMP/out")"
grep -q "the DAT's 'Mixed Disc (Track 2).bin' has size 1058400 " "$TMP/out" || fail "$(cat "$TMP/out")"
grep -q '^result:   FAILED$' "$TMP/out" || fail "$(cat "$TMP/out")"
"$OPTIMG" verify --json --dat "$TMP/bad2.dat" "$TMP/Mixed Disc.cue" >"$TMP/v.json" || true
/usr/bin/python3 - "$TMP/v.json" <<'PY' || fail "JSON: $(cat "$TMP/v.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["dat"]["game"] == "Mixed Disc (Test)", d["dat"]
st = [t["dat"]["status"] for t in d["tracks"]]
assert st == ["match", "differs", "match"], st
assert d["tracks"][1]["dat"]["rom"] == "Mixed Disc (Track 2).bin"
PY

# A DAT of other games: no entry matches.
printf '<datafile><game name="X"><rom name="X.bin" size="1" crc="00000000"/></game></datafile>\n' >"$TMP/other.dat"
expect_exit 1 "$OPTIMG" verify --dat "$TMP/other.dat" "$TMP/Mixed Disc.cue"
grep -q '^dat:      no entry matches$' "$TMP/out" || fail "$(cat "$TMP/out")"

# One flipped byte in the user data of sector 20 (track 1).
cp "$TMP/split/Mixed Disc (Track 1).bin" "$TMP/t1.bin"
printf '\377' | dd of="$TMP/split/Mixed Disc (Track 1).bin" bs=1 seek=$((20 * 2352 + 1000)) conv=notrunc 2>/dev/null
expect_exit 1 "$OPTIMG" verify "$TMP/split/Mixed Disc.cue"
grep -q '^  bad sector 20 (track 1): EDC ECC-P ECC-Q$' "$TMP/out" || fail "bad sector: $(cat "$TMP/out")"
grep -q '^sectors:  32 data sectors checked, 1 bad$' "$TMP/out" || fail "$(cat "$TMP/out")"
expect_exit 1 "$OPTIMG" verify --dat "$TMP/good.dat" "$TMP/split/Mixed Disc.cue"
grep -q "track 1 differs;" "$TMP/out" || fail "$(cat "$TMP/out")"
# A sector whose header names another address.
cp "$TMP/t1.bin" "$TMP/split/Mixed Disc (Track 1).bin"
printf '\001' | dd of="$TMP/split/Mixed Disc (Track 1).bin" bs=1 seek=$((5 * 2352 + 14)) conv=notrunc 2>/dev/null
expect_exit 1 "$OPTIMG" verify --json "$TMP/split/Mixed Disc.cue"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); b=d["bad_sectors"]; assert [(s["lba"], s["track"]) for s in b] == [(5, 1)] and "header" in b[0]["problems"], b' \
	"$TMP/out" || fail "header: $(cat "$TMP/out")"

# An ISO is hashed as its file.
"$MKFIXTURE" iso "$TMP/a.iso" TESTVOL "$TMP/good.dat"
expect_exit 0 "$OPTIMG" verify "$TMP/a.iso"
grep -q " sha1 $(sha1sum <"$TMP/a.iso" | cut -d' ' -f1)\$" "$TMP/out" || fail "iso: $(cat "$TMP/out")"

# Hostile DATs: refused with the file and line, never crash.
printf '<datafile>\n<game name="a">\n<rom name="x" sha1="12"/>\n</game>\n' >"$TMP/h1.dat"
printf '<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<game name="&a;"></game>\n' >"$TMP/h2.dat"
"$MKFIXTURE" random "$TMP/h3.dat" 100000 8004
for h in h1 h2 h3; do
	expect_exit 1 "$OPTIMG" verify --dat "$TMP/$h.dat" "$TMP/Mixed Disc.cue"
	grep -q "^optimg: verify: '.*$h.dat' " "$TMP/err" || fail "$h: $(cat "$TMP/err")"
done
expect_exit 1 "$OPTIMG" verify --dat "$TMP/missing.dat" "$TMP/Mixed Disc.cue"
expect_exit 2 "$OPTIMG" verify
expect_exit 2 "$OPTIMG" verify a b
echo ok
