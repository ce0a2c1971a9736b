#!/bin/sh
# optimg info --boot-recipe: the script it prints, run on the image's
# extracted files, rebuilds an image with the same boot catalog (entries,
# platforms, emulation, load sizes, boot info tables, the files they
# name, the catalog's path) and the same system area (MBR boot code,
# GPT or not, partition types, appended partitions) as the original:
# an image of mklive, one made by xorriso the debian-cd way, and one with
# its ESP appended after the ISO volume (El Torito pointing into it), and
# a GRUB-for-BIOS image (eltorito.img + boot_hybrid.img, as Ubuntu's),
# which a remaster keeps bootable from a stick.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso
ISOLINUX=/usr/lib/ISOLINUX
[ -f "$ISOLINUX/isohdpfx.bin" ] || skip "isolinux is not installed"
[ -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ] || skip "syslinux-common is not installed"
[ -d /usr/lib/grub/x86_64-efi ] || skip "grub-efi-amd64-bin is not installed"
need_tool grub-mkimage

# A stand-in kernel and initrd: the recipe is about the boot setup only.
"$MKFIXTURE" random "$TMP/vmlinuz" 300000 6004
"$MKFIXTURE" random "$TMP/initrd" 200000 6005
SOURCE_DATE_EPOCH=1700000000 "$OPTIMG" mklive -q --kernel "$TMP/vmlinuz" \
	--initrd "$TMP/initrd" --label RECIPE -o "$TMP/live.iso" || fail "mklive"

mkdir "$TMP/tree"
"$OPTIMG" extract -C "$TMP/tree" "$TMP/live.iso" >/dev/null || fail "extract"
rm "$TMP/tree/isolinux/boot.cat"
xorriso -as mkisofs -r -J -V RECIPE -o "$TMP/cd.iso" \
	-isohybrid-mbr "$ISOLINUX/isohdpfx.bin" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -boot-load-size 4 \
	-boot-info-table -no-emul-boot -eltorito-alt-boot \
	-e boot/grub/efi.img -no-emul-boot -isohybrid-gpt-basdat \
	"$TMP/tree" 2>"$TMP/x.err" || { cat "$TMP/x.err" >&2; fail "xorriso"; }
mv "$TMP/tree/boot/grub/efi.img" "$TMP/esp.img"
xorriso -as mkisofs -r -J -V RECIPE -o "$TMP/ap.iso" \
	-isohybrid-mbr "$ISOLINUX/isohdpfx.bin" \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -boot-load-size 4 \
	-boot-info-table -no-emul-boot \
	-append_partition 2 0xef "$TMP/esp.img" -eltorito-alt-boot \
	-e --interval:appended_partition_2:all:: -no-emul-boot \
	"$TMP/tree" 2>"$TMP/x.err" || { cat "$TMP/x.err" >&2; fail "xorriso (appended)"; }

# What the boot setup is, with the places and ids that a new layout
# changes taken out.
boot_setup() {
	"$OPTIMG" info "$1" | sed -n '/El Torito/,$p' |
		sed -E 's/LBA [0-9]+/LBA _/g; s/start [0-9]+ +sectors [0-9]+/start _/;
		    s/[0-9a-f]{8}-[0-9a-f-]{27}/GUID/g; s/ [0-9]+\.\.[0-9]+ / _ /'
}

for name in live cd ap; do
	img="$TMP/$name.iso"
	work="$TMP/rebuild-$name"
	mkdir -p "$work/SOURCE"
	"$OPTIMG" info --boot-recipe "$img" >"$work/recipe.sh" || fail "$name: --boot-recipe"
	grep -q '^optimg mkiso ' "$work/recipe.sh" || { cat "$work/recipe.sh" >&2; fail "$name: no mkiso line"; }
	"$OPTIMG" extract -C "$work/SOURCE" "$img" >/dev/null || fail "$name: extract"
	(cd "$work" && PATH="$(dirname "$OPTIMG"):$PATH" SOURCE=SOURCE OUT=out.iso \
		sh ./recipe.sh) 2>"$work/err" || { cat "$work/recipe.sh" "$work/err" >&2; fail "$name: the recipe failed"; }
	# The catalog: the same entries for the same files.
	xorriso -indev "$img" -report_el_torito plain 2>/dev/null |
		grep -E 'El Torito (boot img|img path|img opts|cat path)' |
		sed -E 's/ +[0-9]+$//' >"$work/orig.et"
	xorriso -indev "$work/out.iso" -report_el_torito plain 2>/dev/null |
		grep -E 'El Torito (boot img|img path|img opts|cat path)' |
		sed -E 's/ +[0-9]+$//' >"$work/new.et"
	if [ "$name" = ap ]; then
		# the appended image is now a hidden file; compare all but its path
		grep -v 'img path :   2' "$work/orig.et" >"$work/o" && mv "$work/o" "$work/orig.et"
		grep -v 'img path :   2' "$work/new.et" >"$work/o" && mv "$work/o" "$work/new.et"
	fi
	diff "$work/orig.et" "$work/new.et" >&2 || fail "$name: the boot catalog differs"
	# The MBR boot code is the same bytes.
	head -c 432 "$img" >"$work/a"
	head -c 432 "$work/out.iso" >"$work/b"
	same_file "$work/a" "$work/b"
