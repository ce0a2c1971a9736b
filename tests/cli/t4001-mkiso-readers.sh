#!/bin/sh
# optimg mkiso: a seeded random tree (deep, long and non-ASCII names,
# symlinks, hard links, FIFOs, devices as root) read back by every reader
# we can find: xorriso, bsdtar, 7z, isoinfo, pycdlib and optimg itself.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"
GEN="$PY $SRCDIR/tests/cli/mkiso_tree.py"

$GEN gen 4001 "$TMP/src"
"$OPTIMG" mkiso -q -V READERS "$TMP/src" -o "$TMP/a.iso" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "mkiso failed"; }

# xorriso (libisofs): everything, hard links included.
mkdir "$TMP/x"
xorriso -osirrox on:device_files -hardlinks on -indev "$TMP/a.iso" -extract / "$TMP/x" \
	>/dev/null 2>"$TMP/xerr" || { cat "$TMP/xerr" >&2; fail "xorriso extract"; }
$GEN compare "$TMP/src" "$TMP/x" --links || fail "xorriso read back differs"
xorriso -indev "$TMP/a.iso" -check_media -- >/dev/null 2>&1 ||
	fail "xorriso -check_media"

# bsdtar (libarchive): Rock Ridge with CL/RE relocation.
if command -v bsdtar >/dev/null 2>&1; then
	mkdir "$TMP/t"
	bsdtar -x -f "$TMP/a.iso" -C "$TMP/t" 2>"$TMP/terr" ||
		{ cat "$TMP/terr" >&2; fail "bsdtar extract"; }
	rm -f "$TMP/t/." 2>/dev/null || true
	$GEN compare "$TMP/src" "$TMP/t" || fail "bsdtar read back differs"
fi

# optimg's own reader, device numbers included.
mkdir "$TMP/o"
if "$OPTIMG" extract -q -C "$TMP/o" "$TMP/a.iso" 2>"$TMP/oerr"; then
	$GEN compare "$TMP/src" "$TMP/o" || fail "optimg extract differs"
else
	cat "$TMP/oerr" >&2
	fail "optimg extract failed"
fi

# isoinfo: Rock Ridge names of everything not below a relocated directory
# (isoinfo does not follow CL), Joliet names of what Joliet can hold.
if command -v isoinfo >/dev/null 2>&1; then
	export LC_ALL=C
	isoinfo -R -f -i "$TMP/a.iso" | sort >"$TMP/isoinfo-rr"
	$GEN list "$TMP/src" rr | awk -F/ 'NF <= 9' | sort >"$TMP/want-rr"
	missing=$(comm -23 "$TMP/want-rr" "$TMP/isoinfo-rr" | head -5)
	[ -z "$missing" ] || fail "isoinfo -R misses: $missing"
	# isoinfo prints Joliet names in ISO 8859-1 ('_' for the rest).
	isoinfo -J -f -i "$TMP/a.iso" | sed 's/;1$//' | sort >"$TMP/isoinfo-j"
	$GEN list "$TMP/src" joliet-latin1 | sort >"$TMP/want-j"
	missing=$(comm -23 "$TMP/want-j" "$TMP/isoinfo-j" | head -5)
	[ -z "$missing" ] || fail "isoinfo -J misses: $missing"
	isoinfo -d -i "$TMP/a.iso" | grep -q 'Volume id: READERS' ||
		fail "isoinfo -d: volume id"
	isoinfo -d -i "$TMP/a.iso" | grep -q 'Rock Ridge signatures version 1 found' ||
		fail "isoinfo -d: no Rock Ridge"
	isoinfo -d -i "$TMP/a.iso" | grep -q 'Joliet with UCS level 3 found' ||
		fail "isoinfo -d: no Joliet"
fi

# 7z reads Joliet: every file Joliet can name is there, with its bytes.
if command -v 7z >/dev/null 2>&1; then
	mkdir "$TMP/z"
	7z x -y -o"$TMP/z" "$TMP/a.iso" >/dev/null 2>"$TMP/zerr" ||
		{ cat "$TMP/zerr" >&2; fail "7z extract"; }
	$GEN list "$TMP/src" joliet | while IFS= read -r p; do
		if [ -f "$TMP/src$p" ] && [ ! -L "$TMP/src$p" ]; then
			cmp -s "$TMP/src$p" "$TMP/z$p" || { echo "$p"; break; }
		fi
	done >"$TMP/zbad"
	[ ! -s "$TMP/zbad" ] || fail "7z: '$(cat "$TMP/zbad")' differs"
fi

# A chain of 30 directories needs relocations inside relocated subtrees,
# which libarchive cannot connect; xorriso and optimg can.
$GEN deep 30 "$TMP/deep"
"$OPTIMG" mkiso -q "$TMP/deep" -o "$TMP/deep.iso"
mkdir "$TMP/dx" "$TMP/do"
xorriso -osirrox on -indev "$TMP/deep.iso" -extract / "$TMP/dx" >/dev/null 2>&1 ||
	fail "xorriso extract (deep)"
$GEN compare "$TMP/deep" "$TMP/dx" || fail "xorriso read back differs (deep)"
"$OPTIMG" extract -q -C "$TMP/do" "$TMP/deep.iso" || fail "optimg extract (deep)"
$GEN compare "$TMP/deep" "$TMP/do" || fail "optimg read back differs (deep)"

# pycdlib: opens the image, finds Rock Ridge, reads a file back.
$PY - "$TMP/a.iso" "$TMP/src" <<'PYEOF' || fail "pycdlib"
import io, os, sys
try:
    import pycdlib
except ImportError:
    sys.exit(0)
iso = pycdlib.PyCdlib()
iso.open(sys.argv[1])
assert iso.has_rock_ridge(), 'no Rock Ridge'
assert iso.has_joliet(), 'no Joliet'
names = set(c.rock_ridge.name().decode('utf-8')
            for c in iso.list_children(rr_path='/')
            if c.rock_ridge is not None and not c.is_dot() and not c.is_dotdot())
want = set(n for n in os.listdir(sys.argv[2]))
assert want <= names, 'pycdlib misses %r' % (want - names)
out = io.BytesIO()
iso.get_file_from_iso_fp(out, rr_path='/level01/level02/level03/level04/level05/level06/level07/level08/level09/level10/level11/bottom.txt')
assert out.getvalue() == b'deep down\n', out.getvalue()
iso.close()
PYEOF
exit 0
