#!/bin/sh
# optimg mkiso: a hybrid image (ISOLINUX for BIOS, a GRUB EFI image for
# UEFI, isohdpfx.bin MBR, GPT) that xorriso reports as asked and that
# boots in QEMU in four ways: BIOS and UEFI, each from CD and from a USB
# stick.  The same tree without boot options boots in none.
# See ../shared/docs/boot-testing.md for what was learned doing this.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xorriso
need_tool grub-mkstandalone
need_tool mmd
need_tool mcopy
PATH="$PATH:/usr/sbin:/sbin"
need_tool mkfs.vfat
BIOS=/usr/lib/syslinux/modules/bios
ISOLINUX=/usr/lib/ISOLINUX
for f in "$ISOLINUX/isolinux.bin" "$ISOLINUX/isohdpfx.bin" "$BIOS/ldlinux.c32" \
    "$BIOS/cat.c32" "$BIOS/libcom32.c32" "$BIOS/libutil.c32"; do
	[ -f "$f" ] || skip "$f is missing (isolinux, syslinux-common)"
done
[ -d /usr/lib/grub/x86_64-efi ] || skip "grub-efi-amd64-bin is not installed"

# ---- payloads --------------------------------------------------------
cd_dir="$TMP/cd"
mkdir -p "$cd_dir/isolinux" "$cd_dir/boot" "$cd_dir/docs"
cp "$ISOLINUX/isolinux.bin" "$BIOS/ldlinux.c32" "$BIOS/cat.c32" \
	"$BIOS/libcom32.c32" "$BIOS/libutil.c32" "$cd_dir/isolinux/"
# SERIAL applies once the config is read, so a COM32 module prints.
cat >"$cd_dir/isolinux/isolinux.cfg" <<'CFG'
SERIAL 0 115200
PROMPT 0
TIMEOUT 1
DEFAULT marker
LABEL marker
  COM32 cat.c32
  APPEND /isolinux/marker.txt
CFG
echo "OPTIMG-MARKER-BIOS" >"$cd_dir/isolinux/marker.txt"
echo "some content" >"$cd_dir/docs/readme.txt"

printf 'echo OPTIMG-MARKER-UEFI\nsleep 30\n' >"$TMP/grub.cfg"
grub-mkstandalone -O x86_64-efi -o "$TMP/BOOTX64.EFI" \
	--install-modules="normal echo sleep configfile" \
	--modules="normal echo sleep" --locales= --fonts= --themes= \
	"boot/grub/grub.cfg=$TMP/grub.cfg" 2>"$TMP/grub.err" ||
	{ cat "$TMP/grub.err" >&2; fail "grub-mkstandalone"; }
mkfs.vfat -C "$cd_dir/boot/efi.img" 4096 >/dev/null
mmd -i "$cd_dir/boot/efi.img" ::/EFI ::/EFI/BOOT
mcopy -i "$cd_dir/boot/efi.img" "$TMP/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI

"$OPTIMG" mkiso -q -V OPTIMG_BOOT "$cd_dir" \
	-b isolinux/isolinux.bin --boot-load-size 4 --boot-info-table \
	--boot-catalog isolinux/boot.cat --efi-boot boot/efi.img \
	--mbr "$ISOLINUX/isohdpfx.bin" --gpt -o "$TMP/hybrid.iso" ||
	fail "mkiso (hybrid)"
"$OPTIMG" mkiso -q -V OPTIMG_BOOT "$cd_dir" \
	-b isolinux/isolinux.bin --boot-load-size 4 --boot-info-table \
	--efi-boot boot/efi.img --mbr "$ISOLINUX/isohdpfx.bin" \
	-o "$TMP/mbronly.iso" || fail "mkiso (MBR only)"
"$OPTIMG" mkiso -q -V OPTIMG_BOOT "$cd_dir" -o "$TMP/plain.iso" ||
	fail "mkiso (plain)"

