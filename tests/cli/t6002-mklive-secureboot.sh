#!/bin/sh
# optimg mklive --secure-boot: Debian's signed shim -> signed CD GRUB ->
# signed kernel boots with OVMF's Secure Boot firmware and Microsoft keys
# from CD and from a USB stick's ESP, to the squashfs marker, and the
# kernel says Secure Boot was on.  With the kernel's signature stripped
# mklive warns and the boot is refused.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/live_lib.sh"
live_need_tools
for f in "$OVMF_SB_CODE" "$OVMF_SB_VARS"; do
	[ -f "$f" ] || skip "$f is missing (ovmf)"
done
[ -f /usr/lib/shim/shimx64.efi.signed ] || skip "shim-signed is not installed"
[ -f /usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed ] ||
	skip "grub-efi-amd64-signed is not installed"
need_tool python3
live_kernel

label=OPTIMG_T6002
marker="squashed-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
live_initramfs "$TMP/initrd.gz" "$label"
mkdir -p "$TMP/root"
{ echo "$marker"; yes "padding padding padding" | head -n 200; } >"$TMP/root/optimg-marker"

"$OPTIMG" mklive -q --secure-boot --kernel "$LIVE_KERNEL" \
	--initrd "$TMP/initrd.gz" --root-dir "$TMP/root" --label "$label" \
	--timeout 1 --cmdline "console=ttyS0,115200" -o "$TMP/sb.iso" \
	2>"$TMP/mklive.err" || { cat "$TMP/mklive.err" >&2; fail "mklive --secure-boot"; }
[ -s "$TMP/mklive.err" ] && { cat "$TMP/mklive.err" >&2; fail "mklive warned about a signed kernel"; }

# The ESP holds shim, the signed GRUB and MokManager under their names.
"$OPTIMG" cat "$TMP/sb.iso" /boot/grub/efi.img >"$TMP/efi.img"
if command -v mdir >/dev/null 2>&1; then
	mdir -i "$TMP/efi.img" -b ::/EFI/BOOT >"$TMP/esp"
	for f in BOOTX64.EFI grubx64.efi mmx64.efi; do
		grep -qi "/$f\$" "$TMP/esp" || { cat "$TMP/esp" >&2; fail "no $f in the ESP"; }
	done
	mtype -i "$TMP/efi.img" ::/EFI/BOOT/BOOTX64.EFI | cmp -s - /usr/lib/shim/shimx64.efi.signed ||
		fail "BOOTX64.EFI is not the signed shim"
fi

want="marker $marker|Secure boot enabled"
live_boot sb-cd 180 sb cd "$TMP/sb.iso" raw "$want" ||
	fail "Secure Boot + CD did not reach the squashfs (see $TMP/sb-cd.log)"
hide_eltorito "$TMP/sb.iso" "$TMP/noet.qcow2"
live_boot sb-usb 180 sb usb "$TMP/noet.qcow2" qcow2 "$want" ||
	fail "Secure Boot + USB did not reach the squashfs (see $TMP/sb-usb.log)"

# ---- a kernel whose signature was stripped is refused ------------------
# Zero the PE certificate table entry (data directory 4) and cut the
# signature off the end, as sbattach --remove does.
python3 - "$LIVE_KERNEL" "$TMP/vmlinuz-unsigned" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', d, 0x3c)[0]
magic = struct.unpack_from('<H', d, pe + 24)[0]
dirs = pe + 24 + (112 if magic == 0x20b else 96)
off, size = struct.unpack_from('<II', d, dirs + 32)
assert off and size, 'the kernel carries no signature to strip'
struct.pack_into('<II', d, dirs + 32, 0, 0)
open(sys.argv[2], 'wb').write(d[:off])
EOF
"$OPTIMG" mklive -q --secure-boot --kernel "$TMP/vmlinuz-unsigned" \
	--initrd "$TMP/initrd.gz" --root-dir "$TMP/root" --label "$label" \
	--timeout 1 --cmdline "console=ttyS0,115200" -o "$TMP/bad.iso" \
	2>"$TMP/bad.err" || { cat "$TMP/bad.err" >&2; fail "mklive (unsigned kernel)"; }
grep -q "carries no signature" "$TMP/bad.err" ||
	{ cat "$TMP/bad.err" >&2; fail "no warning about the unsigned kernel"; }
refused='bad shim signature|Verification failed|Access Denied|Security Violation'
if live_boot sb-refused 120 sb cd "$TMP/bad.iso" raw "marker $marker" "$refused"; then
	fail "an unsigned kernel booted under Secure Boot"
fi
grep -aqF "$marker" "$TMP/sb-refused.log" && fail "the unsigned kernel reached the squashfs"
grep -aqE "$refused" "$TMP/sb-refused.log" ||
	fail "no refusal seen for the unsigned kernel (see $TMP/sb-refused.log)"
exit 0
