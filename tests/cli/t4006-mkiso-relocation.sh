#!/bin/sh
# optimg mkiso: directories deeper than ISO 9660's 8 levels are moved to a
# relocation directory the way libisofs does it (xorriso -as mkisofs -R
# -rr_reloc_dir rr_moved; plain xorriso and xorrisofs do not relocate at
# all, and genisoimage writes the same layout without marking RR_MOVED):
#   - /RR_MOVED (Rock Ridge "rr_moved") in the root, its own record and its
#     "." and ".." marked RE, so Rock Ridge readers leave it out;
#   - each moved directory inside it under its own ISO name, marked RE, its
#     ".." carrying PL back to the real parent;
#   - in the real parent an empty file record with CL pointing at it;
#   - no entry in the Joliet tree, which has no depth limit.
# The deep tree must appear at its real place in every Rock Ridge reader,
# and rr_moved nowhere in a reader that honours RE.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso
PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import pycdlib' 2>/dev/null ||
	skip "python3-pycdlib is not installed"
REC="$PY $SRCDIR/tests/cli/iso_reloc.py"
export LC_ALL=C

src=$TMP/src
mkdir -p "$src/a/b/c/d/e/f/g/h/i/j"
echo deep >"$src/a/b/c/d/e/f/g/h/i/j/deep.txt"
echo top >"$src/top.txt"
deep=a/b/c/d/e/f/g/h/i/j/deep.txt

# --- The same records as libisofs writes, Joliet off on both sides ------
"$OPTIMG" mkiso -q --no-joliet "$src" -o "$TMP/o.iso"
xorriso -as mkisofs -R -rr_reloc_dir rr_moved -o "$TMP/x.iso" "$src" \
	>/dev/null 2>&1 || fail "xorriso could not write the reference image"
$REC records "$TMP/o.iso" | sort >"$TMP/o.rec"
$REC records "$TMP/x.iso" | sort >"$TMP/x.rec"
diff "$TMP/x.rec" "$TMP/o.rec" >&2 || fail "records differ from xorriso's"
grep -qx '/RR_MOVED rr_moved dir RE' "$TMP/o.rec" || fail "RR_MOVED not marked RE"
grep -qx '/RR_MOVED/H h dir RE' "$TMP/o.rec" || fail "moved H not under its name"
grep -qx '/RR_MOVED/H/.. - dir PL' "$TMP/o.rec" || fail "moved H's .. has no PL"

# isoinfo (cdrkit) reads NM but neither follows CL nor honours RE: it
# shows rr_moved and the placeholder as a file for libisofs' images too,
# so ours must look exactly like xorriso's to it.
if command -v isoinfo >/dev/null 2>&1; then
	isoinfo -R -f -i "$TMP/o.iso" | sort >"$TMP/o.isoinfo"
	isoinfo -R -f -i "$TMP/x.iso" | sort >"$TMP/x.isoinfo"
	diff "$TMP/x.isoinfo" "$TMP/o.isoinfo" >&2 || fail "isoinfo -R differs"
	isoinfo -l -i "$TMP/o.iso" | awk '/^Directory/ || /^-/' \
	    >"$TMP/o.isol" # the placeholder is a plain empty file
	grep -A3 '^Directory listing of /A/B/C/D/E/F/G/$' "$TMP/o.isol" |
	    grep -q '^-.* 0 .* H $' || fail "no empty placeholder H in G"
fi
# 7-Zip reads NM and ignores CL/PL/RE: without Joliet it shows rr_moved
# for libisofs' images too; with Joliet it reads Joliet (below).
if command -v 7z >/dev/null 2>&1; then
	7z l -slt "$TMP/o.iso" | sed -n 's/^Path = //p' | sed 1d | sort >"$TMP/o.7z"
	7z l -slt "$TMP/x.iso" | sed -n 's/^Path = //p' | sed 1d | sort >"$TMP/x.7z"
	diff "$TMP/x.7z" "$TMP/o.7z" >&2 || fail "7z listing differs"
fi

# --- Default image (Joliet on): the deep tree at its real place ---------
"$OPTIMG" mkiso -q "$src" -o "$TMP/a.iso"
no_rr_moved() {
	! grep -qi 'rr_moved' "$2" || fail "$1 shows rr_moved: $(grep -i rr_moved "$2" | head -1)"
	grep -q "$deep" "$2" || fail "$1 does not show $deep"
}

