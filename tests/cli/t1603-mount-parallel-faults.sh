#!/bin/sh
# optimg mount under load and faults:
#  - 8 parallel readers (md5sum) of different files (image.iso, the bin,
#    the CloneCD .img and .sub, files of files/) and 8 of one bin all get
#    the right bytes;
#  - a CHD with one corrupted hunk: image.iso and the bin give EIO for
#    the pages that hunk's sectors touch and the right bytes everywhere
#    else; the sector is logged once however often it is read; the mount
#    stays up;
#  - `fusermount3 -u` while a reader holds a file open is refused and
#    changes nothing; `fusermount3 -uz` detaches, the reader still gets
#    the right bytes, and then no mount and no server is left.
# Runs where /dev/fuse exists (here: root, /dev/fuse present, as `ls -l
# /dev/fuse` printed below shows); skips loudly elsewhere.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/mount_lib.sh"
need_tool python3
need_tool md5sum
need_fuse

mkdir "$TMP/tree"
for i in 1 2 3 4; do
	"$MKFIXTURE" random "$TMP/tree/r$i" $((3000000 + i * 77777)) $((1603 + i))
done
"$OPTIMG" mkiso -q "$TMP/tree" -o "$TMP/t.iso"
"$OPTIMG" convert -q "$TMP/t.iso" "$TMP/t.cue"
mkdir "$TMP/ccd"
"$OPTIMG" convert -q "$TMP/t.cue" "$TMP/ccd/image.ccd"

# ---- 8 parallel readers -----------------------------------------------
mount_image "$TMP/t.cue" "$TMP/m" || fail "mount: $(cat "$TMP/mount.err")"
set -- "image.iso:$TMP/t.iso" "image (Track 1).bin:$TMP/t.bin" \
    "image.img:$TMP/ccd/image.img" "image.sub:$TMP/ccd/image.sub"
for i in 1 2 3 4; do
	set -- "$@" "files/r$i:$TMP/tree/r$i"
done
i=0
for pair in "$@"; do
	i=$((i + 1))
	md5sum <"$TMP/m/${pair%%:*}" >"$TMP/sum$i" &
done
wait
i=0
for pair in "$@"; do
	i=$((i + 1))
	[ "$(cat "$TMP/sum$i")" = "$(md5sum <"${pair#*:}")" ] ||
		fail "parallel reader of ${pair%%:*} got other bytes"
done
unmount "$TMP/m"
# Eight of one file, on a fresh mount (nothing cached yet).
mount_image "$TMP/t.cue" "$TMP/m" || fail "mount: $(cat "$TMP/mount.err")"
want=$(md5sum <"$TMP/t.bin")
for i in 1 2 3 4 5 6 7 8; do
	md5sum <"$TMP/m/image (Track 1).bin" >"$TMP/same$i" &
done
wait
for i in 1 2 3 4 5 6 7 8; do
	[ "$(cat "$TMP/same$i")" = "$want" ] || fail "reader $i of one bin got other bytes"
done
unmount "$TMP/m"
echo "ok: 8 parallel readers"

# ---- a corrupted CHD hunk ---------------------------------------------
"$OPTIMG" convert -q "$TMP/t.cue" "$TMP/t.chd"
size=$(stat -c %s "$TMP/t.chd")
python3 - "$TMP/t.chd" $((size / 2)) <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x55]))
PY
mkdir "$TMP/bad"
MOUNTS="$MOUNTS $TMP/bad"
"$OPTIMG" mount --foreground "$TMP/t.chd" "$TMP/bad" 2>"$TMP/bad.err" &
pid=$!
for i in $(seq 40); do is_mounted "$TMP/bad" && break; sleep 0.25; done
is_mounted "$TMP/bad" || fail "corrupt CHD: not mounted: $(cat "$TMP/bad.err")"
# pages FILE GOOD SECTOR_BYTES: reads every 4 KiB page twice; prints the
# bad LBA range it implies; fails unless bad pages are exactly those
# touching one run of 8 sectors (a CD CHD's hunk) and good ones are right.
python3 - "$TMP/bad/image.iso" "$TMP/t.iso" 2048 "$TMP/bad/image (Track 1).bin" \
    "$TMP/t.bin" 2352 <<'PY' || fail "corrupt CHD: EIO not confined to the hunk"
