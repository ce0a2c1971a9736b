#!/bin/sh
# optimg mount, for every fixture format optimg reads (cue, iso, nrg, cdi,
# mds, gdi, toc, ccd, chd, cso, and images packed with xz, gzip, zstd):
#   DIR/image.iso  = optimg convert [--data-track N] X y.iso  (cmp)
#   DIR/image.cue and each DIR/image (Track N).bin
#                  = optimg convert --split X y/image.cue    (cmp, same set)
#   DIR/image.ccd/.img/.sub = optimg convert --lossy X image.ccd (cmp)
#   DIR/tracks/NN.wav: a RIFF header Python's wave module reads (2
#                  channels, 16 bits, 44100 Hz) over the PCM of track NN's
#                  bin, byte for byte
#   DIR/files/     = optimg extract X  (diff -r, modes, mtimes, symlinks,
#                  hard links); a two-session image: the last session
#                  by default, --session 1 as extract --session 1; a
#                  sparse UDF file reads as zeros and has no blocks
# Runs where /dev/fuse exists (here: root, /dev/fuse present, as `ls -l
# /dev/fuse` printed below shows); skips loudly elsewhere.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/cli/mount_lib.sh"
need_tool python3
need_fuse
M="$SRCDIR/tests/cli/fs_mktree.py"

mkdir "$TMP/fx" "$TMP/tree"
"$MKFIXTURE" random "$TMP/tree/a.bin" 300000 1602
"$MKFIXTURE" random "$TMP/tree/b.bin" 70000 1603
mkdir "$TMP/tree/sub"
printf 'hello\n' >"$TMP/tree/sub/hello.txt"
ln -s ../a.bin "$TMP/tree/sub/link"
ln "$TMP/tree/b.bin" "$TMP/tree/sub/hard"
chmod 0640 "$TMP/tree/b.bin"
touch -d @1000000000 "$TMP/tree/sub/hello.txt"
"$OPTIMG" mkiso -q "$TMP/tree" -o "$TMP/fx/tree.iso"
"$OPTIMG" convert -q "$TMP/fx/tree.iso" "$TMP/fx/tree.cue"
"$OPTIMG" convert -q "$TMP/fx/tree.iso" "$TMP/fx/tree.cso"
"$OPTIMG" convert -q "$TMP/fx/tree.iso" "$TMP/fx/treez.iso.xz"
"$OPTIMG" convert -q "$TMP/fx/tree.iso" "$TMP/fx/treeg.iso.gz"
"$OPTIMG" convert -q "$TMP/fx/tree.iso" "$TMP/fx/treech.chd"
"$MKFIXTURE" redump "$TMP/fx" seed 1602
"$OPTIMG" convert -q "$TMP/fx/seed.cue" "$TMP/fx/seedc.chd"
"$OPTIMG" convert -q --lossy "$TMP/fx/seed.cue" "$TMP/fx/seedcc.ccd"
"$OPTIMG" convert -q "$TMP/fx/seed.cue" "$TMP/fx/seedt.toc"
"$OPTIMG" convert -q "$TMP/fx/seed.cue" "$TMP/fx/seedz.bin.zst"
for k in nrg-dao1 nrg-tao2 nrg-sessions cdi-v2 cdi-v35; do
	"$MKFIXTURE" image $k "$TMP/fx/$k.img"
done
# The tree's ISO wrapped as NRG (DAO, TAO), CDI (v2, v3.5), MDS/MDF.
mkdir "$TMP/fx/w"
"$MKFIXTURE" wrap "$TMP/fx/tree.iso" "$TMP/fx/w"
# A Dreamcast track list over the seed's bins.
t1=$(($(stat -c %s "$TMP/fx/seed (Track 1).bin") / 2352))
printf '2\n1 0 4 2352 "seed (Track 1).bin" 0\n2 %d 0 2352 "seed (Track 2).bin" 0\n' \
    "$t1" >"$TMP/fx/seedg.gdi"

