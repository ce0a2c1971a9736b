#!/bin/sh
# optimg mklive --layout debian|arch|ubuntu puts kernel, initrd and
# squashfs where each distribution's init looks and gives the kernel the
# parameters it expects; arch and ubuntu images (from a ready squashfs,
# --rootfs) boot to the squashfs marker.  Usage errors exit 2.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

# ---- usage and input errors (no boot loaders needed) -----------------
expect_exit 2 "$OPTIMG" mklive -o "$TMP/x.iso"
grep -q "give --kernel and --initrd" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 2 "$OPTIMG" mklive --kernel k --initrd i
grep -q "no output" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 2 "$OPTIMG" mklive --kernel k --initrd i --layout gentoo -o "$TMP/x.iso"
grep -q "debian, arch or ubuntu" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 2 "$OPTIMG" mklive --from-iso a.iso --kernel k -o "$TMP/x.iso"
expect_exit 2 "$OPTIMG" mklive --kernel k --initrd i --remove x -o "$TMP/x.iso"
expect_exit 2 "$OPTIMG" mklive --kernel k --initrd i --rootfs a --root-dir b -o "$TMP/x.iso"
echo k >"$TMP/k"
expect_exit 1 "$OPTIMG" mklive -q --kernel "$TMP/k" --initrd "$TMP/nothere" -o "$TMP/x.iso"
grep -q "cannot use initrd '.*nothere': No such file" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" mklive -q --kernel "$TMP/k" --initrd "$TMP/k" --label "MY LIVE" -o "$TMP/x.iso"
grep -q "label 'MY LIVE' may hold only" "$TMP/err" || fail "$(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" mklive -q --kernel "$TMP/k" --initrd "$TMP/k" \
	--cmdline "$(printf 'quiet\nDEFAULT evil')" -o "$TMP/x.iso"
grep -q "control character" "$TMP/err" || fail "$(cat "$TMP/err")"
[ -e "$TMP/x.iso" ] && fail "a failed mklive left its output"
ls -a "$TMP" | grep -q '^\.optimg-mklive\.' && fail "a failed mklive left its staging directory"

. "$SRCDIR/tests/cli/live_lib.sh"
live_need_tools
live_kernel

label=OPTIMG_T6005
marker="squashed-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
live_initramfs "$TMP/initrd.gz" "$label"
mkdir -p "$TMP/root"
{ echo "$marker"; yes "padding padding padding" | head -n 200; } >"$TMP/root/optimg-marker"
mksquashfs "$TMP/root" "$TMP/root.sfs" -quiet -no-progress >/dev/null || fail "mksquashfs"

for layout in debian arch ubuntu; do
	"$OPTIMG" mklive -q --layout "$layout" --kernel "$LIVE_KERNEL" \
		--initrd "$TMP/initrd.gz" --rootfs "$TMP/root.sfs" --label "$label" \
		--timeout 1 --cmdline "console=ttyS0,115200" -o "$TMP/$layout.iso" ||
		fail "mklive --layout $layout"
	case $layout in
	debian) files="live/vmlinuz live/initrd.img live/filesystem.squashfs"
		params="boot=live components console=ttyS0,115200" ;;
	arch) files="arch/boot/x86_64/vmlinuz-linux arch/boot/x86_64/initramfs-linux.img arch/x86_64/airootfs.sfs"
		params="archisobasedir=arch archisolabel=$label console=ttyS0,115200" ;;
	ubuntu) files="casper/vmlinuz casper/initrd casper/filesystem.squashfs"
		params="boot=casper console=ttyS0,115200" ;;
	esac
	set -- $files
	for f in $files; do
		"$OPTIMG" ls "$TMP/$layout.iso" "/$f" >/dev/null 2>&1 ||
			fail "$layout: no /$f"
	done
	"$OPTIMG" cat "$TMP/$layout.iso" /isolinux/isolinux.cfg >"$TMP/cfg"
	grep -qx "  LINUX /$1" "$TMP/cfg" || fail "$layout: isolinux.cfg: $(cat "$TMP/cfg")"
	grep -qx "  INITRD /$2" "$TMP/cfg" || fail "$layout: isolinux.cfg initrd"
	grep -qx "  APPEND $params" "$TMP/cfg" || fail "$layout: isolinux.cfg: $(cat "$TMP/cfg")"
	"$OPTIMG" cat "$TMP/$layout.iso" /boot/grub/grub.cfg >"$TMP/cfg"
	grep -q "^	linux /$1 $params\$" "$TMP/cfg" || fail "$layout: grub.cfg: $(cat "$TMP/cfg")"
	"$OPTIMG" cat "$TMP/$layout.iso" "/$3" | cmp -s - "$TMP/root.sfs" ||
		fail "$layout: the squashfs is not the one given"
done

want="marker $marker"
live_boot arch-uefi-cd 180 uefi cd "$TMP/arch.iso" raw "$want" ||
	fail "arch layout: UEFI + CD did not reach the squashfs"
live_boot ubuntu-bios-cd 180 bios cd "$TMP/ubuntu.iso" raw "$want" ||
	fail "ubuntu layout: BIOS + CD did not reach the squashfs"
grep -aq "Command line:.*archisolabel=$label" "$TMP/arch-uefi-cd.log" ||
	fail "arch: the kernel did not get archisolabel"
exit 0
