# Shared by the mklive boot tests (t60xx): sourced after lib.sh.
#
# A real Debian kernel (the generic amd64 one, resolved through the
# linux-image-amd64 metapackage, fetched with apt-get download, never
# installed) and a small initramfs of ours (static busybox plus the
# kernel package's modules for AHCI/CD, xHCI/USB storage, isofs,
# squashfs, loop).  Its init finds the medium by its label, mounts the
# squashfs found where a layout puts it and prints the marker file that
# exists only inside that squashfs to the serial console.
# See ../shared/docs/boot-testing.md for what was learned doing this.

PATH="$PATH:/usr/sbin:/sbin"

live_need_tools() {
	need_tool qemu-system-x86_64
	need_tool qemu-img
	need_tool mksquashfs
	need_tool apt-get
	need_tool dpkg-deb
	[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx cpio ||
		skip "busybox-static is not installed"
	file_is_static=$(LC_ALL=C od -An -c -j 0 -N 4 /bin/busybox | tr -d ' ')
	[ "$file_is_static" = '177ELF' ] || skip "/bin/busybox is not an ELF binary"
	ldd /bin/busybox >/dev/null 2>&1 && skip "/bin/busybox is not static (install busybox-static)"
	for f in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_VARS_4M.fd; do
		[ -f "$f" ] || skip "$f is missing (ovmf)"
	done
	return 0
}

# Modules in load order (each after those it depends on), as
# boot-testing.md lists them for the generic 6.1 kernel.
LIVE_MODULES="scsi_common scsi_mod libata libahci ahci cdrom sr_mod
 crct10dif_common crc_t10dif crc64 crc64_rocksoft t10_pi sd_mod usb_common
 usbcore xhci_hcd xhci_pci usb_storage isofs squashfs loop"

# Sets LIVE_KERNEL (vmlinuz) and LIVE_MODDIR (NAME.ko for LIVE_MODULES),
# fetching the package once into the cache.
live_kernel() {
	cache=${OPTIMG_TEST_CACHE:-/var/cache/optimg-test}
	mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
		cache="$BUILDDIR/test-cache"
	mkdir -p "$cache" || fail "cannot make the cache $cache"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		# no package lists: use what an earlier run cached
		pkg=$(ls -d "$cache"/linux-image-*-amd64 2>/dev/null | tail -n 1)
		pkg=${pkg##*/}
		[ -n "$pkg" ] || skip "cannot resolve linux-image-amd64 (run apt-get update)"
	fi
	kdir="$cache/$pkg"
	# tests running side by side (make -j check) fetch it once
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$cache/.lock"
		flock 9
	fi
	if [ ! -f "$kdir/complete" ]; then
		echo "fetching $pkg into $cache" >&2
		rm -rf "$kdir" "$cache"/"$pkg"_*.deb "$cache/unpack"
		(cd "$cache" && apt-get download "$pkg") >"$TMP/apt.log" 2>&1 ||
			{ cat "$TMP/apt.log" >&2; skip "cannot download $pkg"; }
		mkdir -p "$cache/unpack" "$kdir/mod"
		dpkg-deb -x "$cache"/"$pkg"_*.deb "$cache/unpack" ||
			fail "cannot unpack $pkg"
		cp "$cache"/unpack/boot/vmlinuz-* "$kdir/vmlinuz" ||
			fail "no vmlinuz in $pkg"
		for m in $LIVE_MODULES; do
			pat=$(echo "$m" | sed 's/_/[-_]/g')
			f=$(find "$cache/unpack/lib/modules" -name "$pat.ko*" | head -n 1)
			[ -n "$f" ] || fail "module $m not in $pkg"
			case $f in
			*.ko.xz) xz -dc "$f" >"$kdir/mod/$m.ko" ;;
			*.ko.zst) zstd -qdc "$f" >"$kdir/mod/$m.ko" ;;
			*) cp "$f" "$kdir/mod/$m.ko" ;;
			esac
		done
		rm -rf "$cache/unpack" "$cache"/"$pkg"_*.deb
		touch "$kdir/complete"
	fi
	exec 9>&-
	LIVE_KERNEL="$kdir/vmlinuz"
	LIVE_MODDIR="$kdir/mod"
}

