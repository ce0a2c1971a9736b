#!/bin/sh
# `optimg info` on every .cue and .iso of libcdio's test data: a correct
# table for the good ones, one line naming file, line and problem for the
# bad-* sheets.  (bad-dir.iso's fault is in its directories, which the
# file-system reader checks.)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata

# Expected track tables (session track mode start length pregap) for the
# sheets whose layout is known from the files' sizes.
check_table() {
	"$OPTIMG" info "$TESTDATA/$1" >"$TMP/info" 2>"$TMP/err" ||
		fail "info $1: $(cat "$TMP/err")"
	awk '/^  session/ { on = 1; next } on && $1 ~ /^[0-9]+$/ { print $1, $2, $3, $4, $6, $7 }' \
		"$TMP/info" >"$TMP/table"
	printf '%s\n' "$2" >"$TMP/want"
	diff -u "$TMP/want" "$TMP/table" || fail "track table of $1"
}

check_table isofs-m1.cue "1 1 MODE1/2352 0 302 0"
check_table cdda.cue "1 1 AUDIO 0 302 0"
check_table cdda_4_5.cue "1 4 AUDIO 0 150 0
1 5 AUDIO 150 152 0"
check_table p1.cue "1 1 AUDIO 75 75 75
1 2 AUDIO 225 77 75"
check_table copying.iso "1 1 MODE1/2048 0 $(($(stat -c %s "$TESTDATA/copying.iso") / 2048)) 0"

grep -q '^catalog:  0000010271955$' <<EOF2 || fail "cdda.cue catalog"
$("$OPTIMG" info "$TESTDATA/cdda.cue")
EOF2
"$OPTIMG" info "$TESTDATA/cdda.cue" | grep -q 'TITLE       Soft' || fail "cdda.cue track CD-TEXT"
"$OPTIMG" info "$TESTDATA/isofs-m1.cue" | grep -q ' CDROM$' || fail "isofs-m1 volume id"
# p1.cue names BOING.BIN, which does not exist: p1.bin is used, with a warning.
"$OPTIMG" info "$TESTDATA/p1.cue" 2>&1 >/dev/null | grep -q "warning" ||
	fail "p1.cue: no warning about the missing BOING.BIN"

for f in "$TESTDATA"/*.cue "$TESTDATA"/*.iso; do
	name=$(basename "$f")
	set +e
	"$OPTIMG" info "$f" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	case "$name" in
	bad-*.cue)
		[ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1"
		[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$name: more than one line: $(cat "$TMP/err")"
		grep -q "'.*$name' line [0-9][0-9]*: " "$TMP/err" ||
			fail "$name: message lacks file and line: $(cat "$TMP/err")"
		;;
	*)
		[ "$rc" -eq 0 ] || fail "$name: exit $rc: $(cat "$TMP/err")"
		grep -q '^tracks: ' "$TMP/out" || fail "$name: no track count"
		"$OPTIMG" info --json "$f" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["tracks"], d' ||
			fail "$name: --json is not valid JSON with tracks"
		;;
	esac
done
echo ok
