#!/bin/sh
# Progress on a TTY only, everywhere: every long job (convert to BIN/CUE,
# CHD and CSO, mkiso, extract, verify, rip, burn, write, mklive) draws one
# line with percent, rate in MB/s and ETA when stderr is a terminal, and
# no progress byte at all into a pipe or with --json.  script(1) from
# util-linux gives the command a pseudo-terminal.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool script

# One progress line as cli_progress_line() words it.
LINE='[0-9]+\.[0-9]% +[0-9]+\.[0-9] MB/s ETA [0-9]{2}:[0-9]{2}'
CR=$(printf '\r')

# on_tty NAME CMD...: runs CMD on a pseudo-terminal; it must draw a line.
on_tty() {
	name=$1
	shift
	script -qec "$*" /dev/null </dev/null >"$TMP/tty" 2>&1 ||
		fail "$name on a TTY: $(tr '\r' '\n' <"$TMP/tty" | tail -2)"
	tr '\r' '\n' <"$TMP/tty" | grep -aEq "$LINE" ||
		fail "$name: no progress line on a TTY: $(tr '\r' '\n' <"$TMP/tty" | tail -2)"
}

# json_tty NAME CMD...: with --json on a TTY, no progress at all.
json_tty() {
	name=$1
	shift
	script -qec "$* --json" /dev/null </dev/null >"$TMP/tty" 2>&1 ||
		fail "$name --json on a TTY: $(tail -2 "$TMP/tty")"
	! grep -aEq "$LINE|$(printf '\033')" "$TMP/tty" ||
		fail "$name --json drew progress"
}

# no_tty NAME CMD...: stdout and stderr are files: no progress byte.
no_tty() {
	name=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err" </dev/null ||
		fail "$name without a TTY: $(cat "$TMP/err")"
	! grep -aEq "$CR|$(printf '\033')|MB/s|ETA" "$TMP/out" "$TMP/err" ||
		fail "$name wrote progress without a TTY"
}

# every NAME CMD...: the three cases (CMD must take -f to replace output).
every() {
	on_tty "$@"
	no_tty "$@"
	json_tty "$@"
}

mkdir "$TMP/src"
"$MKFIXTURE" random "$TMP/src/a.bin" 6000000 5 >/dev/null
"$MKFIXTURE" random "$TMP/src/b.bin" 3000000 6 >/dev/null

every mkiso "$OPTIMG" mkiso -f "$TMP/src" -o "$TMP/a.iso"
every "convert (cue)" "$OPTIMG" convert -f "$TMP/a.iso" "$TMP/b.cue"
every "convert (chd)" "$OPTIMG" convert -f "$TMP/a.iso" "$TMP/c.chd"
every "convert (cso)" "$OPTIMG" convert -f "$TMP/a.iso" "$TMP/d.cso"
every "verify (iso)" "$OPTIMG" verify "$TMP/a.iso"
every "verify (chd)" "$OPTIMG" verify "$TMP/c.chd"
every "rip" "$OPTIMG" rip -f "$TMP/b.cue" -o "$TMP/r.iso"
for n in 1 2 3; do mkdir "$TMP/x$n"; done
on_tty extract "$OPTIMG" extract -C "$TMP/x1" "$TMP/a.iso"
no_tty extract "$OPTIMG" extract -C "$TMP/x2" "$TMP/a.iso"
json_tty extract "$OPTIMG" extract -C "$TMP/x3" "$TMP/a.iso"
on_tty burn "$OPTIMG" burn "$TMP/a.iso" --drive "stdio:$TMP/burn1.img"
no_tty burn "$OPTIMG" burn "$TMP/a.iso" --drive "stdio:$TMP/burn2.img"

# write needs a block device: a loop device over a file, when we may.
size=$(wc -c <"$TMP/a.iso")
head -c "$size" /dev/zero >"$TMP/disk.img"
if LOOP=$(losetup -f --show "$TMP/disk.img" 2>/dev/null); then
	rc=0
	(every write "$OPTIMG" write --yes --force "$TMP/a.iso" "$LOOP") ||
		rc=$?
	losetup -d "$LOOP"
	[ $rc -eq 0 ] || exit $rc
else
	echo "note: write not checked (no loop device here)" >&2
fi

# mklive with a stand-in kernel, when its boot loaders are installed.
if [ -f /usr/lib/ISOLINUX/isohdpfx.bin ] &&
    [ -d /usr/lib/grub/x86_64-efi ] && command -v grub-mkimage >/dev/null; then
	"$MKFIXTURE" random "$TMP/vmlinuz" 3000000 7 >/dev/null
	"$MKFIXTURE" random "$TMP/initrd" 2000000 8 >/dev/null
	every mklive "$OPTIMG" mklive -f --kernel "$TMP/vmlinuz" \
	    --initrd "$TMP/initrd" -o "$TMP/live.iso"
else
	echo "note: mklive not checked (isolinux or GRUB missing)" >&2
fi
exit 0
