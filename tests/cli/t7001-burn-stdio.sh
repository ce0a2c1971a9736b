#!/bin/sh
# optimg burn onto libburn's stdio: pseudo-drives (files standing in for a
# disc): byte-identical copies, verify, --dummy, --append, a corrupted
# target, and the refusals libburn gives for what only a recorder can do.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

mkdir "$TMP/src" "$TMP/src/sub"
echo hello >"$TMP/src/a.txt"
head -c 300000 /dev/urandom >"$TMP/src/sub/b.bin"
"$MKFIXTURE" iso "$TMP/x.iso" XVOL "$TMP/src/a.txt" "$TMP/src/sub/b.bin" ||
	fail "mkfixture iso"
size=$(wc -c <"$TMP/x.iso")

# An ISO: a byte-identical copy, verified.
expect_exit 0 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/t.img"
grep -q "verified" "$TMP/out" || fail "no verify: $(cat "$TMP/out")"
cmp -n "$size" "$TMP/x.iso" "$TMP/t.img" || fail "burnt copy differs"

# An existing, larger target is cut first (libburn does not truncate).
head -c 2000000 /dev/zero >"$TMP/big.img"
expect_exit 0 "$OPTIMG" burn -q "$TMP/x.iso" --drive "stdio:$TMP/big.img"
[ "$(wc -c <"$TMP/big.img")" -eq "$size" ] || fail "target not truncated"

# --dummy writes nothing: no file appears, an existing one stays as it was.
expect_exit 0 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/d.img" --dummy
[ ! -e "$TMP/d.img" ] || [ ! -s "$TMP/d.img" ] || fail "--dummy wrote data"
printf 'keep' >"$TMP/k.img"
expect_exit 0 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/k.img" --dummy
[ "$(cat "$TMP/k.img")" = keep ] || fail "--dummy touched an existing file"

# A corrupted target: the verify pass names the sector.
cp "$TMP/t.img" "$TMP/c.img"
printf 'XXXX' | dd of="$TMP/c.img" bs=1 seek=$((2048 * 100 + 5)) conv=notrunc \
	2>/dev/null
expect_exit 1 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/c.img" --verify-only
grep -qx "optimg: burn: verify: track 1: 1 bad sector, first at 100" "$TMP/err" ||
	fail "bad sector not named: $(cat "$TMP/err")"
grep -q "verify failed" "$TMP/err" || fail "no verify failure"
expect_exit 0 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/t.img" --verify-only

# --append: a second session after the first, on a 2048 boundary.
expect_exit 0 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/t.img" --append
grep -q "(appended), verified" "$TMP/out" || fail "append: $(cat "$TMP/out")"
grep -q "^optimg: burn: warning: --append: the new session holds only" "$TMP/err" ||
	fail "append did not say what the session holds: $(cat "$TMP/err")"
[ "$(wc -c <"$TMP/t.img")" -eq $((size * 2)) ] || fail "append size"
cmp -n "$size" "$TMP/x.iso" "$TMP/t.img" || fail "append spoilt session 1"
tail -c +$((size + 1)) "$TMP/t.img" >"$TMP/s2.iso"
same_file "$TMP/x.iso" "$TMP/s2.iso"
expect_exit 0 "$OPTIMG" ls "$TMP/s2.iso"
grep -qx "A.TXT" "$TMP/out" || fail "session 2 unreadable: $(cat "$TMP/out")"
expect_exit 0 "$OPTIMG" ls "$TMP/t.img"
grep -qx "A.TXT" "$TMP/out" || fail "session 1 unreadable: $(cat "$TMP/out")"

# What only a recorder can do: libburn's own reason, one line, exit 1.
expect_exit 1 "$OPTIMG" burn "$TMP/x.iso" --drive "stdio:$TMP/m.img" --multisession
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "multi: $(cat "$TMP/err")"
grep -q "multi session capability lacking" "$TMP/err" || fail "multi message"
[ ! -e "$TMP/m.img" ] || fail "refused burn left a file"
expect_exit 1 "$OPTIMG" blank --drive "stdio:$TMP/t.img"
grep -q "^optimg: blank: blanking 'stdio:.*' failed: .*unsuitable for blanking" \
	"$TMP/err" || fail "blank message: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "blank: more than one line"
expect_exit 1 "$OPTIMG" format --drive "stdio:$TMP/t.img"
grep -q "^optimg: format: formatting 'stdio:.*' failed: " "$TMP/err" ||
	fail "format message: $(cat "$TMP/err")"

# A target that is the image itself is refused before anything is written.
cp "$TMP/x.iso" "$TMP/self.iso"
expect_exit 1 "$OPTIMG" burn "$TMP/self.iso" --drive "stdio:$TMP/self.iso"
grep -q "image's own file" "$TMP/err" || fail "self: $(cat "$TMP/err")"
same_file "$TMP/x.iso" "$TMP/self.iso"

# --json without a drive: one document saying why.
expect_exit 1 "$OPTIMG" burn "$TMP/x.iso" --json
grep -q '"message":"no optical drive found"' "$TMP/out" ||
	fail "burn --json: $(cat "$TMP/out")"

# Usage errors.
expect_exit 2 "$OPTIMG" burn
expect_exit 2 "$OPTIMG" burn "$TMP/x.iso" --speed fast
expect_exit 2 "$OPTIMG" burn "$TMP/x.iso" --append --blank
expect_exit 2 "$OPTIMG" blank --fast extra

# drives: this machine has no recorder, which takes one line; a stdio:
# drive is described.
expect_exit 0 "$OPTIMG" drives
if grep -q "^no optical drive found$" "$TMP/out"; then
	[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "drives: $(cat "$TMP/out")"
fi
expect_exit 0 "$OPTIMG" drives --json "stdio:$TMP/t.img"
grep -q '"state":"blank"' "$TMP/out" || fail "drives --json: $(cat "$TMP/out")"
grep -q "\"address\":\"stdio:$TMP/t.img\"" "$TMP/out" || fail "drives address"
echo ok