set -- "$TMP/fx/tree.iso" "$TMP/fx/tree.cue" "$TMP/fx/tree.cso" \
    "$TMP/fx/treez.iso.xz" "$TMP/fx/treeg.iso.gz" "$TMP/fx/treech.chd" \
    "$TMP/fx/seed.cue" "$TMP/fx/seedc.chd" "$TMP/fx/seedcc.ccd" \
    "$TMP/fx/seedt.toc" "$TMP/fx/seedz.cue" "$TMP/fx/seedg.gdi"
for k in nrg-dao1 nrg-tao2 nrg-sessions cdi-v2 cdi-v35; do
	set -- "$@" "$TMP/fx/$k.img"
done
set -- "$@" "$TMP/fx/w/dao.nrg" "$TMP/fx/w/tao.nrg" "$TMP/fx/w/v2.cdi" \
    "$TMP/fx/w/v35.cdi" "$TMP/fx/w/disc.mds"
if have_testdata; then
	for f in isofs-m1.cue cdda.cue p1.nrg videocd.nrg copying.iso \
	    copying-rr.iso joliet.iso cdda.toc isofs-m1.toc; do
		[ -f "$TESTDATA/$f" ] && set -- "$@" "$TESTDATA/$f"
	done
else
	echo "NOTE: libcdio test data not found at $TESTDATA: its images are left out" >&2
fi

# first_data IMAGE: the number of its first data track, or nothing.
first_data() {
	"$OPTIMG" info --json "$1" | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tracks"]:
    if not t["mode"].startswith("AUDIO"):
        print(t["number"]); break'
}

# check_wav WAV BIN: header fields, then the PCM is the bin (less the
# 96 bytes of subchannel of each sector of a CDG bin).
check_wav() {
	python3 - "$1" "$2" <<'PY' || fail "$1: WAV is not the track's PCM"
import sys, wave
w = wave.open(sys.argv[1], "rb")
assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)
pcm = w.readframes(w.getnframes())
b = open(sys.argv[2], "rb").read()
if len(b) != len(pcm):
    b = b"".join(b[i:i + 2352] for i in range(0, len(b), 2448))
if pcm != b:
    sys.exit("PCM differs from " + sys.argv[2])
PY
}

