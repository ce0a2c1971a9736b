#!/bin/sh
# Cue sheets as music tools write them: ISRCs with hyphens read as the
# 12 characters, times past 99:59:74 read as written with a warning
# (and shown unwrapped by info),
# FLAGS DATA on an AUDIO track dropped with a warning, a stray keyword in
# the first lines named with its line (not "not a disc image"), junk
# after a FILE type named.  The WAVE files are made here (Python's wave
# module), seeded.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

# a.wav: 300 sectors of seeded noise.
python3 - "$TMP/a.wav" 300 <<'PY'
import random, struct, sys, wave
random.seed(1005)
n = int(sys.argv[2]) * 588          # sectors of 588 stereo frames
w = wave.open(sys.argv[1], "wb")
w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
w.writeframes(bytes(random.getrandbits(8) for _ in range(n * 4)))
w.close()
PY
cat >"$TMP/isrc.cue" <<'CUE'
FILE "a.wav" WAVE
  TRACK 01 AUDIO
    FLAGS DATA PRE
    ISRC AB-CD7-65-43210
    INDEX 01 00:00:00
CUE
expect_exit 0 "$OPTIMG" info --json "$TMP/isrc.cue"
grep -q '"isrc":"ABCD76543210"' "$TMP/out" || fail "isrc: $(cat "$TMP/out")"
grep -q "isrc.cue' line 3: FLAGS DATA on AUDIO track 01 dropped" \
    "$TMP/err" || fail "no FLAGS DATA warning: $(cat "$TMP/err")"
expect_exit 0 "$OPTIMG" info "$TMP/isrc.cue"
grep -q "ABCD76543210" "$TMP/out" || fail "info: $(cat "$TMP/out")"

# A time past 99:59:74: read as written, with a warning (info reads the
# sheet; the index lies past the file, which is its own error).
cat >"$TMP/long.cue" <<'CUE'
FILE "a.wav" WAVE
  TRACK 01 AUDIO
    INDEX 01 00:00:00
  TRACK 02 AUDIO
    INDEX 01 101:28:00
CUE
expect_exit 1 "$OPTIMG" info "$TMP/long.cue"
grep -q "long.cue' line 5: time 101:28:00 is past 99:59:74" "$TMP/err" ||
	fail "no warning for 101:28:00: $(cat "$TMP/err")"
grep -q "not a disc image" "$TMP/err" && fail "long.cue not taken as a sheet"
# With a bin that long (sparse), info shows the time past 100 minutes as
# it is, not wrapped the way a sector header's MSF would be.
truncate -s $((2352 * 460000)) "$TMP/long.bin"
sed 's/FILE "a.wav" WAVE/FILE "long.bin" BINARY/' "$TMP/long.cue" >"$TMP/longbin.cue"
expect_exit 0 "$OPTIMG" info "$TMP/longbin.cue"
grep -Eq '^ +1 +2 +AUDIO +456600 +101:30:00 +3400 ' "$TMP/out" ||
	fail "time past 100 minutes: $(cat "$TMP/out")"
grep -q '^sectors:  460000 (102:13:25)$' "$TMP/out" || fail "length: $(cat "$TMP/out")"

# A stray keyword on line 1 is named with its line.
printf 'PERFROMER "x"\nFILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' \
    >"$TMP/typo.cue"
expect_exit 1 "$OPTIMG" info "$TMP/typo.cue"
grep -q "typo.cue.*line 1: unknown keyword 'PERFROMER'" "$TMP/err" ||
	fail "typo: $(cat "$TMP/err")"

# Junk after the FILE type is named as such.
printf 'FILE "a.wav" WAVE junk\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' \
    >"$TMP/junk.cue"
expect_exit 1 "$OPTIMG" info "$TMP/junk.cue"
grep -q "line 1: unexpected 'junk' after the FILE type WAVE" "$TMP/err" ||
	fail "junk: $(cat "$TMP/err")"
echo "ok: music sheet quirks"
