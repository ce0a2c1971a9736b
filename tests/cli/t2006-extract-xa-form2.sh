#!/bin/sh
# CD-ROM XA Mode 2 Form 2 files (a Video CD's MPEG): ls, extract, cat and
# mount give sectors x 2324 bytes, raw bytes 24..2347 of each sector.
# A small Video CD-like image is built here from seeded random data
# (Python, byte by byte: no optimg code is the oracle): raw MODE2/2352
# bin + cue, the same file system as a cooked 2048-byte .iso (its Form 2
# data is not there: refused by name), and a copy with one Form 2
# sector's EDC broken (a read error, never bytes).  Where libcdio's
# videocd.nrg and vcdxrip (Debian vcdimager) are there, every MPEG file
# must equal what vcdxrip extracts, and a BIN/CUE that vcdxbuild makes of
# them must give them back.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/mount_lib.sh"
need_tool python3
SEED=${OPTIMG_TEST_SEED:-20261203}
echo "seed $SEED"

python3 - "$TMP" "$SEED" <<'PY'
import os, random, struct, sys
tmp, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)

T = []
for i in range(256):		# EDC: CRC-32, reflected 0xD8018001, init 0
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0xD8018001 if c & 1 else c >> 1
    T.append(c)
def edc(b):
    c = 0
    for x in b:
        c = T[(c ^ x) & 0xff] ^ (c >> 8)
    return c