formats=""
n=0
for img in "$@"; do
	n=$((n + 1))
	d="$TMP/m$n" o="$TMP/o$n" name=${img##*/}
	mkdir "$o" "$o/split" "$o/ccd"
	mount_image "$img" "$d" || fail "$name: mount: $(cat "$TMP/mount.err")"
	what=""
	# image.iso
	t=$(first_data "$img")
	if [ -e "$d/image.iso" ]; then
		if "$OPTIMG" convert -q --data-track "$t" "$img" "$o/y.iso" 2>"$o/err"; then
			same_file "$o/y.iso" "$d/image.iso"
			what="$what iso"
		else
			# Form 2 sectors (a Video CD's MPEG) have no 2048-byte
			# user data: convert refuses, mount gives EIO for them.
			grep -q "Mode 2 Form 2" "$o/err" ||
				fail "$name: convert to iso: $(cat "$o/err")"
			if cat "$d/image.iso" >/dev/null 2>"$o/err"; then
				fail "$name: image.iso reads whole past Form 2 sectors"
			fi
			grep -q "Input/output error" "$o/err" ||
				fail "$name: image.iso: $(cat "$o/err")"
			what="$what iso(Form 2: EIO)"
		fi
	elif [ -n "$t" ] && "$OPTIMG" convert -q --data-track "$t" "$img" "$o/y.iso" 2>/dev/null; then
		fail "$name: convert writes an ISO, mount shows none"
	fi
	# the split bins and their sheet
	"$OPTIMG" convert -q --split "$img" "$o/split/image.cue" 2>/dev/null ||
		"$OPTIMG" convert -q --lossy --split "$img" "$o/split/image.cue" ||
		fail "$name: convert --split"
	(cd "$o/split" && ls) >"$o/want-bins"
	(cd "$d" && ls image.cue image*.bin) >"$o/got-bins"
	diff -u "$o/want-bins" "$o/got-bins" >&2 || fail "$name: other bins"
	while IFS= read -r f; do
		same_file "$o/split/$f" "$d/$f"
	done <"$o/want-bins"
	what="$what cue+$(($(wc -l <"$o/want-bins") - 1))bins"
	# CloneCD
	if [ -e "$d/image.ccd" ]; then
		"$OPTIMG" convert -q --lossy "$img" "$o/ccd/image.ccd" ||
			fail "$name: convert to ccd"
		for e in ccd img sub; do
			same_file "$o/ccd/image.$e" "$d/image.$e"
		done
		what="$what ccd"
	fi
	# WAVs
	if [ -d "$d/tracks" ]; then
		for w in "$d"/tracks/*.wav; do
			num=$(basename "$w" .wav)
			bin=$(ls "$o/split" | grep -E " \(Track 0?${num#0}\)\.bin$")
			check_wav "$w" "$o/split/$bin"
		done
		what="$what $(ls "$d/tracks" | wc -l)wav"
	fi
	# the file system
	if [ -d "$d/files" ]; then
		mkdir "$o/x"
		# A Video CD's MPEG files are Form 2 sectors: extract and
		# files/ both give their 2324 bytes a sector (t2006).
		"$OPTIMG" extract -q -C "$o/x" "$img" 2>"$o/err" ||
			fail "$name: extract: $(cat "$o/err")"
		set -- --no-dereference
		# diff -r says devices differ whatever they are: their kind
		# and numbers are compared after it.
		diff -r "$@" "$o/x" "$d/files" >"$o/diff" 2>&1 || :
		grep -v -E "^File .* is a (block|character) special file while file .* is a \1 special file$" \
		    "$o/diff" >&2 && fail "$name: files/ differs from optimg extract"
		(cd "$o/x" && find . \( -type b -o -type c \) -print) |
		while IFS= read -r f; do
			[ "$(stat -c '%F %t %T %a' "$o/x/$f")" = \
			    "$(stat -c '%F %t %T %a' "$d/files/$f")" ] ||
				fail "$name: device $f differs"
		done
		python3 "$M" manifest "$o/x" >"$o/want"
		python3 "$M" manifest "$d/files" >"$o/got"
		diff -u "$o/want" "$o/got" >&2 ||
			fail "$name: modes, times, links or hard links differ"
		what="$what files($(wc -l <"$o/got"))"
	elif "$OPTIMG" ls "$img" >/dev/null 2>&1; then
		fail "$name: optimg ls reads a file system, mount shows no files/"
	fi
	unmount "$d"
	rm -rf "$o"
	echo "ok: $name:$what"
	formats="$formats ${name##*.}"
done

# The hard link shares its inode number, the symbolic link its target.
mount_image "$TMP/fx/tree.iso" "$TMP/mt"
[ "$(stat -c %i "$TMP/mt/files/b.bin")" = "$(stat -c %i "$TMP/mt/files/sub/hard")" ] ||
	fail "hard links have different inode numbers"
[ "$(readlink "$TMP/mt/files/sub/link")" = ../a.bin ] || fail "symlink target"
[ "$(stat -c %s "$TMP/mt/files/sub/link")" = 8 ] || fail "symlink size is not its length"
[ "$(stat -c %Y "$TMP/mt/files/sub/hello.txt")" = 1000000000 ] || fail "mtime"
[ "$(stat -c %a "$TMP/mt/files/b.bin")" = 640 ] || fail "mode"
unmount "$TMP/mt"

# Two sessions, a file system in each (genisoimage -C places the second
# at its LBA): files/ is the last by default, --session 1 the first, as
# extract --session 1 has it.
if command -v genisoimage >/dev/null; then
	mkdir "$TMP/s1" "$TMP/s2"
	echo one >"$TMP/s1/one.txt"
	echo two >"$TMP/s2/two.txt"
	genisoimage -quiet -R -o "$TMP/fx/s1.iso" "$TMP/s1"
	start=$(($(stat -c %s "$TMP/fx/s1.iso") / 2048 + 6750 + 4500 + 150))
	genisoimage -quiet -R -C 0,$start -o "$TMP/fx/s2.iso" "$TMP/s2" 2>/dev/null
	printf 'REM SESSION 01\nFILE "s1.iso" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\nREM SESSION 02\nFILE "s2.iso" BINARY\n  TRACK 02 MODE1/2048\n    INDEX 01 00:00:00\n' \
	    >"$TMP/fx/ms.cue"
	mount_image "$TMP/fx/ms.cue" "$TMP/ml"
	[ "$(cat "$TMP/ml/files/two.txt")" = two ] || fail "default session: no two.txt"
	[ -e "$TMP/ml/files/one.txt" ] && fail "default session shows session 1"
	mkdir "$TMP/ms-bins"
	"$OPTIMG" convert -q --split "$TMP/fx/ms.cue" "$TMP/ms-bins/image.cue"
	for f in "$TMP"/ms-bins/*; do same_file "$f" "$TMP/ml/${f##*/}"; done
	unmount "$TMP/ml"
	mount_image "$TMP/fx/ms.cue" "$TMP/ms" --session 1
	mkdir "$TMP/xs"
	"$OPTIMG" extract -q --session 1 -C "$TMP/xs" "$TMP/fx/ms.cue"
	diff -r --no-dereference "$TMP/xs" "$TMP/ms/files" >&2 ||
		fail "--session 1: files/ differs from extract --session 1"
	[ "$(cat "$TMP/ms/files/one.txt")" = one ] || fail "--session 1: no one.txt"
	unmount "$TMP/ms"
	echo "ok: two sessions, --session 1"
