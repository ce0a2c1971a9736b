#!/bin/sh
# Outputs appear only when complete; inputs and existing files are safe.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

printf 'data\n' >"$TMP/f.txt"
"$MKFIXTURE" iso "$TMP/a.iso" SAFETY "$TMP/f.txt"
cp "$TMP/a.iso" "$TMP/keep.iso"

# An existing output is kept unless --force.
echo precious >"$TMP/out.cue"
expect_exit 1 "$OPTIMG" convert "$TMP/a.iso" "$TMP/out.cue"
grep -q "already exists (use --force" "$TMP/err" || fail "$(cat "$TMP/err")"
[ "$(cat "$TMP/out.cue")" = precious ] || fail "out.cue was changed"
"$OPTIMG" convert -q --force "$TMP/a.iso" "$TMP/out.cue"
grep -q MODE1/2352 "$TMP/out.cue" || fail "--force did not replace out.cue"

# An input is never an output, even with --force.
expect_exit 1 "$OPTIMG" convert --force "$TMP/a.iso" "$TMP/a.iso"
grep -q "is the input" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" convert --force --to cue "$TMP/out.cue" "$TMP/out.bin"
same_file "$TMP/a.iso" "$TMP/keep.iso"

# Missing input, unknown format, unknown output type.
expect_exit 1 "$OPTIMG" convert "$TMP/none.iso" "$TMP/x.cue"
grep -q "cannot open '.*none.iso'" "$TMP/err" || fail "$(cat "$TMP/err")"
head -c 100000 /dev/zero >"$TMP/zero.img"
expect_exit 1 "$OPTIMG" info "$TMP/zero.img"
grep -q "not a disc image optimg knows" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" convert "$TMP/a.iso" "$TMP/x.img"
grep -q "cannot tell the output format" "$TMP/err" || fail "$(cat "$TMP/err")"
[ -z "$(ls -A "$TMP" | grep '\.part$')" ] || fail "temporary files left"

# Ctrl-C during a long conversion leaves no output and no temporary file.
cp "$TMP/a.iso" "$TMP/big.iso"
truncate -s 6G "$TMP/big.iso"
mkdir "$TMP/int"
"$OPTIMG" convert "$TMP/big.iso" "$TMP/int/big.cue" 2>"$TMP/err" &
pid=$!
sleep 1
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "interrupted convert exited $rc: $(cat "$TMP/err")"
grep -q "interrupted" "$TMP/err" || fail "$(cat "$TMP/err")"
[ -z "$(ls -A "$TMP/int")" ] || fail "left behind: $(ls -A "$TMP/int")"
echo ok
