#!/bin/sh
# optimg mkiso options: graft points, exclude, hide, Joliet lengths, sort
# weights, emulated boot images, appended partitions, MBR-only hybrids.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso
need_tool isoinfo
export LC_ALL=C

s="$TMP/src"
mkdir -p "$s/dir/inner" "$s/other"
echo a >"$s/a.txt"
echo tmp >"$s/dir/junk.tmp"
echo in >"$s/dir/inner/file.txt"
echo secret >"$s/dir/secret.txt"
echo win >"$s/dir/winonly.txt"
long=$(printf 'n%.0s' $(seq 1 95))
echo long >"$s/dir/$long.txt"
head -c 300000 /dev/zero >"$s/dir/heavy.bin"
echo light >"$s/dir/light.bin"
printf 'heavy.bin 100\n*light.bin -5\n' >"$TMP/sort"

"$OPTIMG" mkiso -q "$s/a.txt=docs/" "$s/dir=sub/inner" "$s/other" \
	--exclude '*.tmp' --hide secret.txt --hide-joliet '*winonly*' \
	--sort "$TMP/sort" -o "$TMP/a.iso" || fail "mkiso"
isoinfo -R -f -i "$TMP/a.iso" | sort >"$TMP/rr"
isoinfo -J -f -i "$TMP/a.iso" | sed 's/;1$//' | sort >"$TMP/j"
grep -qx /docs/a.txt "$TMP/rr" || fail "graft of a file into docs/"
grep -qx /sub/inner/inner/file.txt "$TMP/rr" || fail "graft of a directory"
grep -q junk.tmp "$TMP/rr" "$TMP/j" && fail "--exclude ignored"
grep -q secret.txt "$TMP/rr" && fail "--hide ignored"
grep -qx /sub/inner/secret.txt "$TMP/j" || fail "--hide hid from Joliet too"
grep -q winonly "$TMP/j" && fail "--hide-joliet ignored"
grep -qx /sub/inner/winonly.txt "$TMP/rr" || fail "--hide-joliet hid from RR"
grep -qx "/sub/inner/$long.txt" "$TMP/rr" || fail "long RR name"
grep -qx "/sub/inner/$(printf 'n%.0s' $(seq 1 64))" "$TMP/j" ||
	fail "Joliet name not cut to 64 characters"
# Sort weights: heavy.bin first among the files, light.bin last.
xorriso -indev "$TMP/a.iso" -find / -type f -exec report_lba -- 2>/dev/null |
	awk '/File data lba/ { print $6, $NF }' | sort -n >"$TMP/lba"
head -1 "$TMP/lba" | grep -q heavy.bin || { cat "$TMP/lba" >&2; fail "--sort: heavy.bin not first"; }
tail -1 "$TMP/lba" | grep -q light.bin || { cat "$TMP/lba" >&2; fail "--sort: light.bin not last"; }

"$OPTIMG" mkiso -q --joliet-long "$s" -o "$TMP/b.iso"
isoinfo -J -f -i "$TMP/b.iso" | grep -q "/dir/$long.txt" || fail "--joliet-long"
"$OPTIMG" mkiso -q --no-rock --no-joliet "$s" -o "$TMP/c.iso"
isoinfo -d -i "$TMP/c.iso" | grep -Ev '^NO ' | grep -Eq 'Rock Ridge|Joliet' && fail "--no-rock/--no-joliet"

# Emulated boot images and appended partitions.
mkdir "$TMP/boot"
truncate -s 1474560 "$TMP/boot/floppy.img"
truncate -s 4M "$TMP/boot/hd.img"
printf '\203' | dd of="$TMP/boot/hd.img" bs=1 seek=450 conv=notrunc 2>/dev/null
printf '\125\252' | dd of="$TMP/boot/hd.img" bs=1 seek=510 conv=notrunc 2>/dev/null
truncate -s 40M "$TMP/boot/efi.img"
truncate -s 1M "$TMP/part.img"
head -c 432 /dev/zero >"$TMP/mbr.bin"
expect_exit 0 "$OPTIMG" mkiso "$TMP/boot" -b floppy.img --floppy-boot \
	-b hd.img --hard-disk-boot --efi-boot efi.img \
	--mbr "$TMP/mbr.bin" --append-partition 3:83:"$TMP/part.img" -o "$TMP/d.iso"
grep -q "16-bit load size" "$TMP/err" || fail "no warning for a 40 MiB EFI image"
xorriso -indev "$TMP/d.iso" -report_el_torito plain -report_system_area plain \
	>"$TMP/report" 2>/dev/null
grep -Eq 'boot img : +1 +BIOS +y +fd1.4 ' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "floppy emulation"; }
grep -Eq 'boot img : +2 +BIOS +y +hd +0x0000 +0x83' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "hard disk emulation"; }
grep -Eq 'boot img : +3 +UEFI +y +none +0x0000 +0x00 +0 ' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "EFI load size 0"; }
grep -Eq 'MBR partition +: +1 +0x80 +0x17 +0 ' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "MBR partition 1"; }
grep -Eq 'MBR partition +: +2 +0x00 +0xef ' "$TMP/report" ||
	fail "MBR partition 2 (ESP)"
grep -Eq 'MBR partition +: +3 +0x00 +0x83 +[0-9]+ +2048$' "$TMP/report" ||
	fail "appended partition 3"
size=$(stat -c %s "$TMP/d.iso")
[ $((size % 1048576)) -eq 0 ] || fail "hybrid image not padded to 1 MiB"
exit 0
