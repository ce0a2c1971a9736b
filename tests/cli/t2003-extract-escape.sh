#!/bin/sh
# A crafted Rock Ridge image whose names try to leave -C DIR ("../..",
# an absolute name, a directory "..", a symlink to the outside followed
# by a directory of the same name) writes nothing outside DIR: each such
# entry is refused by name, the harmless file is still extracted, and the
# exit status is 1.  Also: existing files are kept without --force.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
/usr/bin/python3 -c 'import pycdlib' 2>/dev/null ||
	skip "pycdlib is not installed (Debian: python3-pycdlib)"

mkdir -p "$TMP/outside" "$TMP/a/b/out"
/usr/bin/python3 "$SRCDIR/tests/cli/fs_mkescape.py" "$TMP/evil.iso" \
    "$TMP/outside"
for force in "" --force; do
	expect_exit 1 "$OPTIMG" extract $force -C "$TMP/a/b/out" \
	    "$TMP/evil.iso"
	for name in "/../../escaped-1" "/$TMP/outside/escaped-2" "/.." \
	    "/link"; do
		grep -F "optimg: extract: refusing '$name': " "$TMP/err" \
		    >/dev/null || fail "'$name' was not refused by name"
	done
	[ "$(wc -l <"$TMP/err")" -eq 4 ] || {
		cat "$TMP/err" >&2
		fail "expected 4 refusals"
	}
	[ -z "$(ls -A "$TMP/outside")" ] || fail "wrote into outside/"
	[ ! -e "$TMP/a/escaped-1" ] && [ ! -e "$TMP/a/b/escaped-1" ] ||
		fail "escaped-1 left the directory"
	[ "$(ls -A "$TMP/a/b")" = out ] || fail "wrote next to out/"
	[ "$(cat "$TMP/a/b/out/good.txt")" = good ] ||
		fail "good.txt was not extracted"
	[ -L "$TMP/a/b/out/link" ] || fail "the symlink itself is missing"
	[ ! -e "$TMP/a/b/out/dotdot-file" ] || fail "dotdot-file extracted"
	chmod -R u+w "$TMP/a/b/out"
	rm -rf "$TMP/a/b/out"
	mkdir "$TMP/a/b/out"
done

# No overwriting without --force; with it, the file is replaced.
mkdir "$TMP/keep"
echo mine >"$TMP/keep/good.txt"
expect_exit 1 "$OPTIMG" extract -C "$TMP/keep" "$TMP/evil.iso" /good.txt
grep -F "'/good.txt' exists (use --force to replace it)" "$TMP/err" \
    >/dev/null || fail "no message about the existing file"
[ "$(cat "$TMP/keep/good.txt")" = mine ] || fail "overwrote without --force"
expect_exit 0 "$OPTIMG" extract --force -C "$TMP/keep" "$TMP/evil.iso" \
    /good.txt
[ "$(cat "$TMP/keep/good.txt")" = good ] || fail "--force did not replace"
chmod -R u+w "$TMP"
echo "ok: nothing left the directory"