def bcd(n): return (n // 10) << 4 | n % 10
def header(lba):
    m, s = divmod(lba + 150, 75 * 60)
    s, f = divmod(s, 75)
    return b"\0" + b"\xff" * 10 + b"\0" + bytes([bcd(m), bcd(s), bcd(f), 2])

def form1(lba, data, sub=0x08):		# Mode 2 Form 1, ECC left zero
    sh = bytes([0, 0, sub, 0]) * 2
    body = sh + data.ljust(2048, b"\0")
    return header(lba) + body + struct.pack("<I", edc(body)) + bytes(276)

def form2(lba, data, zero_edc=False):
    sh = bytes([1, 1, 0x62, 0x0f]) * 2		# Form 2, real-time video
    body = sh + data
    e = 0 if zero_edc else edc(body)
    return header(lba) + body + struct.pack("<I", e)

def both(p, v): return struct.pack("<I", v) + struct.pack(">I", v)
def both16(p, v): return struct.pack("<H", v) + struct.pack(">H", v)

def xa(attr): return struct.pack(">HHH", 0, 0, attr) + b"XA" + bytes(6)
def rec(lba, size, flags, name, su):
    n = 33 + len(name) + (1 - len(name) % 2) + len(su)
    n += n & 1
    r = bytearray(n)
    r[0] = n
    r[2:10] = both(None, lba)
    r[10:18] = both(None, size)
    r[18:25] = bytes([126, 12, 3, 12, 0, 0, 0])
    r[25] = flags
    r[28:32] = both16(None, 1)
    r[32] = len(name)
    r[33:33 + len(name)] = name
    o = 33 + len(name) + (1 - len(name) % 2)
    r[o:o + len(su)] = su
    return bytes(r)

NF2 = 40
ROOT, SUB, README, AV = 18, 19, 20, 24
total = AV + NF2 + 4
payload = [rnd.randbytes(2324) for _ in range(NF2)]
form1_at = 5			# an interleaved Form 1 sector in the file
readme = b"Video CD-like test image, seed %d\n" % seed

pvd = bytearray(2048)
pvd[0] = 1; pvd[1:6] = b"CD001"; pvd[6] = 1
pvd[8:72] = b" " * 64
pvd[40:48] = b"VCDTEST "
pvd[80:88] = both(None, total)
pvd[120:124] = both16(None, 1); pvd[124:128] = both16(None, 1)
pvd[128:132] = both16(None, 2048)
pvd[156:190] = rec(ROOT, 2048, 2, b"\0", b"")
pvd[1024:1032] = b"CD-XA001"
term = bytearray(2048); term[0] = 255; term[1:6] = b"CD001"; term[6] = 1
dirx = xa(0x8d55)
root = (rec(ROOT, 2048, 2, b"\0", dirx) + rec(ROOT, 2048, 2, b"\1", dirx) +
        rec(SUB, 2048, 2, b"MPEGAV", dirx) +
        rec(README, len(readme), 0, b"README.TXT;1", xa(0x0d55)))
sub = (rec(SUB, 2048, 2, b"\0", dirx) + rec(ROOT, 2048, 2, b"\1", dirx) +
       rec(AV, NF2 * 2048, 0, b"AVSEQ01.DAT;1", xa(0x1555)))

def build(bad=None):
    out = []
    for lba in range(total):
        user = {16: pvd, 17: term, ROOT: root, SUB: sub, README: readme}
        if AV <= lba < AV + NF2:
            k = lba - AV
            if k == form1_at:
                s = form1(lba, payload[k][:2048])
            else:
                s = form2(lba, payload[k], zero_edc=(k % 7 == 3))
            if bad == k:
                s = bytearray(s); s[24 + 100] ^= 0x40; s = bytes(s)
            out.append(s)
        else:
            out.append(form1(lba, bytes(user.get(lba, b""))))
    return b"".join(out)

good = build()
open(os.path.join(tmp, "vcd.bin"), "wb").write(good)
open(os.path.join(tmp, "bad.bin"), "wb").write(build(bad=9))
for n in ("vcd", "bad"):
    open(os.path.join(tmp, n + ".cue"), "w").write(
        'FILE "%s.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n' % n)
# Cooked: 2048 bytes a sector (what a drive's plain read gives of Form 1).
open(os.path.join(tmp, "cooked.iso"), "wb").write(
    b"".join(good[i * 2352 + 24:i * 2352 + 2072] for i in range(total)))
# The expected file: raw bytes 24..2347 of each sector, from the bin.
open(os.path.join(tmp, "want.dat"), "wb").write(
    b"".join(good[(AV + k) * 2352 + 24:(AV + k) * 2352 + 2348]
             for k in range(NF2)))
open(os.path.join(tmp, "readme.want"), "wb").write(readme)
PY

want_size=$((40 * 2324))
[ "$(stat -c %s "$TMP/want.dat")" = $want_size ] || fail "test: want.dat"

# ls -l and ls --json: 2324 bytes a sector.
"$OPTIMG" ls -l "$TMP/vcd.cue" /MPEGAV >"$TMP/ls" || fail "ls -l"
grep -q " $want_size .* AVSEQ01.DAT\$" "$TMP/ls" ||
	fail "ls -l size: $(cat "$TMP/ls")"
"$OPTIMG" ls --json "$TMP/vcd.cue" /MPEGAV/AVSEQ01.DAT >"$TMP/ls.json" ||
	fail "ls --json"
python3 - "$TMP/ls.json" $want_size <<'PY' || fail "ls --json size"
import json, sys
def sizes(o):
    if isinstance(o, dict):
        if "size" in o and str(o.get("path", o.get("name", ""))).endswith("AVSEQ01.DAT"):
            yield o["size"]
        for v in o.values(): yield from sizes(v)
    elif isinstance(o, list):
        for v in o: yield from sizes(v)
s = list(sizes(json.load(open(sys.argv[1]))))
assert s and all(x == int(sys.argv[2]) for x in s), s
PY
echo "ok: ls -l / --json: $want_size bytes"

# extract and cat: the raw bytes 24..2347 of each sector.
mkdir "$TMP/x"
"$OPTIMG" extract -q -C "$TMP/x" "$TMP/vcd.cue" || fail "extract"
cmp "$TMP/want.dat" "$TMP/x/MPEGAV/AVSEQ01.DAT" || fail "extract: bytes differ"
cmp "$TMP/readme.want" "$TMP/x/README.TXT" || fail "extract: README differs"
"$OPTIMG" cat "$TMP/vcd.cue" /MPEGAV/AVSEQ01.DAT | cat >"$TMP/cat.pipe" ||
	fail "cat to a pipe"
cmp "$TMP/want.dat" "$TMP/cat.pipe" || fail "cat (pipe): bytes differ"
"$OPTIMG" cat "$TMP/vcd.cue" /MPEGAV/AVSEQ01.DAT >"$TMP/cat.file" ||
	fail "cat to a file"
cmp "$TMP/want.dat" "$TMP/cat.file" || fail "cat (file): bytes differ"
echo "ok: extract, cat: 40 sectors x 2324 bytes (one Form 1, 6 without EDC)"

# A cooked .iso does not hold the Form 2 data: one line naming the file.
mkdir "$TMP/c"
if "$OPTIMG" extract -q -C "$TMP/c" "$TMP/cooked.iso" 2>"$TMP/err"; then
	fail "extract of a cooked .iso succeeded"
else
	[ $? = 1 ] || fail "extract of a cooked .iso: exit is not 1"
fi
grep -q "AVSEQ01.DAT.*Form 2.*does not hold" "$TMP/err" ||
	fail "cooked extract message: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" = 1 ] || fail "cooked: not one line: $(cat "$TMP/err")"
[ ! -e "$TMP/c/MPEGAV/AVSEQ01.DAT" ] || fail "cooked: a file was left"
cmp "$TMP/readme.want" "$TMP/c/README.TXT" || fail "cooked: README"
rc=0
"$OPTIMG" cat "$TMP/cooked.iso" /MPEGAV/AVSEQ01.DAT >"$TMP/cc" 2>"$TMP/err" ||
	rc=$?
[ $rc = 1 ] || fail "cat of a cooked .iso: exit $rc"
grep -q "AVSEQ01.DAT.*does not hold" "$TMP/err" ||
	fail "cooked cat message: $(cat "$TMP/err")"
echo "ok: cooked .iso refused: $(cat "$TMP/err")"