# pycdlib: follows CL to the moved directory, so the Rock Ridge path
# works.  Its Rock Ridge listings do not honour RE (they list rr_moved for
# libisofs' images as well), so only the path is checked.
[ "$($REC cat "$TMP/a.iso" "/$deep")" = deep ] || fail "pycdlib: /$deep"
[ "$($REC cat "$TMP/x.iso" "/$deep")" = deep ] || fail "pycdlib (xorriso's): /$deep"

# libarchive honours RE and CL/PL.
if command -v bsdtar >/dev/null 2>&1; then
	bsdtar -tf "$TMP/a.iso" >"$TMP/bsdtar" || fail "bsdtar -t"
	no_rr_moved bsdtar "$TMP/bsdtar"
fi
# xorriso (libisofs) honours RE and CL/PL.
xorriso -indev "$TMP/a.iso" -find / 2>/dev/null >"$TMP/xorriso"
no_rr_moved xorriso "$TMP/xorriso"
# 7-Zip on the default image reads Joliet, which holds the real tree.
if command -v 7z >/dev/null 2>&1; then
	7z l -slt "$TMP/a.iso" | sed -n 's/^Path = //p' | sed 1d >"$TMP/7z"
	no_rr_moved 7z "$TMP/7z"
fi
# optimg's own reader.
"$OPTIMG" ls -R "$TMP/a.iso" >"$TMP/ls" || fail "optimg ls -R"
no_rr_moved "optimg ls" "$TMP/ls"
mkdir "$TMP/ox"
"$OPTIMG" extract -q -C "$TMP/ox" "$TMP/a.iso" || fail "optimg extract"
diff -r "$src" "$TMP/ox" >&2 || fail "optimg extract differs from the source"

# The Linux kernel's isofs skips RE records in readdir and follows CL;
# checked when this machine can loop-mount (root, iso9660 in the kernel).
if [ "$(id -u)" = 0 ] && grep -qw iso9660 /proc/filesystems 2>/dev/null &&
    mkdir "$TMP/mnt" && mount -o loop,ro "$TMP/o.iso" "$TMP/mnt" 2>/dev/null; then
	(cd "$TMP/mnt" && find . | sed 's|^\./||') >"$TMP/kernel" || true
	umount "$TMP/mnt"
	no_rr_moved "Linux isofs" "$TMP/kernel"
else
	echo "note: Linux isofs not checked (no loop mount of iso9660 here)" >&2
fi

# --- A source rr_moved of its own, and two moved directories named H ----
# libisofs moves the deep ones into the source's /rr_moved, which stays
# visible (no RE on it); libarchive finds the relocation directory by that
# name, so a second one beside it would break it.
src2=$TMP/src2
cp -R "$src" "$src2"
mkdir -p "$src2/rr_moved" "$src2/x/b/c/d/e/f/g/h"
echo mine >"$src2/rr_moved/mine.txt"
echo other >"$src2/x/b/c/d/e/f/g/h/other.txt"
"$OPTIMG" mkiso -q "$src2" -o "$TMP/b.iso"
$REC records "$TMP/b.iso" >"$TMP/b.rec"
grep -qx '/RR_MOVED rr_moved dir' "$TMP/b.rec" || fail "the source's rr_moved changed"
grep -qx '/RR_MOVED/MINE.TXT;1 mine.txt file' "$TMP/b.rec" || fail "mine.txt moved"
grep -qx '/RR_MOVED/H h dir RE' "$TMP/b.rec" || fail "no RR_MOVED/H"
grep -qx '/RR_MOVED/H1 h dir RE' "$TMP/b.rec" || fail "no RR_MOVED/H1"
[ "$(grep -c '^/RR_MOVED[^/]* ' "$TMP/b.rec")" -eq 1 ] ||
	fail "more than one relocation directory"
mkdir "$TMP/bo"
"$OPTIMG" extract -q -C "$TMP/bo" "$TMP/b.iso" || fail "optimg extract (b)"
diff -r "$src2" "$TMP/bo" >&2 || fail "optimg extract (b) differs"
xorriso -osirrox on -indev "$TMP/b.iso" -extract / "$TMP/bx" >/dev/null 2>&1 ||
	fail "xorriso extract (b)"
diff -r "$src2" "$TMP/bx" >&2 || fail "xorriso extract (b) differs"
if command -v bsdtar >/dev/null 2>&1; then
	mkdir "$TMP/bt"
	bsdtar -xf "$TMP/b.iso" -C "$TMP/bt" || fail "bsdtar extract (b)"
	diff -r "$src2" "$TMP/bt" >&2 || fail "bsdtar extract (b) differs"
fi
exit 0
