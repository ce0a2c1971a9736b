#!/bin/sh
# optimg mount and umount refuse clearly: usage errors exit 2; an image
# that cannot be opened, a DIR that is no directory, a corrupt image and
# an umount of what is not mounted are one line each and exit 1, with
# nothing left mounted; with no /dev/fuse (a private /dev, where unshare
# can make one), and with no fusermount3 for a user who is not root, the
# error says so in one line, as does a mount FUSE refuses.  --help teaches.
# The mounting part runs where /dev/fuse exists (here: root, /dev/fuse
# present, as `ls -l /dev/fuse` printed below shows); skips loudly elsewhere.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/mount_lib.sh"

expect_exit 0 "$OPTIMG" mount --help
grep -q "^usage: optimg mount" "$TMP/out" || fail "mount --help"
grep -q "image (Track N).bin" "$TMP/out" || fail "mount --help names no bins"
grep -q "optimg umount" "$TMP/out" || fail "mount --help does not say how to unmount"
expect_exit 0 "$OPTIMG" help umount
grep -q "optimg umount \[--lazy\] DIR" "$TMP/out" || fail "help umount"
"$OPTIMG" --help | grep -q "^  mount " || fail "optimg --help lists no mount"

mkdir "$TMP/d"
"$MKFIXTURE" iso "$TMP/ok.iso" OK >/dev/null
expect_exit 2 "$OPTIMG" mount "$TMP/ok.iso"
expect_exit 2 "$OPTIMG" mount --threads 0 "$TMP/ok.iso" "$TMP/d"
expect_exit 2 "$OPTIMG" mount --bogus "$TMP/ok.iso" "$TMP/d"
expect_exit 2 "$OPTIMG" umount
expect_exit 1 "$OPTIMG" mount "$TMP/none.iso" "$TMP/d"
[ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "missing image: $(cat "$TMP/err")"
grep -q "^optimg: mount: cannot open '.*none.iso': No such file" "$TMP/err" ||
	fail "missing image: $(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" mount "$TMP/ok.iso" "$TMP/ok.iso"
grep -qx "optimg: mount: '.*ok.iso' is not a directory" "$TMP/err" ||
	fail "DIR a file: $(cat "$TMP/err")"

if unshare -m sh -c 'mount -t tmpfs none /dev' 2>/dev/null; then
	unshare -m sh -c 'mount -t tmpfs none /dev && exec "$@"' sh \
	    "$OPTIMG" mount "$TMP/ok.iso" "$TMP/d" >"$TMP/out" 2>"$TMP/err" &&
		fail "mounted without /dev/fuse"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -q "^optimg: mount: cannot use /dev/fuse: No such file or directory" "$TMP/err" ||
		fail "no /dev/fuse: $(cat "$TMP/err")"
	echo "ok: no /dev/fuse: $(cat "$TMP/err")"
else
	echo "NOTE: unshare cannot hide /dev/fuse here: that message is untested" >&2
fi

# No fusermount3 for a user other than root: a private /usr/bin without
# it, a stand-in /dev/fuse the user may open, and setpriv to drop root.
sp=$(command -v setpriv || :)
if [ "$(id -u)" -eq 0 ] && [ -n "$sp" ] &&
    unshare -m sh -c 'mount -t tmpfs none /usr/bin' 2>/dev/null; then
	chmod 755 "$TMP"
	mkdir "$TMP/empty" "$TMP/u"
	# A libtool wrapper (a shared build, as distcheck makes) is a shell
	# script, which cannot start without /usr/bin: run what it wraps.
	bin=$OPTIMG
	if [ "$(head -c 2 "$OPTIMG")" = "#!" ]; then
		bin=$(dirname "$OPTIMG")/.libs/optimg
		LD_LIBRARY_PATH=$BUILDDIR/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
		[ -x "$bin" ] || fail "no real binary behind the wrapper $OPTIMG"
	fi
	cp "$sp" "$TMP/setpriv"
	unshare -m sh -c 'mount --bind /dev/null /dev/fuse &&
	    mount --bind "$1" /usr/bin && shift &&
	    exec "$@"' sh "$TMP/empty" "$TMP/setpriv" --reuid=65534 \
	    --regid=65534 --clear-groups "$bin" mount "$TMP/ok.iso" "$TMP/u" \
	    >"$TMP/out" 2>"$TMP/err" && fail "mounted without fusermount3"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	    grep -qx "optimg: mount: fusermount3 not found: install the Debian package 'fuse3'" "$TMP/err" ||
		fail "no fusermount3: $(cat "$TMP/err")"
	echo "ok: no fusermount3: $(cat "$TMP/err")"
else
	echo "NOTE: cannot hide fusermount3 here (needs root, setpriv, unshare): that message is untested" >&2
fi

need_fuse
# A corrupt image fails before optimg mount returns, and mounts nothing.
printf 'FILE "gone.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' >"$TMP/bad.cue"
MOUNTS="$MOUNTS $TMP/d"
expect_exit 1 "$OPTIMG" mount "$TMP/bad.cue" "$TMP/d"
grep -q "gone.bin" "$TMP/err" || fail "bad cue: $(cat "$TMP/err")"
is_mounted "$TMP/d" && fail "a failed mount left a mount"
# A mount FUSE refuses (here: an unprivileged user namespace, where
# fusermount3 may not mount): libfuse's and fusermount3's own words come
# inside optimg's one line, not as lines of their own.
if unshare -U -r true 2>/dev/null; then
	if unshare -U -r "$OPTIMG" mount "$TMP/ok.iso" "$TMP/d" >"$TMP/out" 2>"$TMP/err"; then
		fusermount3 -u "$TMP/d" 2>/dev/null || umount "$TMP/d" || :
		echo "NOTE: a user namespace may mount FUSE here: the refusal is untested" >&2
	else
		[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		    grep -q "^optimg: mount: cannot mount on '.*/d': .*[a-z]" "$TMP/err" ||
			fail "refused mount: $(cat "$TMP/err")"
		is_mounted "$TMP/d" && fail "a refused mount left a mount"
		echo "ok: refused mount: $(cat "$TMP/err")"
	fi
else
	echo "NOTE: unshare -U -r is not allowed here: the FUSE refusal is untested" >&2
fi
expect_exit 1 "$OPTIMG" mount --session 2 "$TMP/ok.iso" "$TMP/d"
grep -qx "optimg: mount: '.*ok.iso': no session 2 (the image has 1)" "$TMP/err" ||
	fail "--session 2: $(cat "$TMP/err")"
is_mounted "$TMP/d" && fail "a failed --session left a mount"
mount_image "$TMP/ok.iso" "$TMP/s1" --session 1 || fail "--session 1: $(cat "$TMP/mount.err")"
[ -d "$TMP/s1/files" ] || fail "--session 1 shows no files/"
unmount "$TMP/s1"
expect_exit 1 "$OPTIMG" umount "$TMP/d"
grep -q "^optimg: umount: cannot unmount" "$TMP/err" || fail "umount: $(cat "$TMP/err")"
# A data track without a file system: mounted, files/ absent and why.
"$MKFIXTURE" random "$TMP/noise.bin" 204800 1604
printf 'FILE "noise.bin" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n' >"$TMP/noise.cue"
mount_image "$TMP/noise.cue" "$TMP/n" || fail "noise: $(cat "$TMP/mount.err")"
grep -q "^optimg: mount: warning: '.*noise.cue': no files/: " "$TMP/mount.err" ||
	fail "noise: no word on files/: $(cat "$TMP/mount.err")"
[ -e "$TMP/n/files" ] && fail "noise shows files/"
cmp "$TMP/noise.bin" "$TMP/n/image.iso" || fail "noise: image.iso"
unmount "$TMP/n"
# An audio CD has no files/; a mount of it works all the same.
if have_testdata; then
	mount_image "$TESTDATA/cdda.cue" "$TMP/a" || fail "cdda: $(cat "$TMP/mount.err")"
	[ -e "$TMP/a/files" ] && fail "an audio CD shows files/"
	[ -e "$TMP/a/image.iso" ] && fail "an audio CD shows image.iso"
	[ -f "$TMP/a/tracks/01.wav" ] || fail "cdda: no tracks/01.wav"
	[ -s "$TMP/mount.err" ] && fail "cdda: $(cat "$TMP/mount.err")"
	unmount "$TMP/a"
fi
echo "ok"
