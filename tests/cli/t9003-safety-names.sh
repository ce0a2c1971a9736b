#!/bin/sh
# Names and strings from images never reach the terminal raw (issue #15,
# faults 4 and 5): a crafted ISO whose Rock Ridge names hold ESC[31m, a
# newline and invalid UTF-8 lists, shows and extracts with no control
# byte in the output; --json is valid UTF-8 and parses; --raw gives the
# stored bytes to a pipe.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

/usr/bin/python3 - "$TMP/src" <<'PY'
import os, sys
d = sys.argv[1].encode()
os.mkdir(d)
for name in (b"red\x1b[31mname", b"new\nline", b"bad\xff\xfeutf8",
             b"bell\x07cr\rdel\x7f"):
    with open(os.path.join(d, name), "wb") as f:
        f.write(b"x")
os.mkdir(os.path.join(d, b"dir\x1b]0;title\x07"))
with open(os.path.join(d, b"dir\x1b]0;title\x07", b"inner\x1b[2J"), "wb") as f:
    f.write(b"y")
os.symlink(b"\x1b[2Jtarget\n", os.path.join(d, b"link"))
PY
"$OPTIMG" mkiso -q -V 'VOL' "$TMP/src" -o "$TMP/c.iso"

# no_controls FILE WHAT [json]: no byte below 0x20 but the newline, no
# DEL (JSON allows DEL unescaped); all of it valid UTF-8.
no_controls() {
	/usr/bin/python3 - "$1" "${3:-text}" <<'PY' || fail "$2: raw control byte or bad UTF-8: $(od -c "$1" | head -20)"
import sys
b = open(sys.argv[1], "rb").read()
bad = [c for c in b if (c < 0x20 and c != 0x0a) or
       (c == 0x7f and sys.argv[2] != "json")]
b.decode("utf-8")
sys.exit(1 if bad else 0)
PY
}

for args in "ls" "ls -l" "ls -lR" "ls -R" "info"; do
	# shellcheck disable=SC2086
	"$OPTIMG" $args "$TMP/c.iso" >"$TMP/out" 2>"$TMP/err" ||
		fail "$args: $(cat "$TMP/err")"
	no_controls "$TMP/out" "$args"
	no_controls "$TMP/err" "$args (stderr)"
	# The newline in a name does not start a line of its own.
	grep -q '^line' "$TMP/out" && fail "$args: a name broke the line"
done
"$OPTIMG" ls -l "$TMP/c.iso" >"$TMP/out"
grep -qF "'red'\$'\\033''[31mname'" "$TMP/out" || fail "ESC quoting: $(cat "$TMP/out")"
grep -qF "'new'\$'\\n''line'" "$TMP/out" || fail "newline quoting: $(cat "$TMP/out")"
grep -qF "'bad'\$'\\377\\376''utf8'" "$TMP/out" || fail "UTF-8 quoting: $(cat "$TMP/out")"
grep -qF -- "-> \$'\\033''[2Jtarget'\$'\\n'" "$TMP/out" || fail "link target: $(cat "$TMP/out")"

# --raw to a pipe: the bytes as stored.
"$OPTIMG" ls --raw "$TMP/c.iso" >"$TMP/raw"
grep -q "$(printf 'red\033\\[31mname')" "$TMP/raw" || fail "--raw: $(od -c "$TMP/raw" | head)"

# Extract: names are written as stored; messages naming them are escaped.
mkdir "$TMP/x"
"$OPTIMG" extract "$TMP/c.iso" -C "$TMP/x" >"$TMP/out" 2>"$TMP/err" ||
	fail "extract: $(cat "$TMP/err")"
no_controls "$TMP/out" "extract"
no_controls "$TMP/err" "extract (stderr)"
[ -f "$TMP/x/$(printf 'red\033[31mname')" ] || fail "extracted name differs"
expect_exit 1 "$OPTIMG" extract "$TMP/c.iso" -C "$TMP/x"
no_controls "$TMP/out" "extract again"
no_controls "$TMP/err" "extract again (stderr)"
grep -q 'red\\033\[31mname' "$TMP/err" || fail "extract message: $(cat "$TMP/err")"

# JSON parses, strictly, and keeps the bytes beside the repaired text.
for args in "ls --json" "ls -R --json" "info --json"; do
	# shellcheck disable=SC2086
	"$OPTIMG" $args "$TMP/c.iso" >"$TMP/out" || fail "$args"
	/usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' <"$TMP/out" ||
		fail "$args: not JSON: $(head -c 400 "$TMP/out" | od -c | head)"
	no_controls "$TMP/out" "$args" json
done
"$OPTIMG" ls --json "$TMP/c.iso" | /usr/bin/python3 -c '
import json, sys
e = {x["name"]: x for x in json.load(sys.stdin)}
bad = e["bad\ufffd\ufffdutf8"]
assert bytes.fromhex(bad["name_raw"]) == b"bad\xff\xfeutf8", bad
assert "red\x1b[31mname" in e
' || fail "JSON names"
echo ok
