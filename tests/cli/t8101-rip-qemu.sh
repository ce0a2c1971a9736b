#!/bin/sh
# optimg rip against real kernel drives: a QEMU guest (TCG) running the
# optimg just built rips images held by QEMU's emulated drives on AHCI
# (ide-cd on q35) and virtio-scsi (scsi-cd).  QEMU's IDE drive returns
# raw sectors with binary MSF headers and zeroed EDC/ECC, its SCSI drive
# has no READ CD (../shared/docs/drive-testing.md), so:
#  - ISO rips of isofs-m1 and of a 100 MB seeded random ISO equal the
#    images byte for byte on both buses (user data from cooked reads);
#  - a BIN/CUE rip of the data CD is refused, and with --reconstruct
#    equals `optimg convert IMAGE x.cue`'s bin and says RECONSTRUCTED;
#  - a 1 GB image is a DVD by GET CONFIGURATION on both buses and rips as
#    one MODE1/2048 track equal to the image;
#  - optimg info /dev/srN shows the disc and the medium's profile;
#  - on PIIX IDE (whose DVD READ STRUCTURE hangs) isofs-m1 rips to an
#    ISO equal to it, and the DVD is a DVD-ROM whose rip starts as one
#    of 2048-byte sectors (a whole second DVD rip would double the time).
# One guest (machine pc with an AHCI controller added) holds every drive.
# Boot and rip wall times are printed; the DVD rips take most of them.  Skips without QEMU or the kernel
# package (fetched once into /var/cache/optimg-test).
set -eu
. "$SRCDIR/tests/cli/lib.sh"
# make distcheck checks the package, after the same tests ran in the
# sanitizer build: ten minutes of guest ripping twice would not fit CI.
[ -z "${OPTIMG_DISTCHECK:-}" ] || skip "QEMU rips run in the sanitizer build, not again under distcheck"
. "$SRCDIR/tests/cli/rip_qemu_lib.sh"
rip_need_tools
need_testdata
rip_kernel
rip_binary
rip_initramfs "$TMP/rip-initrd.gz"

t0=$(date +%s)
"$OPTIMG" convert -q "$TESTDATA/isofs-m1.cue" "$TMP/m1.iso"
"$OPTIMG" convert -q "$TMP/m1.iso" "$TMP/m1.cue"
mkdir "$TMP/src"
seeded_image "$TMP/src/random.dat" 100 t8101-iso
SOURCE_DATE_EPOCH=0 "$OPTIMG" mkiso -q "$TMP/src" -o "$TMP/big.iso"
rm -rf "$TMP/src"
seeded_image "$TMP/dvd.img" 1024 t8101-dvd
echo "  images made in $(($(date +%s) - t0)) s" >&2

# Drives by controller driver and size in 512-byte sectors, as the guest
# labels them.
label() { echo "$1-$(($(stat -c %s "$2") / 512))"; }
steps=
for bus in ahci virtio_scsi; do
	m1=$(label $bus "$TMP/m1.iso")
	big=$(label $bus "$TMP/big.iso")
	dvd=$(label $bus "$TMP/dvd.img")
	steps="$steps${steps:+,}$m1:info,$m1:iso,$m1:cue,$m1:recon,$big:iso,$dvd:info,$dvd:cue"
done
pm1=$(label ata_piix "$TMP/m1.iso")
pdvd=$(label ata_piix "$TMP/dvd.img")
steps="$steps,$pm1:iso,$pdvd:info,$pdvd:start"
cd_drive() {
	echo "-drive file=$1,format=raw,media=cdrom,readonly=on,if=none,id=$2"
}
# shellcheck disable=SC2046
rip_guest both pc 1800 1500 "$steps" -- \
	$(cd_drive "$TMP/m1.iso" p0) -device ide-cd,drive=p0,bus=ide.0 \
	$(cd_drive "$TMP/dvd.img" p1) -device ide-cd,drive=p1,bus=ide.1 \
	-device ahci,id=ahci0 \
	$(cd_drive "$TMP/m1.iso" a0) -device ide-cd,drive=a0,bus=ahci0.0 \
	$(cd_drive "$TMP/big.iso" a1) -device ide-cd,drive=a1,bus=ahci0.1 \
	$(cd_drive "$TMP/dvd.img" a2) -device ide-cd,drive=a2,bus=ahci0.2 \
	-device virtio-scsi-pci,id=scsi0 \
	$(cd_drive "$TMP/m1.iso" s0) -device scsi-cd,drive=s0,bus=scsi0.0,lun=0 \
	$(cd_drive "$TMP/big.iso" s1) -device scsi-cd,drive=s1,bus=scsi0.0,lun=1 \
	$(cd_drive "$TMP/dvd.img" s2) -device scsi-cd,drive=s2,bus=scsi0.0,lun=2
