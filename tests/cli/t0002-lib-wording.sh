#!/bin/sh
# lib/ words no command-line flag in its string literals: a GUI linking
# liboptimg would show its users flags they cannot type.  Errors carry
# the option they are about (struct optimg_error's about and remedy) and
# the CLI words the hint (the boot recipe too: lib/ returns it as data,
# src/boot_recipe.c words the mkiso line).  The one exception is GRUB's
# own options, which mklive_boot.c writes into grub.cfg ("search
# --no-floppy --file --set=root"): they are taken out of that file's
# lines, and only those.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

cd "$SRCDIR/lib"
find . -name '*.[ch]' | sort >"$TMP/sources"
[ -s "$TMP/sources" ] || fail "no lib sources in $SRCDIR/lib"
# String literals on lines that are not comments, then flags inside them.
# GRUB's options that mklive_boot.c writes into grub.cfg, and no others.
grub_only='/^live\/mklive_boot\.c:/ {
	s/ --no-floppy( |\\)/ GRUB\1/g
	s/ --file( |\\)/ GRUB\1/g
	s/ --set=root( |\\)/ GRUB\1/g
}'
while read -r f; do
	grep -n '"' "$f" | grep -v '^[0-9]*:[[:space:]]*\(/\*\|\*\|//\)' |
	    sed 's|^|'"${f#./}"':|'
done <"$TMP/sources" | sed -E "$grub_only" >"$TMP/strings"
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