# ---- what xorriso reads back -----------------------------------------
xorriso -indev "$TMP/hybrid.iso" -report_el_torito plain \
	-report_system_area plain >"$TMP/report" 2>/dev/null || fail "xorriso report"
grep -Eq 'El Torito boot img :   1  BIOS  y   none  0x0000  0x00 +4 ' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "BIOS entry not reported"; }
grep -Eq 'El Torito boot img :   2  UEFI  y   none  0x0000  0x00 +8192 ' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "UEFI entry not reported"; }
grep -q 'El Torito img path :   1  /isolinux/isolinux.bin' "$TMP/report" ||
	fail "BIOS image path not reported"
grep -q 'El Torito img path :   2  /boot/efi.img' "$TMP/report" ||
	fail "EFI image path not reported"
grep -q 'El Torito cat path : /isolinux/boot.cat' "$TMP/report" ||
	fail "catalog path not reported"
grep -Eq 'GPT type GUID +: +2 +28732ac11ff8d211ba4b00a0c93ec93b' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "no ESP in the GPT"; }
grep -Eq 'GPT partition path : +2 +/boot/efi.img' "$TMP/report" ||
	fail "the ESP is not the EFI boot image"
grep -Eq 'MBR partition +: +1 +0x00 +0xee +1 ' "$TMP/report" ||
	fail "no protective MBR entry"
grep -q 'isohybrid' "$TMP/report" ||
	{ cat "$TMP/report" >&2; fail "MBR not recognised as isohybrid"; }
# The boot info table is in the image's copy of isolinux.bin.
grep -Eq 'El Torito img opts : +1 +boot-info-table' "$TMP/report" ||
	fail "boot info table not detected"

# ---- QEMU -------------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86 is not installed"
command -v qemu-img >/dev/null 2>&1 || skip "qemu-utils is not installed"
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
[ -f "$OVMF_CODE" ] && [ -f "$OVMF_VARS" ] || skip "ovmf is not installed"

# boot NAME MARKER TIMEOUT FIRMWARE(bios|uefi) MEDIUM(cd|usb) IMAGE FORMAT
# Succeeds when MARKER reaches the serial port within TIMEOUT seconds.
boot() {
	name=$1 marker=$2 limit=$3 fw=$4 medium=$5 img=$6 fmt=$7
	log="$TMP/$name.log"
	: >"$log"
	set -- -machine q35 -m 512 -nodefaults -display none -nic none \
		-no-reboot -serial "file:$log"
	if [ "$fw" = uefi ]; then
		cp "$OVMF_VARS" "$TMP/$name.vars"
		set -- "$@" -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
			-drive "if=pflash,format=raw,file=$TMP/$name.vars"
	fi
	if [ "$medium" = cd ]; then
		set -- "$@" -drive "file=$img,format=$fmt,media=cdrom,if=none,id=m,readonly=on" \
			-device ide-cd,drive=m,bootindex=0
	else
		set -- "$@" -drive "file=$img,format=$fmt,if=none,id=m,snapshot=on" \
			-device qemu-xhci -device usb-storage,drive=m,bootindex=0
	fi
	qemu-system-x86_64 "$@" >"$TMP/$name.out" 2>&1 &
	qpid=$!
	t=0
	found=1
	while [ "$t" -lt $((limit * 5)) ]; do
		if grep -q "$marker" "$log" 2>/dev/null; then
			found=0
			break
		fi
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.2
		t=$((t + 1))
	done
	grep -q "$marker" "$log" 2>/dev/null && found=0
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	return $found
}

boot bios-cd OPTIMG-MARKER-BIOS 30 bios cd "$TMP/hybrid.iso" raw ||
	fail "BIOS + CD did not boot (see $TMP/bios-cd.log)"
boot bios-usb OPTIMG-MARKER-BIOS 30 bios usb "$TMP/hybrid.iso" raw ||
	fail "BIOS + USB did not boot (see $TMP/bios-usb.log)"
