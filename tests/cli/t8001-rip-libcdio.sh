#!/bin/sh
# `optimg rip` through libcdio's image drivers, which stand in for a drive:
# bins byte-identical to the originals, a cue that reads back with the
# same tracks and metadata, NAME.hash, ISO output, read-offset shifts and
# refusals.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata

# The disc model as `info --json` gives it, paths and sizes aside.
model() {
	"$OPTIMG" info --json "$1" | /usr/bin/python3 -c 'import json,sys
d = json.load(sys.stdin)
for k in ("image", "size", "filesystem", "warnings"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True, indent=1))'
}

for disc in isofs-m1 cdda; do
	mkdir "$TMP/$disc"
	"$OPTIMG" rip -q "$TESTDATA/$disc.cue" -o "$TMP/$disc/Out.cue" ||
		fail "rip $disc.cue"
	same_file "$TESTDATA/$disc.bin" "$TMP/$disc/Out (Track 1).bin"
	model "$TESTDATA/$disc.cue" >"$TMP/want.json"
	model "$TMP/$disc/Out.cue" >"$TMP/got.json"
	diff -u "$TMP/want.json" "$TMP/got.json" || fail "$disc: the ripped cue reads back differently"
	# Only the outputs and the map are left; the map is all good.
	[ "$(ls -A "$TMP/$disc" | sort | tr '\n' '|')" = "Out (Track 1).bin|Out.cue|Out.hash|Out.map|" ] ||
		fail "$disc: left $(ls -A "$TMP/$disc")"
	grep -Eqx '0 302 good [0-9a-f]{8}' "$TMP/$disc/Out.map" || fail "$disc: map $(cat "$TMP/$disc/Out.map")"
	sha1=$(sha1sum <"$TESTDATA/$disc.bin" | cut -d' ' -f1)
	md5=$(md5sum <"$TESTDATA/$disc.bin" | cut -d' ' -f1)
	crc=$(/usr/bin/python3 -c 'import sys,zlib; print("%08x" % zlib.crc32(open(sys.argv[1],"rb").read()))' "$TESTDATA/$disc.bin")
	grep -qF "<rom name=\"Out (Track 1).bin\" size=\"710304\" crc=\"$crc\" md5=\"$md5\" sha1=\"$sha1\" />" \
		"$TMP/$disc/Out.hash" || fail "$disc: hash file $(cat "$TMP/$disc/Out.hash")"
done
# The metadata the originals carry is in the written sheets.
grep -q '^CATALOG 0000012101954$' "$TMP/isofs-m1/Out.cue" || fail "isofs-m1 catalog"
grep -q '^CATALOG 0000010271955$' "$TMP/cdda/Out.cue" || fail "cdda catalog"
grep -q '^TITLE "Join us now we have the software"$' "$TMP/cdda/Out.cue" || fail "disc CD-TEXT"
grep -q '^    PERFORMER "Richard S"$' "$TMP/cdda/Out.cue" || fail "track CD-TEXT"
grep -q '^    FLAGS DCP$' "$TMP/cdda/Out.cue" || fail "flags"
"$OPTIMG" info "$TMP/cdda/Out.cue" | grep -q '  AUDIO .* DCP ' || fail "info flags"

# Summary on stdout: counts, status and each file's hashes.
expect_exit 0 "$OPTIMG" rip "$TESTDATA/cdda.cue" -o "$TMP/s.cue"
grep -q '^status:   complete$' "$TMP/out" || fail "summary: $(cat "$TMP/out")"
grep -q "^sectors:  302 good, 0 bad (0 extents), 0 untried, of 302$" "$TMP/out" || fail "summary counts"
grep -q "sha1 $sha1" "$TMP/out" || fail "summary hash"
[ ! -s "$TMP/err" ] || fail "stderr: $(cat "$TMP/err")"

# Two tracks with stored pregaps (p1.cue; libcdio reads p1.bin for it):
# one bin per track, INDEX 00 kept, together the original bytes.
mkdir "$TMP/p1"
"$OPTIMG" rip -q "$TESTDATA/p1.cue" -o "$TMP/p1/P.cue" 2>/dev/null
cat "$TMP/p1/P (Track 1).bin" "$TMP/p1/P (Track 2).bin" >"$TMP/p1.cat"
same_file "$TESTDATA/p1.bin" "$TMP/p1.cat"
model "$TESTDATA/p1.cue" 2>/dev/null >"$TMP/want.json"
model "$TMP/p1/P.cue" >"$TMP/got.json"
diff -u "$TMP/want.json" "$TMP/got.json" || fail "p1: tracks differ"

# Two sessions (libcdio's cue driver drops REM SESSION; our reader of the
# sheet gives them back): both ripped, the sheet reads back with the same
# sessions, tracks and LBAs.
mkdir "$TMP/ms"
"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/ms/one.iso"
cat "$TMP/ms/one.iso" "$TMP/ms/one.iso" >"$TMP/ms/two.iso"
"$OPTIMG" convert -q "$TMP/ms/two.iso" "$TMP/ms/two.cue"
printf 'FILE "two.bin" BINARY\n  REM SESSION 01\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  REM SESSION 02\n  TRACK 02 MODE1/2352\n    INDEX 01 00:04:02\n' \
	>"$TMP/ms/two.cue"
expect_exit 0 "$OPTIMG" rip "$TMP/ms/two.cue" -o "$TMP/ms/R.cue"
grep -q '^REM SESSION 02$' "$TMP/ms/R.cue" || fail "session 2 lost: $(cat "$TMP/ms/R.cue")"
model "$TMP/ms/two.cue" >"$TMP/want.json"
model "$TMP/ms/R.cue" >"$TMP/got.json"
diff -u "$TMP/want.json" "$TMP/got.json" || fail "two sessions read back differently"
cat "$TMP/ms/R (Track 1).bin" "$TMP/ms/R (Track 2).bin" | cmp - "$TMP/ms/two.bin" ||
	fail "two sessions: bins differ"

