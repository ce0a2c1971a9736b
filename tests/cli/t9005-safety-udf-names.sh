#!/bin/sh
# UDF names are taken as stored (issue #15, fault 7): no Joliet-style
# ";version" or trailing-dot stripping, so '日本;draft.txt', '日本.' and
# '日本' are three files that list and extract as such.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool genisoimage

mkdir "$TMP/src"
for n in '日本;draft.txt' '日本.' '日本' 'a;1'; do
	printf '%s\n' "$n" >"$TMP/src/$n"
done
genisoimage -quiet -udf -o "$TMP/u.iso" "$TMP/src" 2>"$TMP/gen.err" ||
	skip "genisoimage -udf failed: $(cat "$TMP/gen.err")"
# genisoimage writes ';' as '_' in UDF names: put the ';' back in the File
# Identifier Descriptors (their descriptor CRC is not checked by readers).
/usr/bin/python3 - "$TMP/u.iso" <<'PY'
import sys
p = sys.argv[1]
b = open(p, "rb").read()
wide = lambda s: s.encode("utf-16-be")
n = b.count(b"\x10" + wide("日本_draft.txt")) + b.count(b"\x08a_1")
b = b.replace(b"\x10" + wide("日本_draft.txt"), b"\x10" + wide("日本;draft.txt"))
b = b.replace(b"\x08a_1", b"\x08a;1")
assert n == 2, n
open(p, "wb").write(b)
PY
"$OPTIMG" ls --namespace udf "$TMP/u.iso" | LC_ALL=C sort >"$TMP/got"
printf '%s\n' 'a;1' '日本' '日本.' '日本;draft.txt' | LC_ALL=C sort >"$TMP/want"
diff -u "$TMP/want" "$TMP/got" || fail "UDF names changed"
mkdir "$TMP/x"
"$OPTIMG" extract --namespace udf "$TMP/u.iso" -C "$TMP/x" ||
	fail "extract: the names clash"
for n in '日本;draft.txt' '日本.' '日本' 'a;1'; do
	same_file "$TMP/src/$n" "$TMP/x/$n"
done
echo ok