else
	echo "NOTE: genisoimage is not installed: --session untested" >&2
fi
# A sparse file: a UDF file whose one extent is marked allocated but not
# recorded (ECMA-167 4/14.14.1.1, type 1) reads as zeros and takes no
# blocks in stat, as extract leaves a hole.
if command -v genisoimage >/dev/null; then
	mkdir -p "$TMP/u/t"
	"$MKFIXTURE" random "$TMP/u/t/sp.bin" 6144 16021
	echo hi >"$TMP/u/t/small.txt"
	genisoimage -quiet -udf -R -o "$TMP/fx/u.iso" "$TMP/u/t"
	python3 - "$TMP/fx/u.iso" <<'PY' || fail "no UDF file entry to make sparse"
import sys
d = bytearray(open(sys.argv[1], "rb").read())
hits = 0
for o in range(0, len(d), 2048):
    # File Entry (tag 261) of a regular file (ICB type 5) of 6144 bytes
    if (d[o], d[o + 1], d[o + 27]) == (5, 1, 5) and \
            int.from_bytes(d[o + 56:o + 64], "little") == 6144:
        p = o + 176 + int.from_bytes(d[o + 168:o + 172], "little")
        n = int.from_bytes(d[p:p + 4], "little") & 0x3fffffff
        d[p:p + 4] = (n | 1 << 30).to_bytes(4, "little")
        d[o + 4] = sum(d[o + i] for i in range(16) if i != 4) & 0xff
        hits += 1
open(sys.argv[1], "wb").write(d)
sys.exit(hits != 1)
PY
	mount_image "$TMP/fx/u.iso" "$TMP/mu" --namespace udf
	[ "$(stat -c '%s %b' "$TMP/mu/files/sp.bin")" = "6144 0" ] ||
		fail "sparse: stat says $(stat -c '%s %b' "$TMP/mu/files/sp.bin")"
	head -c 6144 /dev/zero | cmp - "$TMP/mu/files/sp.bin" ||
		fail "sparse: not zeros"
	[ "$(stat -c %b "$TMP/mu/files/small.txt")" -gt 0 ] ||
		fail "sparse: a plain file has no blocks"
	unmount "$TMP/mu"
	echo "ok: a sparse UDF file has no blocks"
fi
echo "formats:$(printf '%s\n' $formats | sort -u | tr '\n' ' ')"