# A Form 2 sector whose EDC does not match: a read error, no file.
mkdir "$TMP/b"
rc=0
"$OPTIMG" extract -q -C "$TMP/b" "$TMP/bad.cue" 2>"$TMP/err" || rc=$?
[ $rc = 1 ] || fail "extract past a bad EDC: exit $rc"
grep -q "sector 33 .*EDC" "$TMP/err" || fail "bad EDC message: $(cat "$TMP/err")"
[ ! -e "$TMP/b/MPEGAV/AVSEQ01.DAT" ] || fail "bad EDC: a file was left"
rc=0
"$OPTIMG" cat "$TMP/bad.cue" /MPEGAV/AVSEQ01.DAT >/dev/null 2>&1 || rc=$?
[ $rc = 1 ] || fail "cat past a bad EDC: exit $rc"
echo "ok: bad EDC refused: $(cat "$TMP/err")"

# mount: files/ serves the same bytes; the bad sector is EIO.
if [ -e /dev/fuse ] && mount_image "$TMP/vcd.cue" "$TMP/m"; then
	[ "$(stat -c %s "$TMP/m/files/MPEGAV/AVSEQ01.DAT")" = $want_size ] ||
		fail "mount: stat size"
	cmp "$TMP/want.dat" "$TMP/m/files/MPEGAV/AVSEQ01.DAT" ||
		fail "mount: bytes differ"
	unmount "$TMP/m"
	mount_image "$TMP/bad.cue" "$TMP/mb" || fail "mount bad.cue"
	if cat "$TMP/mb/files/MPEGAV/AVSEQ01.DAT" >/dev/null 2>"$TMP/err"; then
		fail "mount: reads whole past a bad EDC"
	fi
	grep -q "Input/output error" "$TMP/err" || fail "mount: $(cat "$TMP/err")"
	# The pages before the bad sector (9 of 40) still read.
	dd if="$TMP/mb/files/MPEGAV/AVSEQ01.DAT" bs=4096 count=5 \
	    of="$TMP/head" 2>/dev/null || fail "mount: the good head"
	head -c 20480 "$TMP/want.dat" | cmp - "$TMP/head" ||
		fail "mount: the good head differs"
	unmount "$TMP/mb"
	echo "ok: mount: size, bytes, EIO for the bad sector"
else
	echo "NOTE: FUSE is not usable here: mount is not tested" >&2
fi

# libcdio's videocd.nrg against vcdxrip (Debian vcdimager).
if [ ! -f "$TESTDATA/videocd.nrg" ]; then
	echo "NOTE: $TESTDATA/videocd.nrg not found: the vcdxrip check is left out" >&2
elif ! command -v vcdxrip >/dev/null 2>&1; then
	echo "NOTE: vcdxrip (Debian vcdimager) not found: the vcdxrip check is left out" >&2
else
	mkdir "$TMP/rip" "$TMP/v"
	(cd "$TMP/rip" && vcdxrip -q --nrg-file="$TESTDATA/videocd.nrg") \
	    >"$TMP/rip.log" 2>&1 || fail "vcdxrip: $(cat "$TMP/rip.log")"
	"$OPTIMG" extract -q -C "$TMP/v" "$TESTDATA/videocd.nrg" ||
		fail "extract videocd.nrg"
	n=0
	for f in MPEG2/AVSEQ01.MPG MPEG2/AVSEQ02.MPG MPEG2/AVSEQ03.MPG \
	    MPEG2/AVSEQ04.MPG SEGMENT/ITEM0001.MPG SEGMENT/ITEM0002.MPG \
	    SEGMENT/ITEM0003.MPG; do
		r=$(echo "${f#*/}" | tr 'A-Z' 'a-z')
		cmp "$TMP/rip/$r" "$TMP/v/$f" || fail "videocd.nrg: $f differs from vcdxrip"
		n=$((n + 1))
	done
	echo "ok: videocd.nrg: $n MPEG files equal vcdxrip's"
	# vcdxbuild makes a MODE2/2352 BIN/CUE of what vcdxrip gave: the
	# MPEG files extracted from it are those it was built from.
	(cd "$TMP/rip" && vcdxbuild -c vcd.cue -b vcd.bin videocd.xml) \
	    >"$TMP/build.log" 2>&1 || fail "vcdxbuild: $(cat "$TMP/build.log")"
	mkdir "$TMP/vb"
	"$OPTIMG" extract -q -C "$TMP/vb" "$TMP/rip/vcd.cue" ||
		fail "extract the vcdxbuild image"
	for f in MPEG2/AVSEQ01.MPG MPEG2/AVSEQ04.MPG SEGMENT/ITEM0001.MPG \
	    SEGMENT/ITEM0003.MPG; do
		r=$(echo "${f#*/}" | tr 'A-Z' 'a-z')
		cmp "$TMP/rip/$r" "$TMP/vb/$f" ||
			fail "vcdxbuild image: $f differs from its source"
	done
	echo "ok: vcdxbuild's BIN/CUE gives back the MPEG files it was made of"
fi
