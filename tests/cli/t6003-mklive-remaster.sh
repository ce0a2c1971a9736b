#!/bin/sh
# optimg mklive --from-iso: a live image in the reference layout, made
# with xorriso as debian-cd makes its images (ISOLINUX, an EFI image file
# exposed through -isohybrid-gpt-basdat, isohdpfx.bin), boots in four
# modes; remastered with --add, --remove and --cmdline it boots in the
# same four, the added file is there, the removed one is not, and the
# kernel got the new parameter.  The Debian-live style with the ESP as
# an appended partition (El Torito pointing into it) is remastered too
# and boots from UEFI CD and stick.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/live_lib.sh"
live_need_tools
need_tool xorriso
live_kernel

label=OPTIMG_T6003
marker="squashed-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
live_initramfs "$TMP/initrd.gz" "$label"
mkdir -p "$TMP/root"
{ echo "$marker"; yes "padding padding padding" | head -n 200; } >"$TMP/root/optimg-marker"

# The reference tree: what mklive lays out, written by xorriso instead.
"$OPTIMG" mklive -q --kernel "$LIVE_KERNEL" --initrd "$TMP/initrd.gz" \
	--root-dir "$TMP/root" --label "$label" --timeout 1 \
	--cmdline "console=ttyS0,115200" -o "$TMP/seed.iso" || fail "mklive"
mkdir "$TMP/tree"
"$OPTIMG" extract -C "$TMP/tree" "$TMP/seed.iso" >/dev/null || fail "extract"
rm -f "$TMP/tree/isolinux/boot.cat" "$TMP/seed.iso"
mkdir -p "$TMP/tree/old"
echo "to be removed" >"$TMP/tree/old/stale.txt"
xorriso -as mkisofs -r -J -joliet-long -V "$label" -o "$TMP/ref.iso" \
	-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -boot-load-size 4 \
	-boot-info-table -no-emul-boot -eltorito-alt-boot \
	-e boot/grub/efi.img -no-emul-boot -isohybrid-gpt-basdat \
	"$TMP/tree" 2>"$TMP/xorriso.err" || { cat "$TMP/xorriso.err" >&2; fail "xorriso"; }

mkdir -p "$TMP/extra/docs"
echo "added by the remaster" >"$TMP/extra/docs/added.txt"
"$OPTIMG" mklive -q --from-iso "$TMP/ref.iso" --add "$TMP/extra" \
	--remove /old --cmdline "optimg.remix=1" -o "$TMP/remix.iso" ||
	fail "mklive --from-iso"
[ "$("$OPTIMG" cat "$TMP/remix.iso" /docs/added.txt)" = "added by the remaster" ] ||
	fail "the added file is not in the remaster"
"$OPTIMG" ls "$TMP/remix.iso" /old >/dev/null 2>&1 && fail "/old was not removed"
"$OPTIMG" cat "$TMP/remix.iso" /isolinux/isolinux.cfg | grep -q 'APPEND .*optimg.remix=1' ||
	fail "--cmdline not in isolinux.cfg"
"$OPTIMG" cat "$TMP/remix.iso" /boot/grub/grub.cfg | grep -q 'linux .*optimg.remix=1' ||
	fail "--cmdline not in grub.cfg"
"$OPTIMG" info "$TMP/remix.iso" >"$TMP/info"
grep -q "volume '$label'" "$TMP/info" || fail "the volume id was not kept"
grep -Eq '^ +1 +x86 +bootable +none .*4 sectors.*boot-info-table' "$TMP/info" ||
	{ cat "$TMP/info" >&2; fail "no BIOS entry with a boot info table"; }
grep -Eq '^ +2 +EFI +bootable' "$TMP/info" || fail "no EFI entry"

# ---- the original and the remaster, each in four modes ---------------
want="marker $marker"
hide_eltorito "$TMP/ref.iso" "$TMP/ref-noet.qcow2"
hide_eltorito "$TMP/remix.iso" "$TMP/remix-noet.qcow2"
for which in ref remix; do
	live_boot $which-bios-cd 180 bios cd "$TMP/$which.iso" raw "$want" ||
		fail "$which: BIOS + CD did not reach the squashfs"
	live_boot $which-bios-usb 180 bios usb "$TMP/$which.iso" raw "$want" ||
		fail "$which: BIOS + USB did not reach the squashfs"
	live_boot $which-uefi-cd 180 uefi cd "$TMP/$which.iso" raw "$want" ||
		fail "$which: UEFI + CD did not reach the squashfs"
	live_boot $which-uefi-usb 180 uefi usb "$TMP/$which-noet.qcow2" qcow2 "$want" ||
		fail "$which: UEFI + USB (partition table alone) did not reach the squashfs"
done
for m in bios-cd bios-usb uefi-cd uefi-usb; do
	grep -aq 'Command line:.*optimg.remix=1' "$TMP/remix-$m.log" ||
		fail "remix $m: the kernel did not get --cmdline"
done

# ---- the ESP as an appended partition (Debian live's newer layout) ---
cp "$TMP/tree/boot/grub/efi.img" "$TMP/esp.img"
rm "$TMP/tree/boot/grub/efi.img"
xorriso -as mkisofs -r -J -V "$label" -o "$TMP/ap.iso" \
	-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-b isolinux/isolinux.bin -c isolinux/boot.cat -boot-load-size 4 \
	-boot-info-table -no-emul-boot \
	-append_partition 2 0xef "$TMP/esp.img" -eltorito-alt-boot \
	-e --interval:appended_partition_2:all:: -no-emul-boot \
	"$TMP/tree" 2>"$TMP/xorriso.err" || { cat "$TMP/xorriso.err" >&2; fail "xorriso (appended)"; }
"$OPTIMG" mklive -q --from-iso "$TMP/ap.iso" --add "$TMP/extra" -o "$TMP/apremix.iso" ||
	fail "mklive --from-iso (appended ESP)"
"$OPTIMG" info "$TMP/apremix.iso" >"$TMP/apinfo"
grep -Eq '^ +2 +status 0x00 +type 0xef ' "$TMP/apinfo" ||
	{ cat "$TMP/apinfo" >&2; fail "the appended ESP is not partition 2 of the remaster"; }
hide_eltorito "$TMP/apremix.iso" "$TMP/apremix-noet.qcow2"
live_boot apremix-uefi-cd 180 uefi cd "$TMP/apremix.iso" raw "$want" ||
	fail "appended-ESP remaster: UEFI + CD did not reach the squashfs"
live_boot apremix-uefi-usb 180 uefi usb "$TMP/apremix-noet.qcow2" qcow2 "$want" ||
	fail "appended-ESP remaster: UEFI + USB did not reach the squashfs"
exit 0
