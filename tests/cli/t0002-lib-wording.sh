#!/bin/sh
# lib/ words no command-line flag in its string literals: a GUI linking
# liboptimg would show its users flags they cannot type.  Errors carry
# the option they are about (struct optimg_error's about and remedy) and
# the CLI words the hint.  Two files are left out, each for its output's
# sake: mklive_boot.c writes GRUB's own commands ("search --no-floppy")
# into grub.cfg, and mklive_recipe.c's product is an optimg mkiso command
# line (`optimg info --boot-recipe`).
set -eu
. "$SRCDIR/tests/cli/lib.sh"

cd "$SRCDIR/lib"
find . -name '*.[ch]' | sort >"$TMP/sources"
[ -s "$TMP/sources" ] || fail "no lib sources in $SRCDIR/lib"
# String literals on lines that are not comments, then flags inside them.
while read -r f; do
	case $f in
	*/mklive_boot.c|*/mklive_recipe.c) continue ;;
	esac
	grep -n '"' "$f" | grep -v '^[0-9]*:[[:space:]]*\(/\*\|\*\|//\)' |
	    sed 's|^|'"${f#./}"':|'
done <"$TMP/sources" >"$TMP/strings"
[ -s "$TMP/strings" ] || fail "found no string literals at all"
grep -E '"[^"]*(^|[ (:;,])--[a-z][a-z-]+[^"]*"' "$TMP/strings" \
    >"$TMP/flags" || true
grep -E '"[^"]*(use|with|say|pass|give|try) -[a-zA-Z]\b[^"]*"' \
    "$TMP/strings" >>"$TMP/flags" || true
if [ -s "$TMP/flags" ]; then
	cat "$TMP/flags" >&2
	fail "lib/ names command-line flags in $(wc -l <"$TMP/flags") places"
fi
echo "ok: $(wc -l <"$TMP/strings") lines with strings, no flag"
