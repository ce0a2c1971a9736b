#!/bin/busybox sh
# /init of the QEMU rip tests' guest (rip_qemu_lib.sh): load the drivers,
# then for each DRIVE:KIND of rip.steps= on the kernel command line rip
# that drive with the optimg under test into tmpfs and report on the
# serial console; power off.  DRIVE is DRIVER-SECTORS, the driver of the
# controller the drive hangs on (ahci, ata_piix, virtio_scsi) and its
# size in 512-byte sectors, so the host need not guess the kernel's sr
# numbering.  Files up to 256 MB are hashed here with sha256sum; larger
# ones by the SHA-1 the rip's own NAME.hash gives (libcrypto over the
# finished file), as hashing 1 GB again under TCG costs minutes.
/bin/busybox --install -s /bin
export PATH=/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec >/dev/console 2>&1
up() { cut -d' ' -f1 /proc/uptime; }
for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m.ko" 2>/dev/null || echo "RIP-NOTE cannot load $m"
done
steps=
for a in $(cat /proc/cmdline); do
	case $a in rip.steps=*) steps=${a#rip.steps=} ;; esac
done
# The drive labelled $1, as a device name, or nothing.
drive_of() {
	for b in /sys/block/sr*; do
		[ -e "$b" ] || continue
		host=$(readlink -f "$b/device" | sed -n 's|.*/\(host[0-9]*\)/.*|\1|p')
		bus=$(cat "/sys/class/scsi_host/$host/proc_name" 2>/dev/null)
		[ "$bus-$(cat "$b/size")" = "$1" ] && { echo "${b##*/}"; return; }
	done
}
# Every drive named in the steps, within 60 s of uptime.
end=$(($(cut -d. -f1 /proc/uptime) + 60))
for s in $(echo "$steps" | tr ',' ' '); do
	while [ -z "$(drive_of "${s%%:*}")" ] &&
	    [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
		sleep 0.2
	done
done
echo "RIP-BOOTED t=$(up)"
for b in /sys/block/sr*; do
	[ -e "$b" ] || continue
	echo "RIP-DRIVE ${b##*/} $(readlink "$b") sectors=$(cat "$b/size")"
done
mount -t tmpfs -o size=95% tmpfs /out
for s in $(echo "$steps" | tr ',' ' '); do
	label=${s%%:*} kind=${s#*:}
	dev=$(drive_of "$label")
	dir=/out/$label-$kind
	mkdir -p "$dir"
	t0=$(up)
	echo "RIP-OUT $label:$kind "
	case $kind in
	# stderr through a file: no progress line on the console.
	info) optimg info "/dev/$dev" 2>/out/err; rc=$? ;;
	iso|cue) optimg rip "/dev/$dev" -o "$dir/x.$kind" 2>/out/err; rc=$? ;;
	recon) optimg rip --reconstruct "/dev/$dev" -o "$dir/x.cue" 2>/out/err
		rc=$? ;;
	start)	# the first 20 s of a rip, then its map
		timeout -s INT 20 optimg rip "/dev/$dev" -o "$dir/x.cue" 2>/out/err
		rc=$?
		grep -v '^#' "$dir/x.map" ;;
	esac
	cat /out/err
	for f in "$dir"/x.cue "$dir"/x.hash; do
		[ -f "$f" ] && { echo "--- ${f##*/}"; cat "$f"; }
	done
	echo "RIP-OUT-END $label:$kind"
	line="RIP $label:$kind /dev/$dev rc=$rc t=$(awk "BEGIN { print $(up) - $t0 }")"
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		n=${f##*/}
		case $n in *.bin|*.iso) ;; *) continue ;; esac
		if [ "$(stat -c %s "$f")" -le 268435456 ]; then
			h=$(sha256sum "$f" | cut -c1-64)
		else
			h=sha1:$(sed -n "s/.*name=\"$n\".*sha1=\"\([0-9a-f]*\)\".*/\1/p" \
			    "$dir/x.hash")
		fi
		line="$line $(echo "$n" | tr ' ' '_')=$h"
	done
	echo "$line"
	rm -rf "$dir"
done
echo "RIP-END t=$(up)"
poweroff -f
