#!/bin/sh
# optimg mklive --root-dir: a live image of a real Debian kernel and a
# test initramfs boots in QEMU to the marker that exists only inside the
# image's squashfs, in four modes: BIOS and UEFI, each from CD and from a
# USB stick.  Built twice with SOURCE_DATE_EPOCH it is byte-identical;
# optimg info shows its boot catalog and partition tables.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/live_lib.sh"
live_need_tools
live_kernel

label=OPTIMG_T6001
marker="squashed-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
live_initramfs "$TMP/initrd.gz" "$label"
mkdir -p "$TMP/root/etc"
# Padded so that the squashfs compresses the marker out of plain sight.
{ echo "$marker"; yes "padding padding padding" | head -n 200; } >"$TMP/root/optimg-marker"
echo "a live system" >"$TMP/root/etc/motd"

export SOURCE_DATE_EPOCH=1700000000
t0=$(date +%s)
"$OPTIMG" mklive -q --kernel "$LIVE_KERNEL" --initrd "$TMP/initrd.gz" \
	--root-dir "$TMP/root" --label "$label" --title "optimg test" \
	--timeout 1 --cmdline "console=ttyS0,115200" -o "$TMP/live.iso" ||
	fail "mklive"
echo "  mklive: $(($(date +%s) - t0)) s" >&2
sleep 1		# a time that leaks in would differ
"$OPTIMG" mklive -q --kernel "$LIVE_KERNEL" --initrd "$TMP/initrd.gz" \
	--root-dir "$TMP/root" --label "$label" --title "optimg test" \
	--timeout 1 --cmdline "console=ttyS0,115200" -o "$TMP/again.iso" ||
	fail "mklive (again)"
same_file "$TMP/live.iso" "$TMP/again.iso"
rm -f "$TMP/again.iso"
unset SOURCE_DATE_EPOCH

# The marker is inside the squashfs only, never in the clear.
grep -aqF "$marker" "$TMP/live.iso" && fail "the marker is readable outside the squashfs"

# What our own reader says: boot catalog, MBR, GPT with the ESP.
"$OPTIMG" info "$TMP/live.iso" >"$TMP/info" || fail "info"
grep -Eq '^ +1 +x86 +bootable +none .*4 sectors.*boot-info-table' "$TMP/info" ||
	{ cat "$TMP/info" >&2; fail "info: no BIOS boot entry"; }
grep -Eq '^ +2 +EFI +bootable' "$TMP/info" || fail "info: no EFI boot entry"
grep -q 'type 0xee' "$TMP/info" || fail "info: no protective MBR"
grep -q "c12a7328-f81f-11d2-ba4b-00a0c93ec93b  'EFI System'" "$TMP/info" ||
	fail "info: no ESP in the GPT"
"$OPTIMG" ls "$TMP/live.iso" /.disk >"$TMP/ls" || fail "ls /.disk"
grep -q '^optimg-[0-9a-f]\{16\}$' "$TMP/ls" || { cat "$TMP/ls" >&2; fail "no id file"; }
id=$(sed -n 's/^optimg-//p' "$TMP/ls")
"$OPTIMG" cat "$TMP/live.iso" /boot/grub/grub.cfg | grep -q "optimg-$id" ||
	fail "grub.cfg does not name the id"
for f in live/vmlinuz live/initrd.img live/filesystem.squashfs \
    isolinux/isolinux.bin isolinux/ldlinux.c32 isolinux/isolinux.cfg \
    boot/grub/efi.img; do
	"$OPTIMG" ls "$TMP/live.iso" "/$f" >/dev/null 2>&1 || fail "no /$f in the image"
done
# The ESP is a FAT file system holding the loader, and fsck finds it sound.
"$OPTIMG" cat "$TMP/live.iso" /boot/grub/efi.img >"$TMP/efi.img"
if command -v fsck.vfat >/dev/null 2>&1; then
	fsck.vfat -n "$TMP/efi.img" >"$TMP/fsck" 2>&1 || { cat "$TMP/fsck" >&2; fail "fsck.vfat"; }
fi
if command -v mdir >/dev/null 2>&1; then
	mdir -i "$TMP/efi.img" -b ::/EFI/BOOT | grep -q 'BOOTX64.EFI' ||
		fail "no EFI/BOOT/BOOTX64.EFI in the ESP"
fi

# ---- the four ways to boot --------------------------------------------
want="marker $marker"
live_boot bios-cd 180 bios cd "$TMP/live.iso" raw "$want" ||
	fail "BIOS + CD did not reach the squashfs (see $TMP/bios-cd.log)"
live_boot bios-usb 180 bios usb "$TMP/live.iso" raw "$want" ||
	fail "BIOS + USB did not reach the squashfs (see $TMP/bios-usb.log)"
live_boot uefi-cd 180 uefi cd "$TMP/live.iso" raw "$want" ||
	fail "UEFI + CD did not reach the squashfs (see $TMP/uefi-cd.log)"
# OVMF also boots the El Torito EFI image from a disk: hide the boot
# record so that only the GPT's ESP can work.
hide_eltorito "$TMP/live.iso" "$TMP/noet.qcow2"
live_boot uefi-usb 180 uefi usb "$TMP/noet.qcow2" qcow2 "$want" ||
	fail "UEFI + USB (the ESP) did not reach the squashfs (see $TMP/uefi-usb.log)"
exit 0