# live_initramfs OUT LABEL: the test initramfs, gzip-compressed cpio.
live_initramfs() {
	out=$1 label=$2
	d="$TMP/initramfs"
	rm -rf "$d"
	mkdir -p "$d/bin" "$d/lib/modules" "$d/proc" "$d/sys" "$d/dev" \
		"$d/medium" "$d/root"
	cp /bin/busybox "$d/bin/busybox"
	cp "$LIVE_MODDIR"/*.ko "$d/lib/modules/"
	echo $LIVE_MODULES >"$d/modules"
	cat >"$d/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "optimg-init: \$*" >/dev/console; }
for m in \$(cat /modules); do
	insmod /lib/modules/\$m.ko 2>/dev/null || say "cannot load \$m"
done
label=$label
# TCG stretches loops: bound the wait by uptime, not by a count.
end=\$((\$(cut -d. -f1 /proc/uptime) + 60))
found=
while [ -z "\$found" ] && [ "\$(cut -d. -f1 /proc/uptime)" -lt "\$end" ]; do
	for dev in /dev/sr[0-9] /dev/sd[a-z] /dev/sd[a-z][0-9]; do
		[ -b "\$dev" ] || continue
		v=\$(dd if="\$dev" bs=1 skip=32808 count=32 2>/dev/null | tr -d ' ')
		[ "\$v" = "\$label" ] || continue
		mount -t iso9660 -o ro "\$dev" /medium 2>/dev/null || continue
		found=\$dev
		break
	done
	[ -n "\$found" ] || sleep 0.3
done
[ -n "\$found" ] || { say "no medium labelled \$label"; poweroff -f; }
say "medium \$found"
for sq in live/filesystem.squashfs casper/filesystem.squashfs \
    arch/x86_64/airootfs.sfs; do
	[ -f "/medium/\$sq" ] || continue
	mount -t squashfs -o loop,ro "/medium/\$sq" /root && break
done
if [ -f /root/optimg-marker ]; then
	say "marker \$(head -n 1 /root/optimg-marker)"
else
	say "no squashfs with a marker"
fi
poweroff -f
EOF
	chmod 755 "$d/init"
	(cd "$d" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out" ||
		fail "cannot make the initramfs"
}

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
OVMF_SB_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
OVMF_SB_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd

# live_boot NAME TIMEOUT FIRMWARE MEDIUM IMAGE FORMAT WANT [STOP]
# FIRMWARE: bios, uefi or sb (Secure Boot, Microsoft keys); MEDIUM: cd
# or usb.  Boots IMAGE until every |-separated fixed string of WANT has
# reached the serial port (success), a line matching the extended
# regular expression STOP has, or TIMEOUT seconds have passed.
# The machine's log is $TMP/NAME.log.  (sh has no locals: the caller's
# name, img, log, fw, medium, fmt, want, stop, start and result change.)
live_boot() {
	name=$1 limit=$2 fw=$3 medium=$4 img=$5 fmt=$6 want=$7 stop=${8:-}
	log="$TMP/$name.log"
	: >"$log"
	set -- -m 1024 -nodefaults -display none -nic none -no-reboot \
		-serial "file:$log"
	case $fw in
	bios)
		set -- -machine q35 "$@" ;;
	uefi)
		cp "$OVMF_VARS" "$TMP/$name.vars"
		set -- -machine q35 "$@" \
			-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
			-drive "if=pflash,format=raw,file=$TMP/$name.vars" ;;
	sb)
		cp "$OVMF_SB_VARS" "$TMP/$name.vars"
		set -- -machine q35,smm=on "$@" \
			-global driver=cfi.pflash01,property=secure,value=on \
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_SB_CODE" \
			-drive "if=pflash,format=raw,unit=1,file=$TMP/$name.vars" ;;
	esac
	if [ "$medium" = cd ]; then
		set -- "$@" -drive "file=$img,format=$fmt,media=cdrom,if=none,id=m,readonly=on" \
			-device ide-cd,drive=m,bootindex=0
	else
		set -- "$@" -drive "file=$img,format=$fmt,if=none,id=m,snapshot=on" \
			-device qemu-xhci -device usb-storage,drive=m,bootindex=0
	fi
	start=$(date +%s)
	qemu-system-x86_64 "$@" >"$TMP/$name.out" 2>&1 &
	qpid=$!
	result=1
	while :; do
		ok=0
		old_ifs=$IFS
		IFS='|'
		for w in $want; do
			grep -aqF "$w" "$log" 2>/dev/null || ok=1
		done
		IFS=$old_ifs
		if [ "$ok" -eq 0 ]; then
			result=0
			break
		fi
		if [ -n "$stop" ] && grep -aqE "$stop" "$log" 2>/dev/null; then
			break
		fi
		kill -0 "$qpid" 2>/dev/null || break
		[ $(($(date +%s) - start)) -lt "$limit" ] || break
		sleep 0.3
	done
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	echo "  $name: $([ $result -eq 0 ] && echo reached || echo "not reached") in $(($(date +%s) - start)) s" >&2
	return $result
}

# hide_eltorito IMAGE OUT.qcow2: an overlay whose boot record is blanked,
# so that UEFI from a disk can only use the partition table's ESP.
hide_eltorito() {
	qemu-img create -q -f qcow2 -F raw -b "$1" "$2"
	qemu-io -f qcow2 -c "write -P 0x20 $((17 * 2048 + 7)) 23" "$2" >/dev/null
}
