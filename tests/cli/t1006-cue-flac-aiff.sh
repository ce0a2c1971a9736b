#!/bin/sh
# Cue sheets whose FILEs are FLAC or AIFF: info shows each track's length
# from the file, convert writes a bin equal to the PCM that sox (an
# independent decoder) makes of the same file; a FLAC that is not CD
# audio is refused by name; an MP3 sheet lists its track in info and is
# refused by convert and burn in one line.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3
need_tool sox

cd "$TMP"
python3 - <<'PY'
import random, wave
random.seed(1006)
n = 300 * 588                       # 300 sectors of stereo frames
w = wave.open("a.wav", "wb")
w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
w.writeframes(bytes(random.getrandbits(8) for _ in range(n * 4)))
w.close()
PY
sox a.wav a.flac
sox a.wav a.aiff
sox a.flac -t raw -e signed -b 16 -L pcm.raw
for t in FLAC AIFF; do
	ext=$(echo $t | tr 'A-Z' 'a-z')
	printf 'FILE "a.%s" %s\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' \
	    "$ext" $t >"$ext.cue"
	expect_exit 0 "$OPTIMG" info --json "$ext.cue"
	grep -q '"length":300' "$TMP/out" || fail "$t length: $(cat "$TMP/out")"
	expect_exit 0 "$OPTIMG" convert -q "$ext.cue" "out-$ext.cue"
	cmp "out-$ext.bin" pcm.raw || fail "$t: the bin is not the PCM"
done

# Not CD audio: refused, naming the file and what it is.
sox a.wav -r 48000 b.flac
printf 'FILE "b.flac" FLAC\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' >b.cue
expect_exit 1 "$OPTIMG" info b.cue
grep -q "b.cue' line 1: '.*b.flac': 48000 Hz, 2 channels, 16 bits: CD audio is 44100 Hz" \
    "$TMP/err" || fail "48 kHz: $(cat "$TMP/err")"

# MP3 (made by lame): info lists the track with its length (libmpg123),
# convert and burn refuse it in one line as a lossy source.
command -v lame >/dev/null 2>&1 ||
	skip "lame is not installed (the FLAC and AIFF parts passed)"
lame --quiet -b 192 a.wav c.mp3
printf 'FILE "c.mp3" MP3\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' >c.cue
expect_exit 0 "$OPTIMG" info --json c.cue
grep -q '"length":300' "$TMP/out" || fail "mp3 length: $(cat "$TMP/out")"
expect_exit 1 "$OPTIMG" convert -q c.cue c2.cue
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "mp3: $(cat "$TMP/err")"
grep -q "c.cue' line 1: '.*c.mp3' is MP3, a lossy source" "$TMP/err" ||
	fail "mp3: $(cat "$TMP/err")"
[ ! -e c2.cue ] && [ ! -e c2.bin ] || fail "mp3: convert wrote something"
expect_exit 1 "$OPTIMG" burn --dry-run c.cue
grep -q "is MP3, a lossy source" "$TMP/err" || fail "burn: $(cat "$TMP/err")"
echo "ok: FLAC and AIFF read as CD audio, MP3 listed and refused"
