#!/bin/sh
# optimg write: every refusal against a fake sysfs and mountinfo built
# here (OPTIMG_SYSROOT), with device nodes made by mknod whose numbers
# belong to no real device; then writes and verifies to a regular file.
set -eu
. "$SRCDIR/tests/cli/lib.sh"

"$MKFIXTURE" iso "$TMP/x.iso" XVOL "$SRCDIR/README.md" >/dev/null ||
	fail "mkfixture iso"
R="$TMP/root"
export OPTIMG_SYSROOT="$R"
mkdir -p "$R/sys/dev/block" "$R/sys/class/block" "$R/proc/self"

# disk NAME MAJ MIN BUS REMOVABLE: a disk under sys/devices/BUS.
disk() {
	d="$R/sys/devices/$4/block/$1"
	mkdir -p "$d/device" "$d/holders" "$d/slaves"
	echo "$2:$3" >"$d/dev"
	echo 2048000 >"$d/size"
	echo "$5" >"$d/removable"
	echo "ACME    " >"$d/device/vendor"
	echo "Stick $1  " >"$d/device/model"
	ln -s "../../devices/$4/block/$1" "$R/sys/dev/block/$2:$3"
	ln -s "../../devices/$4/block/$1" "$R/sys/class/block/$1"
}
# part DISK NAME MAJ MIN BUS
part() {
	d="$R/sys/devices/$5/block/$1/$2"
	mkdir -p "$d/holders"
	echo "$3:$4" >"$d/dev"
	echo 1 >"$d/partition"
	echo 1024000 >"$d/size"
	ln -s "../../devices/$5/block/$1/$2" "$R/sys/dev/block/$3:$4"
	ln -s "../../devices/$5/block/$1/$2" "$R/sys/class/block/$2"
}
node() {
	mknod "$TMP/$1" b "$2" "$3" 2>/dev/null ||
		skip "cannot mknod block devices here"
}

# Major 240 is for local use (LANANA): no driver answers, so nothing
# can be opened, let alone written, if a check let a device through.
disk sda 240 200 pci0/ata1 0			# the system disk
part sda sda2 240 202 pci0/ata1
disk sdz 240 210 pci0/usb1/1-1 1			# a USB stick
part sdz sdz1 240 211 pci0/usb1/1-1
disk sdy 240 215 pci0/usb1/1-2 1			# under LVM holding /home
part sdy sdy1 240 216 pci0/usb1/1-2
disk sdx 240 220 pci0/ata2 0			# a second fixed disk
disk sdw 240 225 pci0/usb1/1-3 1			# a stick mounted as btrfs
part sdw sdw1 240 226 pci0/usb1/1-3
mkdir -p "$R/sys/devices/virtual/block/dm-0/slaves"
echo 253:0 >"$R/sys/devices/virtual/block/dm-0/dev"
ln -s ../../devices/virtual/block/dm-0 "$R/sys/dev/block/253:0"
ln -s ../../devices/virtual/block/dm-0 "$R/sys/class/block/dm-0"
ln -s ../../../../pci0/usb1/1-2/block/sdy/sdy1 \
	"$R/sys/devices/virtual/block/dm-0/slaves/sdy1"
ln -s ../../../../../../virtual/block/dm-0 \
	"$R/sys/devices/pci0/usb1/1-2/block/sdy/sdy1/holders/dm-0"
for n in "sda 240 200" "sda2 240 202" "sdz 240 210" "sdz1 240 211" \
    "sdy 240 215" "sdx 240 220" "sdw 240 225" "nosys 240 230"; do
	node $n
done

cat >"$R/proc/self/mountinfo" <<'EOF2'
20 1 240:202 / / rw,relatime shared:1 - ext4 /dev/sda2 rw
21 20 0:5 / /proc rw - proc proc rw
22 20 253:0 / /home rw - ext4 /dev/mapper/vg-home rw
23 20 0:45 / /media/stick rw - btrfs /dev/sdw1 rw
EOF2

# refuse DEVICE MESSAGE [OPTIONS]: exit 1 with MESSAGE, nothing written.
refuse() {
	dev=$1 msg=$2
	shift 2
	expect_exit 1 "$OPTIMG" write --yes "$@" "$TMP/x.iso" "$TMP/$dev"
	grep -qF "$msg" "$TMP/err" || fail "$dev: expected '$msg', got: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "$dev: $(cat "$TMP/err")"
	[ -b "$TMP/$dev" ] || fail "$dev is no longer a device node"
}

