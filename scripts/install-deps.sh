#!/bin/sh
# Installs the Debian packages optimg needs.  Without arguments: what it
# takes to build and run.  With --test: also every reader, writer and
# emulator the test suite checks our output against.  Safe to run again.
set -eu

BUILD="build-essential autoconf automake libtool pkg-config
 libcdio-dev libiso9660-dev libudf-dev libburn-dev libcunit1-dev
 libjson-c-dev libssl-dev zlib1g-dev libexpat1-dev
 liblzma-dev libzstd-dev libflac-dev liblz4-dev libmpg123-dev
 libfuse3-dev fuse3"
TEST="mame-tools ccd2iso python3-lz4 sox xorriso genisoimage cdrdao bchunk p7zip-full libarchive-tools
 libcdio-utils python3 python3-pycdlib clang libclang-rt-14-dev
 isolinux syslinux-common grub-efi-amd64-bin grub-pc-bin grub-common
 mtools dosfstools qemu-system-x86 ovmf qemu-utils bc
 squashfs-tools busybox-static shim-signed grub-efi-amd64-signed
 bash-completion openssl sox lame iat xz-utils zstd gzip
 vcdimager"

pkgs=$BUILD
[ "${1:-}" = "--test" ] && pkgs="$BUILD $TEST"

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get needs it)" >&2
	exit 1
fi
missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $pkgs 2>/dev/null |
	awk '$1 == "ii" { print $2 }' | sort > /tmp/optimg-have.$$;
	for p in $pkgs; do grep -qx "$p" /tmp/optimg-have.$$ || echo "$p"; done;
	rm -f /tmp/optimg-have.$$)
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