done

# Our own image comes back with the same system area, entry for entry.
boot_setup "$TMP/live.iso" >"$TMP/a"
boot_setup "$TMP/rebuild-live/out.iso" >"$TMP/b"
diff "$TMP/a" "$TMP/b" >&2 || fail "live: the boot setup differs"
# The appended ESP is appended again, as the same partition.
boot_setup "$TMP/ap.iso" | grep -E 'type 0x' >"$TMP/a"
boot_setup "$TMP/rebuild-ap/out.iso" | grep -E 'type 0x' >"$TMP/b"
diff "$TMP/a" "$TMP/b" >&2 || fail "ap: the MBR partitions differ"
cmp -s "$TMP/esp.img" "$TMP/rebuild-ap/part2.img" || fail "ap: the recipe cut the ESP wrongly"
# The debian-cd image had a GPT: so has its rebuild.
"$OPTIMG" info "$TMP/rebuild-cd/out.iso" | grep -q '^  GPT:' || fail "cd: no GPT in the rebuild"

# ---- GRUB for BIOS, as Ubuntu's images boot: eltorito.img patched with
# GRUB's own block address, boot_hybrid.img as MBR ---------------------
[ -f /usr/lib/grub/i386-pc/boot_hybrid.img ] || skip "grub-pc-bin is not installed"
g="$TMP/grubtree"
mkdir -p "$g/boot/grub/i386-pc"
printf 'serial --unit=0 --speed=115200\nterminal_output serial console\necho OPTIMG-MARKER-GRUB\nsleep 30\n' \
	>"$g/boot/grub/grub.cfg"
grub-mkimage -O i386-pc-eltorito -p /boot/grub -o "$g/boot/grub/i386-pc/eltorito.img" \
	biosdisk iso9660 part_msdos part_gpt normal echo serial terminal \
	configfile sleep || fail "grub-mkimage"
# (made by mkiso as t4004 does; xorriso only reads it)
"$OPTIMG" mkiso -q -V GRUBHYB "$g" -b boot/grub/i386-pc/eltorito.img \
	--boot-load-size 4 --boot-info-table --grub2-boot-info \
	--boot-catalog boot.catalog \
	--mbr /usr/lib/grub/i386-pc/boot_hybrid.img --gpt -o "$TMP/grub.iso" ||
	fail "mkiso (GRUB)"
work="$TMP/rebuild-grub"
mkdir -p "$work/SOURCE"
"$OPTIMG" info --boot-recipe "$TMP/grub.iso" >"$work/recipe.sh" || fail "grub: --boot-recipe"
grep -q -- '--grub2-boot-info' "$work/recipe.sh" || { cat "$work/recipe.sh" >&2; fail "grub: no --grub2-boot-info"; }
grep -q 'bs=512 count=1 .*boot_hybrid' "$work/recipe.sh" || { cat "$work/recipe.sh" >&2; fail "grub: MBR not taken whole"; }
"$OPTIMG" extract -C "$work/SOURCE" "$TMP/grub.iso" >/dev/null || fail "grub: extract"
(cd "$work" && PATH="$(dirname "$OPTIMG"):$PATH" SOURCE=SOURCE OUT=out.iso \
	sh ./recipe.sh) 2>"$work/err" || { cat "$work/err" >&2; fail "grub: the recipe failed"; }
"$OPTIMG" mklive -q --from-iso "$TMP/grub.iso" -o "$TMP/grub-remix.iso" ||
	fail "grub: mklive --from-iso"
for f in "$work/out.iso" "$TMP/grub-remix.iso"; do
	xorriso -indev "$f" -report_el_torito plain -report_system_area plain \
		2>/dev/null >"$TMP/greport"
	grep -Eq 'img opts : +1 +boot-info-table grub2-boot-info' "$TMP/greport" ||
		{ cat "$TMP/greport" >&2; fail "$f: GRUB patches not kept"; }
	grep -q 'grub2-mbr' "$TMP/greport" || fail "$f: GRUB MBR not kept"
done
# The remaster boots from a stick through boot_hybrid.img, as the original.
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86 is not installed"
. "$SRCDIR/tests/cli/live_lib.sh"
for f in grub grub-remix; do
	live_boot $f-bios-usb 60 bios usb "$TMP/$f.iso" raw OPTIMG-MARKER-GRUB ||
		fail "$f: BIOS + USB did not start GRUB (see $TMP/$f-bios-usb.log)"
	live_boot $f-bios-cd 60 bios cd "$TMP/$f.iso" raw OPTIMG-MARKER-GRUB ||
		fail "$f: BIOS + CD did not start GRUB (see $TMP/$f-bios-cd.log)"
done
exit 0
