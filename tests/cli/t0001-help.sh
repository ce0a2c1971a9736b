#!/bin/sh
# The CLI's global behaviour: help, version, usage errors, exit codes.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

expect_exit 0 "$OPTIMG" --help
grep -q '^  convert ' "$TMP/out" || fail "--help does not list convert"
grep -q '^  info ' "$TMP/out" || fail "--help does not list info"

expect_exit 0 "$OPTIMG" --version
grep -q '^optimg [0-9]' "$TMP/out" || fail "--version output: $(cat "$TMP/out")"

expect_exit 2 "$OPTIMG"
expect_exit 2 "$OPTIMG" frobnicate
grep -qx "optimg: 'frobnicate' is not an optimg command" "$TMP/err" ||
	fail "unknown command message: $(cat "$TMP/err")"

for cmd in info convert; do
	expect_exit 0 "$OPTIMG" "$cmd" --help
	grep -q "^usage: optimg $cmd" "$TMP/out" || fail "$cmd --help"
	expect_exit 0 "$OPTIMG" help "$cmd"
	grep -q "^usage: optimg $cmd" "$TMP/out" || fail "help $cmd"
done

expect_exit 2 "$OPTIMG" info
expect_exit 2 "$OPTIMG" info --bogus x.iso
grep -q "unknown option or missing value: '--bogus'" "$TMP/err" ||
	fail "bad option message: $(cat "$TMP/err")"
expect_exit 2 "$OPTIMG" convert only-one-arg
expect_exit 2 "$OPTIMG" convert --to floppy a b
expect_exit 2 "$OPTIMG" convert --data-track 0 a.cue b.iso
expect_exit 2 "$OPTIMG" convert --split a.cue b.iso
grep -q "^optimg: convert: --split applies to BIN/CUE and TOC output" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 2 "$OPTIMG" convert --data-track 1 a.iso b.cue

# Every command in --help has a section in the man page.
for cmd in $("$OPTIMG" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	grep -q "^\.SS \"optimg $cmd" "$SRCDIR/doc/optimg.1" ||
		fail "doc/optimg.1 does not document '$cmd'"
done
echo "ok"
