# Shared by the QEMU rip tests (t81xx): sourced after lib.sh.
#
# A guest (TCG: KVM does not work on this kind of host) of a real Debian
# kernel and a busybox initramfs holding the optimg just built, its
# shared libraries and the dynamic loader; its emulated CD/DVD drives
# hold images made on the host.  The guest rips each drive and reports
# on the serial console, one line each:
#	RIP NAME DEV rc=N t=SECONDS sha256 FILE=HEX ...
# followed by the rip's summary and optimg info's output, and
# RIP-END when it is done.  ../shared/docs/drive-testing.md says what
# each emulated drive does.  The kernel package is fetched once (as
# live_lib.sh does) into $OPTIMG_TEST_CACHE or /var/cache/optimg-test.

PATH="$PATH:/usr/sbin:/sbin"

# The bus drivers, the CD layer and virtio, each after its dependencies;
# a module the kernel has built in is left out.
RIP_MODULES="scsi_common scsi_mod cdrom sr_mod libata libahci ahci ata_piix
 virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
 virtio_scsi"

rip_need_tools() {
	need_tool qemu-system-x86_64
	need_tool apt-get
	need_tool dpkg-deb
	need_tool sha256sum
	need_tool openssl
	[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx cpio ||
		skip "busybox-static is not installed"
	ldd /bin/busybox >/dev/null 2>&1 && skip "/bin/busybox is not static (install busybox-static)"
	return 0
}

# Sets RIP_KERNEL and RIP_MODDIR, fetching the kernel package once.
rip_kernel() {
	cache=${OPTIMG_TEST_CACHE:-/var/cache/optimg-test}
	mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
		cache="$BUILDDIR/test-cache"
	mkdir -p "$cache" || fail "cannot make the cache $cache"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		pkg=$(ls -d "$cache"/linux-image-*-amd64-rip 2>/dev/null | tail -n 1)
		pkg=${pkg##*/}
		pkg=${pkg%-rip}
		[ -n "$pkg" ] || skip "cannot resolve linux-image-amd64 (run apt-get update)"
	fi
	kdir="$cache/$pkg-rip"
	exec 9>"$cache/.lock"
	flock 9
	if [ ! -f "$kdir/complete" ]; then
		echo "fetching $pkg into $cache" >&2
		u="$cache/unpack-rip"
		rm -rf "$kdir" "$u"
		mkdir -p "$u/deb" "$kdir/mod"
		(cd "$u/deb" && apt-get download "$pkg") >"$TMP/apt.log" 2>&1 ||
			{ cat "$TMP/apt.log" >&2; skip "cannot download $pkg"; }
		dpkg-deb -x "$u"/deb/*.deb "$u" || fail "cannot unpack $pkg"
		cp "$u"/boot/vmlinuz-* "$kdir/vmlinuz" || fail "no vmlinuz in $pkg"
		for m in $RIP_MODULES; do
			pat=$(echo "$m" | sed 's/_/[-_]/g')
			f=$(find "$u/lib/modules" -name "$pat.ko*" | head -n 1)
			if [ -z "$f" ]; then
				grep -Eq "/$pat\.ko" "$u"/lib/modules/*/modules.builtin ||
					fail "module $m is not in $pkg"
				continue
			fi
			case $f in
			*.ko.xz) xz -dc "$f" >"$kdir/mod/$m.ko" ;;
			*.ko.zst) zstd -qdc "$f" >"$kdir/mod/$m.ko" ;;
			*) cp "$f" "$kdir/mod/$m.ko" ;;
			esac
		done
		rm -rf "$u"
		touch "$kdir/complete"
	fi
	exec 9>&-
	RIP_KERNEL="$kdir/vmlinuz"
	RIP_MODDIR="$kdir/mod"
}

# The optimg binary make check built, and where its own libraries are:
# a libtool wrapper script stands for src/.libs/optimg.
rip_binary() {
	RIP_BIN=$OPTIMG
	RIP_LIBPATH=
	if head -c 2 "$OPTIMG" | grep -q '#!'; then
		RIP_BIN=$(dirname "$OPTIMG")/.libs/optimg
		RIP_LIBPATH=$BUILDDIR/lib/.libs
	fi
	[ -x "$RIP_BIN" ] || fail "no optimg binary at $RIP_BIN"
}