import errno, os, sys
args = sys.argv[1:]
hunks = set()
for k in range(0, len(args), 3):
    path, good, ss = args[k], open(args[k + 1], "rb").read(), int(args[k + 2])
    fd = os.open(path, os.O_RDONLY)
    bad = []
    for rnd in range(2):
        for off in range(0, len(good), 4096):
            try:
                got = os.pread(fd, 4096, off)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                if rnd == 0:
                    bad.append(off)
                continue
            if got != good[off:off + 4096]:
                sys.exit("%s: wrong bytes at %d" % (path, off))
    os.close(fd)
    if not bad:
        sys.exit("%s: no EIO at all" % path)
    first, last = bad[0] // ss, (bad[-1] + 4095) // ss
    hunk = first // 8 if bad[0] % ss == 0 else (bad[0] // ss + 1) // 8
    lo, hi = hunk * 8 * ss, (hunk + 1) * 8 * ss
    want = [o for o in range(0, len(good), 4096) if o < hi and o + 4096 > lo]
    if bad != want:
        sys.exit("%s: bad pages %s, want %s (hunk %d)" % (path, bad, want, hunk))
    hunks.add(hunk)
    print("%s: EIO for bytes %d..%d (sectors %d..%d), the rest right" %
          (os.path.basename(path), bad[0], bad[-1] + 4095, hunk * 8, hunk * 8 + 7))
if len(hunks) != 1:
    sys.exit("the files disagree on the bad hunk: %s" % hunks)
PY
ls "$TMP/bad/files" >/dev/null || fail "corrupt CHD: the mount went down"
"$OPTIMG" umount "$TMP/bad" || fail "umount of the corrupt CHD"
wait $pid || fail "the server of the corrupt CHD exited $?"
grep -o "sector [0-9]*" "$TMP/bad.err" | sort | uniq -d >"$TMP/dups"
[ ! -s "$TMP/dups" ] || fail "sectors logged twice: $(cat "$TMP/dups")"
grep -q "^optimg: mount: /image.iso, sector [0-9]*: .*t.chd" "$TMP/bad.err" ||
	fail "the bad sector was not logged: $(cat "$TMP/bad.err")"
echo "logged: $(head -1 "$TMP/bad.err")"
echo "ok: a corrupt CHD hunk is EIO for its bytes only"

# ---- unmounting while a reader is active ------------------------------
mount_image "$TMP/t.cue" "$TMP/m" || fail "mount: $(cat "$TMP/mount.err")"
sh -c 'exec 3<"$1"; sleep 2; md5sum <&3 >"$2"' sh "$TMP/m/image.iso" \
    "$TMP/late" &
reader=$!
sleep 0.5
if fusermount3 -u "$TMP/m" 2>"$TMP/umount.err"; then
	fail "fusermount3 -u succeeded while a file was open"
fi
is_mounted "$TMP/m" || fail "a refused unmount left the mount gone"
fusermount3 -uz "$TMP/m" || fail "fusermount3 -uz"
is_mounted "$TMP/m" && fail "still mounted after -uz"
wait $reader || fail "the reader failed after the lazy unmount"
[ "$(cat "$TMP/late")" = "$(md5sum <"$TMP/t.iso")" ] ||
	fail "the reader got other bytes after the lazy unmount"
for i in $(seq 20); do
	server_pids "$TMP/m" >"$TMP/pids"
	[ -s "$TMP/pids" ] || break
	sleep 0.25
done
[ ! -s "$TMP/pids" ] || fail "the server is still running: $(cat "$TMP/pids")"
[ -z "$(ls -A "$TMP/m")" ] || fail "the mount point is not left empty"
echo "ok: unmount while reading leaves nothing behind"