boot uefi-cd OPTIMG-MARKER-UEFI 60 uefi cd "$TMP/hybrid.iso" raw ||
	fail "UEFI + CD did not boot (see $TMP/uefi-cd.log)"
# OVMF also boots the El Torito EFI image from a disk: blank the boot
# record's identifier in an overlay so that only the GPT ESP can work.
qemu-img create -q -f qcow2 -F raw -b "$TMP/hybrid.iso" "$TMP/noet.qcow2"
qemu-io -f qcow2 -c "write -P 0x20 $((17 * 2048 + 7)) 23" "$TMP/noet.qcow2" >/dev/null
boot uefi-usb OPTIMG-MARKER-UEFI 60 uefi usb "$TMP/noet.qcow2" qcow2 ||
	fail "UEFI + USB (GPT ESP alone) did not boot (see $TMP/uefi-usb.log)"

# Without GPT the ESP is MBR partition 2 (type 0xEF), which must not
# overlap partition 1 for the firmware to accept the table.
qemu-img create -q -f qcow2 -F raw -b "$TMP/mbronly.iso" "$TMP/noet2.qcow2"
qemu-io -f qcow2 -c "write -P 0x20 $((17 * 2048 + 7)) 23" "$TMP/noet2.qcow2" >/dev/null
boot uefi-usb-mbr OPTIMG-MARKER-UEFI 60 uefi usb "$TMP/noet2.qcow2" qcow2 ||
	fail "UEFI + USB (MBR ESP alone) did not boot (see $TMP/uefi-usb-mbr.log)"

# GRUB for BIOS: eltorito.img patched with the boot info table and
# GRUB's own block address (--grub2-boot-info), boot_hybrid.img as MBR.
if [ -f /usr/lib/grub/i386-pc/boot_hybrid.img ] &&
    command -v grub-mkimage >/dev/null 2>&1; then
	g="$TMP/grubcd"
	mkdir -p "$g/boot/grub"
	printf 'serial --unit=0 --speed=115200\nterminal_output serial console\necho OPTIMG-MARKER-GRUB\nsleep 30\n' \
		>"$g/boot/grub/grub.cfg"
	grub-mkimage -O i386-pc-eltorito -p /boot/grub \
		-o "$g/boot/grub/eltorito.img" biosdisk iso9660 part_msdos \
		part_gpt normal echo serial terminal configfile sleep ||
		fail "grub-mkimage"
	"$OPTIMG" mkiso -q "$g" -b boot/grub/eltorito.img --boot-load-size 4 \
		--boot-info-table --grub2-boot-info \
		--mbr /usr/lib/grub/i386-pc/boot_hybrid.img --gpt \
		-o "$TMP/grub.iso" || fail "mkiso (GRUB)"
	xorriso -indev "$TMP/grub.iso" -report_el_torito plain \
		-report_system_area plain 2>/dev/null >"$TMP/greport"
	grep -Eq 'img opts : +1 +boot-info-table grub2-boot-info' "$TMP/greport" ||
		{ cat "$TMP/greport" >&2; fail "GRUB patches not recognised"; }
	grep -q 'grub2-mbr' "$TMP/greport" || fail "GRUB MBR not recognised"
	boot grub-cd OPTIMG-MARKER-GRUB 30 bios cd "$TMP/grub.iso" raw ||
		fail "GRUB BIOS + CD did not boot (see $TMP/grub-cd.log)"
	boot grub-usb OPTIMG-MARKER-GRUB 30 bios usb "$TMP/grub.iso" raw ||
		fail "GRUB BIOS + USB did not boot (see $TMP/grub-usb.log)"
fi

# Without boot options nothing boots.
if boot plain-bios OPTIMG-MARKER 6 bios cd "$TMP/plain.iso" raw; then
	fail "an image without boot options booted (BIOS)"
fi
if boot plain-uefi OPTIMG-MARKER 12 uefi cd "$TMP/plain.iso" raw; then
	fail "an image without boot options booted (UEFI)"
fi
exit 0