# rip_initramfs OUT: busybox, the modules, optimg and every shared
# library it loads, and the init below.
rip_initramfs() {
	out=$1
	d="$TMP/initramfs"
	rm -rf "$d"
	mkdir -p "$d/bin" "$d/lib/modules" "$d/lib64" "$d/lib/x86_64-linux-gnu" \
		"$d/proc" "$d/sys" "$d/dev" "$d/out" "$d/usr/lib/optimg"
	cp /bin/busybox "$d/bin/busybox"
	cp "$RIP_MODDIR"/*.ko "$d/lib/modules/"
	for m in $RIP_MODULES; do
		[ -f "$RIP_MODDIR/$m.ko" ] && echo "$m"
	done >"$d/lib/modules/order"
	cp "$RIP_BIN" "$d/bin/optimg"
	LD_LIBRARY_PATH=$RIP_LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
		ldd "$RIP_BIN" | awk '/=> \// { print $3 }' | while read -r lib; do
		cp -L "$lib" "$d/lib/x86_64-linux-gnu/"
	done
	cp -L /lib64/ld-linux-x86-64.so.2 "$d/lib64/"
	cp "$SRCDIR/tests/cli/rip_qemu_init.sh" "$d/init"
	chmod 755 "$d/init"
	(cd "$d" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out" ||
		fail "cannot make the initramfs"
}

# rip_guest NAME MACHINE MEMORY TIMEOUT STEPS -- QEMU DEVICE ARGS...
# Boots the guest with the drives given and waits for RIP-END (or the
# timeout).  STEPS is the guest's work, "DEV:KIND[,DEV:KIND...]" with
# KIND iso, cue, info, for /dev/DEV.  The log is $TMP/NAME.log;
# RIP_WALL is the boot-to-poweroff time in seconds.
rip_guest() {
	name=$1 machine=$2 mem=$3 limit=$4 steps=$5
	shift 6
	log="$TMP/$name.log"
	: >"$log"
	start=$(date +%s)
	qemu-system-x86_64 -accel tcg -machine "$machine" -m "$mem" -smp 1 \
		-nodefaults -display none -nic none -no-reboot \
		-kernel "$RIP_KERNEL" -initrd "$TMP/rip-initrd.gz" \
		-append "console=ttyS0,115200 panic=-1 quiet rip.steps=$steps" \
		-serial "file:$log" "$@" >"$TMP/$name.qemu" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		grep -aq '^RIP-END' "$log" 2>/dev/null && break
		[ $(($(date +%s) - start)) -lt "$limit" ] || break
		sleep 0.5
	done
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	RIP_WALL=$(($(date +%s) - start))
	grep -aq '^RIP-END' "$log" || {
		tail -n 30 "$log" >&2
		cat "$TMP/$name.qemu" >&2
		fail "$name: the guest did not finish in ${limit} s"
	}
}

# rip_line NAME LABEL: the guest's RIP line for LABEL ("sr0:iso").
rip_line() {
	grep -a "^RIP $2 " "$TMP/$1.log" | tr -d '\r' | head -n 1
}

# rip_sha NAME LABEL FILE: the sha256 the guest reported for FILE.
rip_sha() {
	rip_line "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# rip_report NAME LABEL: the guest's output for LABEL.
rip_report() {
	tr -d '\r' <"$TMP/$1.log" | sed -n "/^RIP-OUT $2 /,/^RIP-OUT-END $2\$/p"
}

# seeded_image FILE MB SEED: MB megabytes of reproducible random bytes.
seeded_image() {
	head -c $(($2 * 1048576)) /dev/zero |
		openssl enc -aes-128-ctr -nosalt -pass "pass:$3" -pbkdf2 \
		2>/dev/null >"$1" || fail "cannot make $1"
	[ "$(stat -c %s "$1")" -eq $(($2 * 1048576)) ] || fail "short $1"
}
