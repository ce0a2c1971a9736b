# Shared by the optimg mount tests (t16xx): sourced after lib.sh.
#
# Every mount is undone in the EXIT trap, whatever the test did, so a
# failed test leaves no mount behind.  need_fuse skips loudly (77) where
# FUSE cannot work: no /dev/fuse (most containers), or a mount refused.

MOUNTS=""

unmount_all() {
	for d in $MOUNTS; do
		if grep -q " $d fuse" /proc/mounts 2>/dev/null; then
			fusermount3 -uz "$d" 2>/dev/null ||
				umount -l "$d" 2>/dev/null || true
		fi
	done
}
trap 'rc=$?; unmount_all; if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi; exit $rc' EXIT

# is_mounted DIR
is_mounted() {
	grep -q " $1 fuse" /proc/mounts
}

# mount_image IMAGE DIR [OPTION...]: optimg mount, remembered for the trap.
mount_image() {
	_img=$1 _dir=$2
	shift 2
	mkdir -p "$_dir"
	MOUNTS="$MOUNTS $_dir"
	"$OPTIMG" mount "$@" "$_img" "$_dir" 2>"$TMP/mount.err" || return 1
	is_mounted "$_dir" || fail "optimg mount returned before '$_dir' was mounted"
}

# unmount DIR: optimg umount, then wait until the server has gone.
unmount() {
	"$OPTIMG" umount "$1" || fail "optimg umount '$1' failed"
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		server_pids "$1" >"$TMP/pids"
		[ -s "$TMP/pids" ] || return 0
		sleep 0.5
	done
	fail "the server of '$1' is still running: $(cat "$TMP/pids")"
}

# server_pids DIR: optimg mount processes serving DIR (by command line).
server_pids() {
	for _p in /proc/[0-9]*; do
		_c=$( { tr '\0' ' ' <"$_p/cmdline"; } 2>/dev/null) || continue
		case $_c in
		*"optimg mount"*" $1 "*|*"optimg mount"*" $1") echo "${_p#/proc/}";;
		esac
	done
}

need_fuse() {
	if [ ! -e /dev/fuse ]; then
		echo "##################################################" >&2
		echo "SKIP: /dev/fuse is absent: optimg mount is NOT tested" >&2
		echo "##################################################" >&2
		exit 77
	fi
	echo "FUSE device: $(ls -l /dev/fuse)"
	if [ "$(id -u)" -ne 0 ] && ! command -v fusermount3 >/dev/null; then
		skip "fusermount3 is not installed (Debian package fuse3): optimg mount is NOT tested"
	fi
	"$MKFIXTURE" iso "$TMP/probe.iso" PROBE >/dev/null
	if ! mount_image "$TMP/probe.iso" "$TMP/probe"; then
		echo "##################################################" >&2
		echo "SKIP: FUSE cannot mount here: $(cat "$TMP/mount.err")" >&2
		echo "##################################################" >&2
		exit 77
	fi
	unmount "$TMP/probe"
}