refuse sda "optimg: write: '$TMP/sda' has a mounted file system: sda2 on /; unmount it first"
# A mount that shows its source but not its device number (btrfs).
refuse sdw "has a mounted file system: sdw1 on /media/stick"
# The disk of / is refused even with --force when / is on LVM over one
# of its partitions (so no partition of it is mounted by itself).
mkdir -p "$R/sys/devices/virtual/block/dm-1/slaves"
echo 253:1 >"$R/sys/devices/virtual/block/dm-1/dev"
ln -s ../../devices/virtual/block/dm-1 "$R/sys/dev/block/253:1"
ln -s ../../../../pci0/ata1/block/sda/sda2 \
	"$R/sys/devices/virtual/block/dm-1/slaves/sda2"
sed -i 's|^20 1 240:202 / / .*|20 1 253:1 / / rw - ext4 /dev/mapper/vg-root rw|' \
	"$R/proc/self/mountinfo"
refuse sda "'$TMP/sda' is the disk that holds the running system (/ is on dm-1)" --force
# LVM on the stick: held by dm-0 (mounted on /home through the mapper).
refuse sdy "'$TMP/sdy' has a mounted file system: dm-0 on /home" --force
sed -i '/ \/home /d' "$R/proc/self/mountinfo"
refuse sdy "'$TMP/sdy' is in use: sdy1 is held by dm-0" --force
# A fixed disk, a partition, something sysfs does not know.
refuse sdx "'$TMP/sdx' (ACME Stick sdx, 1.0 GB) is not a removable disk; use --force if you are sure"
refuse sdz1 "'$TMP/sdz1' is a partition of sdz: write the image to the whole disk; use --force if you are sure"
refuse nosys "'$TMP/nosys': device 240:230 is not in sysfs; cannot tell what it is"
# Past every check, the exclusive open is the last gate (nothing is bound
# to these numbers, so it cannot open).
refuse sdz "cannot open '$TMP/sdz'"
refuse sdx "cannot open '$TMP/sdx'" --force
# Not a block device or a file.
expect_exit 1 "$OPTIMG" write --yes "$TMP/x.iso" /dev/null
grep -q "is neither a block device nor a regular file" "$TMP/err" ||
	fail "/dev/null: $(cat "$TMP/err")"
# The mount table must be readable to check anything.
mv "$R/proc/self/mountinfo" "$R/proc/self/mi"
refuse sdz "cannot read '$R/proc/self/mountinfo'"
mv "$R/proc/self/mi" "$R/proc/self/mountinfo"

# A file target: no terminal and no --yes writes nothing.
expect_exit 1 "$OPTIMG" write "$TMP/x.iso" "$TMP/out.img" </dev/null
grep -q "no terminal to confirm on; add --yes" "$TMP/err" || fail "confirm"
[ ! -e "$TMP/out.img" ] || fail "written without confirmation"

# Written, flushed and verified; an existing longer file is replaced.
"$MKFIXTURE" random "$TMP/out.img" 3000000 7004
expect_exit 0 "$OPTIMG" write --yes "$TMP/x.iso" "$TMP/out.img"
grep -q "^wrote '.*' to .*out.img, verified$" "$TMP/out" || fail "$(cat "$TMP/out")"
same_file "$TMP/x.iso" "$TMP/out.img"
grep -q "has no MBR boot code and no GPT: it will not boot from a USB stick" \
	"$TMP/err" || fail "no boot warning: $(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" write --yes "$TMP/x.iso" "$TMP/x.iso"
grep -q "is the image itself" "$TMP/err" || fail "self: $(cat "$TMP/err")"

# An image with MBR boot code: no warning.
cp "$TMP/x.iso" "$TMP/boot.iso"
printf '\372\353\376' | dd of="$TMP/boot.iso" conv=notrunc 2>/dev/null
printf '\125\252' | dd of="$TMP/boot.iso" bs=1 seek=510 conv=notrunc 2>/dev/null
expect_exit 0 "$OPTIMG" write --yes -q "$TMP/boot.iso" "$TMP/boot.img"
! grep -q "boot" "$TMP/err" || fail "warned on a bootable image: $(cat "$TMP/err")"
same_file "$TMP/boot.iso" "$TMP/boot.img"

expect_exit 2 "$OPTIMG" write "$TMP/x.iso"
echo ok
