#!/bin/sh
# Malformed, truncated and looping images give one error line and exit 1
# from ls, extract and cat: no crash, no hang.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_testdata
need_tool python3

one_error() {	# LABEL CMD...
	label=$1
	shift
	set +e
	timeout 60 "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	[ $rc -eq 1 ] || { cat "$TMP/err" >&2; fail "$label: exit $rc, not 1"; }
	grep -v '^optimg: [a-z]*: warning: ' "$TMP/err" >"$TMP/errors" || true
	[ "$(wc -l <"$TMP/errors")" -eq 1 ] || {
		cat "$TMP/err" >&2
		fail "$label: not exactly one error line"
	}
	echo "ok: $label: $(cat "$TMP/errors")"
}

every_command() {	# LABEL IMAGE
	one_error "ls $1" "$OPTIMG" ls -lR "$2"
	mkdir -p "$TMP/x"
	one_error "extract $1" "$OPTIMG" extract -C "$TMP/x" "$2"
	chmod -R u+w "$TMP/x"
	rm -rf "$TMP/x"
}

n=0
for img in malformed.iso malformed2.iso bad-dir.iso; do
	[ -f "$TESTDATA/$img" ] || continue
	n=$((n + 1))
	every_command "$img" "$TESTDATA/$img"
done
[ $n -gt 0 ] || skip "no malformed images in $TESTDATA"

if [ -f "$TESTDATA/copying-rr.iso" ]; then
	# Cut inside the directories (LBA 23-25).
	head -c $((24 * 2048 + 100)) "$TESTDATA/copying-rr.iso" \
	    >"$TMP/truncated.iso"
	every_command truncated "$TMP/truncated.iso"
	# Cut inside file data: ls works, reading the file fails.
	head -c $((28 * 2048)) "$TESTDATA/copying-rr.iso" >"$TMP/short.iso"
	one_error "cat truncated file" "$OPTIMG" cat "$TMP/short.iso" \
	    /COPYING
	# /copy's record made to point at the root: a loop.
	python3 - "$TESTDATA/copying-rr.iso" "$TMP/loop.iso" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
root = struct.unpack_from("<I", d, 16 * 2048 + 156 + 2)[0]
p = root * 2048
while d[p]:
    n = d[p + 32]
    if d[p + 33:p + 33 + n] == b"COPY" and d[p + 25] & 2:
        struct.pack_into("<I", d, p + 2, root)
        struct.pack_into(">I", d, p + 6, root)
        break
    p += d[p]
else:
    sys.exit("no COPY record")
open(sys.argv[2], "wb").write(d)
PY
	every_command loop "$TMP/loop.iso"
	grep -F "loops back to LBA" "$TMP/errors" >/dev/null ||
		fail "the loop error does not name the loop"
fi