booted=$(sed -n 's/^RIP-BOOTED t=\([0-9.]*\).*/\1/p' "$TMP/both.log" | tr -d '\r')
echo "  guest: ${RIP_WALL} s wall, booted at ${booted} s of guest uptime" >&2

sha() { sha256sum <"$1" | cut -c1-64; }
m1_sha=$(sha "$TMP/m1.iso")
big_sha=$(sha "$TMP/big.iso")
dvd_sha=sha1:$(sha1sum <"$TMP/dvd.img" | cut -c1-40)
bin_sha=$(sha "$TMP/m1.bin")
status=0
says() {	# says LABEL REGEX: the guest's output for LABEL has a match
	rip_report both "$1" | grep -q "$2"
}
check() {	# check WHAT CONDITION...: report, remember a failure
	what=$1
	shift
	if "$@"; then
		echo "  ok    $what" >&2
	else
		echo "  FAIL  $what" >&2
		status=1
	fi
}
for bus in ahci virtio_scsi; do
	m1=$(label $bus "$TMP/m1.iso")
	big=$(label $bus "$TMP/big.iso")
	dvd=$(label $bus "$TMP/dvd.img")
	for l in "$m1:iso" "$big:iso" "$dvd:cue" "$m1:recon"; do
		echo "  $bus $(rip_line both "$l" | cut -d' ' -f2-5)" >&2
	done
	check "$bus: isofs-m1 ISO rip is the image" \
		[ "$(rip_sha both "$m1:iso" x.iso)" = "$m1_sha" ]
	check "$bus: 100 MB ISO rip is the image" \
		[ "$(rip_sha both "$big:iso" x.iso)" = "$big_sha" ]
	check "$bus: info shows a CD-ROM" \
		says "$m1:info" '^medium:   CD-ROM (profile 0x0008)$'
	check "$bus: BIN/CUE rip of the data CD refused" \
		says "$m1:cue" 'sectors cannot be dumped raw: the drive'
	check "$bus: refused with exit 1" \
		[ "$(rip_line both "$m1:cue" | cut -d' ' -f4)" = rc=1 ]
	check "$bus: --reconstruct bin is convert's bin" \
		[ "$(rip_sha both "$m1:recon" 'x_(Track_1).bin')" = "$bin_sha" ]
	check "$bus: --reconstruct says so in the cue sheet" \
		says "$m1:recon" '^REM OPTIMG "RECONSTRUCTED, not a raw dump'
	check "$bus: 1 GB image is a DVD-ROM" \
		says "$dvd:info" '^medium:   DVD-ROM (profile 0x0010)$'
	check "$bus: DVD rips as one MODE1/2048 track" \
		says "$dvd:cue" '^  TRACK 01 MODE1/2048$'
	check "$bus: DVD bin is the image" \
		[ "$(rip_sha both "$dvd:cue" 'x_(Track_1).bin')" = "$dvd_sha" ]
done
for l in "$pm1:iso" "$pdvd:info" "$pdvd:start"; do
	echo "  ata_piix $(rip_line both "$l" | cut -d' ' -f2-5)" >&2
done
check "ata_piix: isofs-m1 ISO rip is the image" \
	[ "$(rip_sha both "$pm1:iso" x.iso)" = "$m1_sha" ]
check "ata_piix: 1 GB image is a DVD-ROM" \
	says "$pdvd:info" '^medium:   DVD-ROM (profile 0x0010)$'
check "ata_piix: the DVD's rip reads 2048-byte sectors" \
	says "$pdvd:start" '^unit 2048$'
[ $status -eq 0 ] || { tr -d '\r' <"$TMP/both.log" | grep -v '^\[' >&2; fail "see above"; }
echo ok
