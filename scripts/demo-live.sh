#!/bin/sh
# The demo's last step: a bootable live image of the bundled sample.  A
# real Debian kernel (fetched once with apt-get download, never
# installed) and a small busybox initramfs boot an image whose root file
# system is a squashfs of data/sample; QEMU starts it as a CD on BIOS and
# the live system prints a line that exists only inside that squashfs.
# Run through `make demo` (OPTIMG, BUILDDIR, SRCDIR, DEMO_DIR are set).
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/live_lib.sh"
live_need_tools
live_kernel

label=OPTIMG_SAMPLE_LIVE
live_initramfs "$TMP/initrd.gz" "$label"
mkdir "$TMP/root"
cp -R "$SRCDIR/data/sample/." "$TMP/root/"
echo "data/sample booted as a live system" >"$TMP/root/optimg-marker"

printf '\n\033[1m$ optimg mklive --kernel vmlinuz --initrd initrd.gz --root-dir data/sample -o live.iso\033[0m\n'
SOURCE_DATE_EPOCH=1767225600 "$OPTIMG" mklive -q --kernel "$LIVE_KERNEL" \
	--initrd "$TMP/initrd.gz" --root-dir "$TMP/root" --label "$label" \
	--title "optimg sample" --timeout 1 --cmdline "console=ttyS0,115200" \
	--force -o "$DEMO_DIR/live.iso"
"$OPTIMG" info "$DEMO_DIR/live.iso" | sed -n '/^File system:/,$p'
printf '\n\033[1m$ qemu-system-x86_64 -cdrom live.iso  (BIOS, serial console)\033[0m\n'
live_boot demo-bios-cd 240 bios cd "$DEMO_DIR/live.iso" raw \
	"marker data/sample booted" || fail "the live image did not boot"
grep -a "optimg-init: marker" "$TMP/demo-bios-cd.log"
echo "demo: $DEMO_DIR/live.iso booted to its squashfs (BIOS, as a CD); tests/cli/t6001 boots USB and UEFI too"