# cdrdao's TOC driver resolves FILE against the current directory.
(cd "$TESTDATA" && "$OPTIMG" rip -q isofs-m1.toc -o "$TMP/toc.cue") || fail "rip isofs-m1.toc"
same_file "$TESTDATA/isofs-m1.bin" "$TMP/toc (Track 1).bin"

# libcdio's log goes to our warnings on stderr, never to stdout: its NRG
# driver logs a message for every read in a pregap.
expect_exit 0 "$OPTIMG" rip -q "$TESTDATA/videocd.nrg" -o "$TMP/vcd.cue"
[ ! -s "$TMP/out" ] || fail "stdout: $(cat "$TMP/out")"
grep -q '^optimg: rip: warning: libcdio: reading into pre gap (lsn [0-9]*)$' "$TMP/err" ||
	fail "libcdio's log: $(cat "$TMP/err")"
grep -q '^optimg: rip: warning: libcdio: [0-9]* more like the last$' "$TMP/err" ||
	fail "repeats counted: $(cat "$TMP/err")"
# Images have no speed: a warning, not a failure.
expect_exit 0 "$OPTIMG" rip -q --speed 4 "$TESTDATA/cdda.cue" -o "$TMP/speed.cue"
grep -q "warning: cannot set the speed: '.*cdda.cue' is an image; it has no speed to set" "$TMP/err" ||
	fail "speed: $(cat "$TMP/err")"

# An ISO: the user data, as convert makes it.
"$OPTIMG" rip -q "$TESTDATA/isofs-m1.cue" -o "$TMP/r.iso"
"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/c.iso"
same_file "$TMP/c.iso" "$TMP/r.iso"
expect_exit 1 "$OPTIMG" rip "$TESTDATA/cdda.cue" -o "$TMP/audio.iso"
grep -q "no data track" "$TMP/err" || fail "audio to ISO: $(cat "$TMP/err")"

# Read offset: output sample s is drive sample s + offset; zeros past the
# disc's edges.
"$OPTIMG" rip -q --offset 3 "$TESTDATA/cdda.cue" -o "$TMP/plus.cue"
"$OPTIMG" rip -q --offset -3 "$TESTDATA/cdda.cue" -o "$TMP/minus.cue"
/usr/bin/python3 - "$TESTDATA/cdda.bin" "$TMP/plus (Track 1).bin" "$TMP/minus (Track 1).bin" <<'PY' || fail "offset shift"
import sys
orig, plus, minus = (open(p, "rb").read() for p in sys.argv[1:])
assert plus == orig[12:] + bytes(12), "+3"
assert minus == bytes(12) + orig[:-12], "-3"
PY
# A whole sector and more of shift still lines up.
"$OPTIMG" rip -q --offset 600 "$TESTDATA/cdda.cue" -o "$TMP/far.cue"
/usr/bin/python3 -c 'import sys; o = open(sys.argv[1], "rb").read(); f = open(sys.argv[2], "rb").read(); assert f == o[2400:] + bytes(2400)' \
	"$TESTDATA/cdda.bin" "$TMP/far (Track 1).bin" || fail "offset 600"

# A finished dump is not overwritten without --force, nor a new map made.
expect_exit 1 "$OPTIMG" rip "$TESTDATA/cdda.cue" -o "$TMP/cdda/Out.cue"
grep -q "already exists (use --force" "$TMP/err" || fail "exists: $(cat "$TMP/err")"
expect_exit 0 "$OPTIMG" rip -q --force "$TESTDATA/cdda.cue" -o "$TMP/cdda/Out.cue"
same_file "$TESTDATA/cdda.bin" "$TMP/cdda/Out (Track 1).bin"

# A map from another disc or other options is refused, not merged.
mkdir "$TMP/other"
"$OPTIMG" rip -q --inject-faults 5:fail --retries 0 "$TESTDATA/isofs-m1.cue" -o "$TMP/other/X.cue" || true
expect_exit 1 "$OPTIMG" rip "$TESTDATA/cdda.cue" -o "$TMP/other/X.cue"
grep -q "belongs to another disc or other options" "$TMP/err" || fail "foreign map: $(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" rip --offset 6 "$TESTDATA/isofs-m1.cue" -o "$TMP/other/X.cue"
grep -q "belongs to another disc" "$TMP/err" || fail "offset change: $(cat "$TMP/err")"

# Usage errors.
expect_exit 2 "$OPTIMG" rip "$TESTDATA/cdda.cue"
expect_exit 2 "$OPTIMG" rip --offset x "$TESTDATA/cdda.cue" -o "$TMP/u.cue"
expect_exit 2 "$OPTIMG" rip --retries -1 "$TESTDATA/cdda.cue" -o "$TMP/u.cue"
expect_exit 2 "$OPTIMG" rip a b -o "$TMP/u.cue"
expect_exit 1 "$OPTIMG" rip "$TESTDATA/cdda.cue" -o "$TMP/u.img"
grep -q "name it .cue, .iso or .ccd" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" rip "$TMP/missing.cue" -o "$TMP/u.cue"
grep -q "missing.cue" "$TMP/err" || fail "$(cat "$TMP/err")"
# A cue whose <name>.bin is absent: libcdio would read another file.
cp "$TESTDATA/cdda.cue" "$TMP/lonely.cue"
expect_exit 1 "$OPTIMG" rip "$TMP/lonely.cue" -o "$TMP/u.cue"
grep -q "lonely.bin" "$TMP/err" || fail "$(cat "$TMP/err")"
echo ok
