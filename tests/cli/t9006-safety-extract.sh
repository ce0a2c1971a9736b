#!/bin/sh
# Extraction never harms its input or leaves a file that passes for a
# whole one (issue #15, faults 2 and 9): an image holding a file of its
# own name is not replaced by extract --force; a boot image that cannot
# be written leaves no empty file behind.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

# An image with a file named as the image itself.
mkdir "$TMP/src" "$TMP/d"
printf 'not the image\n' >"$TMP/src/img.iso"
"$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/d/img.iso"
cp "$TMP/d/img.iso" "$TMP/keep.iso"
expect_exit 1 "$OPTIMG" extract --force "$TMP/d/img.iso" -C "$TMP/d"
grep -q "image being read" "$TMP/err" || fail "message: $(cat "$TMP/err")"
same_file "$TMP/d/img.iso" "$TMP/keep.iso"
# A hard link to the image is the image too.
mkdir "$TMP/h"
ln "$TMP/d/img.iso" "$TMP/h/img.iso"
expect_exit 1 "$OPTIMG" extract --force "$TMP/d/img.iso" -C "$TMP/h"
same_file "$TMP/d/img.iso" "$TMP/keep.iso"

# A boot entry whose image lies past the end: refused, no file left.
mkdir "$TMP/bsrc"
head -c 2048 /dev/zero | tr '\0' 'B' >"$TMP/bsrc/boot.img"
"$OPTIMG" mkiso -q "$TMP/bsrc" -b boot.img --boot-catalog boot.cat \
	-o "$TMP/b.iso"
cat_lba=$("$OPTIMG" ls -l "$TMP/b.iso" /boot.cat | awk '{ print $(NF-1) }')
# Initial entry (ECMA El Torito 2.2): load RBA at byte 8 of entry 2.
printf '\377\377\377\177' | dd of="$TMP/b.iso" bs=1 \
	seek=$((cat_lba * 2048 + 32 + 8)) conv=notrunc status=none
mkdir "$TMP/bx"
expect_exit 1 "$OPTIMG" extract --boot-images "$TMP/b.iso" -C "$TMP/bx"
[ ! -e "$TMP/bx/boot-1-x86.img" ] ||
	fail "left $(stat -c %s "$TMP/bx/boot-1-x86.img")-byte boot-1-x86.img"
# SIGKILL in the middle of a file leaves no partial file under its name
# (its data goes to a hidden .NAME.PID.N.part until whole).
mkdir "$TMP/ksrc" "$TMP/kx"
head -c 300000000 /dev/zero >"$TMP/ksrc/big.bin"
"$OPTIMG" mkiso -q "$TMP/ksrc" -o "$TMP/k.iso"
rm -r "$TMP/ksrc"
OPTIMG_EXTRACT_THREADS=0 "$OPTIMG" extract -q "$TMP/k.iso" -C "$TMP/kx" &
pid=$!
n=0
until ls -A "$TMP/kx" | grep -q '^\.big\.bin\..*\.part$'; do
	n=$((n + 1))
	if [ $n -gt 400 ] || ! kill -0 $pid 2>/dev/null; then
		wait $pid || true
		skip "extract finished before it could be killed"
	fi
	sleep 0.01
done
kill -KILL $pid
wait $pid || true
[ ! -e "$TMP/kx/big.bin" ] || fail "a partial big.bin is under its final name"
echo ok
