#!/bin/sh
# --json on the commands that do something: each prints exactly one JSON
# document on stdout that parses, with the common frame (command, ok,
# exit, error, warnings) and its own members; a failure still prints
# one, with ok false and the error's message.  Checked with Python's
# json module, an independent parser.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

mkdir -p "$TMP/src/sub" "$TMP/x"
echo hello >"$TMP/src/a.txt"
"$MKFIXTURE" random "$TMP/src/sub/r.bin" 50000 3
# check NAME KEY=VALUE...: stdout is one document; each key path (a.b)
# has the value Python prints for it.
check() {
	name=$1
	shift
	python3 - "$TMP/out.json" "$@" <<'PY' || fail "$name: $(cat "$TMP/out.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
for k in ("command", "ok", "exit", "error", "warnings"):
    assert k in doc, k
for spec in sys.argv[2:]:
    path, want = spec.split("=", 1)
    v = doc
    for p in path.split("."):
        v = v[int(p)] if isinstance(v, list) else v[p]
    assert str(v) == want, (path, v, want)
PY
}
run() {	# EXIT CMD...
	want=$1
	shift
	expect_exit "$want" "$@"
	mv "$TMP/out" "$TMP/out.json"
}

run 0 "$OPTIMG" mkiso -q --json "$TMP/src" -o "$TMP/a.iso"
check mkiso command=mkiso ok=True exit=0 output.path="$TMP/a.iso" \
    output.bytes="$(stat -c %s "$TMP/a.iso")" output.volume_id=CDROM

run 0 "$OPTIMG" extract -q --json -C "$TMP/x" "$TMP/a.iso"
check extract command=extract ok=True extracted.files=2 \
    extracted.bytes=50006 extracted.failures=0
cmp "$TMP/src/sub/r.bin" "$TMP/x/sub/r.bin"

# A refusal is in "problems" and in "error"; the exit status is 1.
run 1 "$OPTIMG" extract -q --json -C "$TMP/x" "$TMP/a.iso" /a.txt
check extract-exists ok=False exit=1 problems.0.kind=exists \
    problems.0.path=/a.txt \
    "error.message='/a.txt' exists (use --force to replace it)"

run 0 "$OPTIMG" convert -q --json "$TMP/a.iso" "$TMP/a.cue"
check convert command=convert ok=True output.format=cue output.tracks=1 \
    output.bytes="$(stat -c %s "$TMP/a.bin")"
run 1 "$OPTIMG" convert -q --json "$TMP/a.iso" "$TMP/a.cue"
check convert-exists ok=False error.status=-7 error.remedy.0="replace the existing output"

run 0 "$OPTIMG" rip -q --json "$TMP/a.cue" -o "$TMP/r.cue"
check rip command=rip ok=True status=complete \
    files.0.sectors=$(($(stat -c %s "$TMP/a.bin") / 2352)) \
    files.0.hashes.sha1="$(sha1sum <"$TMP/a.bin" | cut -d' ' -f1)"

: >"$TMP/stick.img"
run 0 "$OPTIMG" write -q --yes --json "$TMP/a.iso" "$TMP/stick.img"
check write command=write ok=True verified=True \
    bytes="$(stat -c %s "$TMP/a.iso")" target.regular=True
cmp "$TMP/a.iso" "$TMP/stick.img"

run 0 "$OPTIMG" burn -q --json --drive "stdio:$TMP/burnt.img" "$TMP/a.iso"
check burn command=burn ok=True verified=True bad_sectors=0
run 0 "$OPTIMG" burn -q --json --dry-run "$TMP/a.cue"
check burn-dry-run command=burn ok=True format=cue

run 1 "$OPTIMG" blank -q --json --drive "stdio:$TMP/burnt.img"
check blank command=blank ok=False mode=fast
run 1 "$OPTIMG" format -q --json --drive "stdio:$TMP/burnt.img"
check format command=format ok=False
# info: the frame too, with the warnings stderr shows and the error.
mkdir "$TMP/w"
cp "$TMP/a.bin" "$TMP/w/game.bin"
sed 's/FILE "[^"]*"/FILE "lost.bin"/' "$TMP/a.cue" >"$TMP/w/game.cue"
run 0 "$OPTIMG" info --json "$TMP/w/game.cue"
check info command=info ok=True format=cue \
    "warnings.0='$TMP/w/game.cue' line 1: cannot find 'lost.bin'; using '$TMP/w/game.bin'"
grep -q "warning: .*cannot find 'lost.bin'" "$TMP/err" || fail "info: $(cat "$TMP/err")"
run 1 "$OPTIMG" info --json "$TMP/w/none.cue"
check info-missing command=info ok=False exit=1 error.status=-6
echo "ok: every document parses"
