#!/bin/sh
# mkiso writes no tree its own reader refuses (issue #15, fault 8): 1,100
# nested directories are refused up front, naming the limit, where mkiso
# used to exit 0 and ls -R / extract then said "deeper than 1024 levels";
# 1,000 levels are written and read back.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool python3

mk_tree() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import os, sys
os.mkdir(sys.argv[1])
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(int(sys.argv[2])):
    os.mkdir("d", dir_fd=fd)
    nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
with open(os.open("f", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
    f.write("deep\n")
PY
}
mk_tree "$TMP/deep" 1100
expect_exit 1 "$OPTIMG" mkiso -q "$TMP/deep" -o "$TMP/deep.iso"
grep -q "deeper than 1024 levels" "$TMP/err" || fail "message: $(cat "$TMP/err")"
[ ! -e "$TMP/deep.iso" ] || fail "an image was written"

mk_tree "$TMP/ok" 1000
"$OPTIMG" mkiso -q "$TMP/ok" -o "$TMP/ok.iso" || fail "mkiso of 1000 levels"
"$OPTIMG" ls -R "$TMP/ok.iso" >"$TMP/ls" || fail "ls -R: $(cat "$TMP/ls" | tail -1)"
grep -q '/f$' "$TMP/ls" || fail "the deepest file is not listed"
echo ok
