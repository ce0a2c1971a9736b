#!/bin/sh
# .gz, .xz, .zst and ECM around an image, read as a stream and written by
# convert: round trips byte-identical for every fixture, checked against
# gzip -d, xz -d and zstd -d, and for ECM against ecm_tool.py (Debian has
# no ecm package: a second ECM v1 implementation written from ecm.c's
# format, in Python).  Files those tools make (one xz block or several,
# concatenated gzip members and zstd frames, ECM records cut otherwise)
# read as the original; a cut or damaged file is one line naming the file
# and the byte, exit 1.  (#13)
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool xz
need_tool zstd
need_tool gzip
need_tool python3
need_testdata
ecm="python3 $SRCDIR/tests/cli/ecm_tool.py"

unz() {		# unz KIND FILE: the oracle's decompression to stdout
	case $1 in
	xz)	xz -dc "$2" ;;
	zst)	zstd -qdc "$2" ;;
	gz)	gzip -dc "$2" ;;
	ecm)	$ecm unpack "$2" "$TMP/unecm.out" && cat "$TMP/unecm.out" ;;
	esac
}

# Fixtures: ISOs, cue sheets (Mode 1, mixed mode, a seeded Redump-style
# split set, seeded Mode 2 Form 1/Form 2 sectors).
mkdir "$TMP/src"
cp "$TESTDATA/joliet.iso" "$TESTDATA/udf102.iso" "$TESTDATA/copying.iso" \
	"$TMP/src/"
cp "$TESTDATA/isofs-m1.cue" "$TESTDATA/isofs-m1.bin" "$TMP/src/"
cp "$TESTDATA/p1.bin" "$TMP/src/BOING.BIN"
cp "$TESTDATA/p1.cue" "$TMP/src/"
"$MKFIXTURE" redump "$TMP/src" redump 1304
"$MKFIXTURE" random "$TMP/random.dat" 3000000 1304
"$MKFIXTURE" iso "$TMP/src/random.iso" RANDOM "$TMP/random.dat"
$ecm mode2 "$TMP/src/xa.bin" 90 1304
printf 'FILE "xa.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n' \
	>"$TMP/src/xa.cue"
# Audio whose samples repeat every 4 bytes: every byte looks like a Mode 2
# subheader to ECM, which must still find no sectors there, in linear time.
python3 -c 'import sys; sys.stdout.buffer.write(b"\xe8\x03\x18\xfc" * 588 * 900)' \
	>"$TMP/src/dc.bin"
printf 'FILE "dc.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' \
	>"$TMP/src/dc.cue"

n=0
for iso in joliet udf102 copying random; do
	src="$TMP/src/$iso.iso"
	for k in xz zst gz; do
		expect_exit 0 "$OPTIMG" convert "$src" "$TMP/$iso.iso.$k"
		unz $k "$TMP/$iso.iso.$k" | cmp - "$src" ||
			fail "$k -d of $iso.iso.$k differs"
		expect_exit 0 "$OPTIMG" convert "$TMP/$iso.iso.$k" "$TMP/back.iso"
		same_file "$TMP/back.iso" "$src"
		rm -f "$TMP/back.iso"
		n=$((n + 1))
	done
done
for cue in isofs-m1 p1 redump xa dc; do
	# The plain merged bin is what every packed one must hold.
	"$OPTIMG" convert "$TMP/src/$cue.cue" "$TMP/plain-$cue.cue" 2>/dev/null
	for k in xz zst gz ecm; do
		expect_exit 0 "$OPTIMG" convert "$TMP/src/$cue.cue" \
			"$TMP/$cue-$k.bin.$k"
		unz $k "$TMP/$cue-$k.bin.$k" | cmp - "$TMP/plain-$cue.bin" ||
			fail "oracle unpacking of $cue-$k.bin.$k differs"
		# The cue names the bin unpacked; optimg finds the packed one.
		grep -q "FILE \"$cue-$k.bin\" BINARY" "$TMP/$cue-$k.cue" ||
			fail "$cue-$k.cue: $(cat "$TMP/$cue-$k.cue")"
		expect_exit 0 "$OPTIMG" convert "$TMP/$cue-$k.cue" "$TMP/back.cue"
		same_file "$TMP/back.bin" "$TMP/plain-$cue.bin"
		cmp "$TMP/back.cue" "$TMP/plain-$cue.cue" >/dev/null ||
			diff "$TMP/back.cue" "$TMP/plain-$cue.cue" |
			grep -v 'FILE\|^[0-9c,-]*$' | grep . &&
			fail "$cue-$k: the cue sheet read back differs"
		rm -f "$TMP/back.cue" "$TMP/back.bin"
		n=$((n + 1))
	done
done
# --split keeps Redump's names, each bin packed.
mkdir "$TMP/split"
expect_exit 0 "$OPTIMG" convert --split "$TMP/src/redump.cue" \
	"$TMP/split/r.bin.zst"
[ -f "$TMP/split/r (Track 3).bin.zst" ] || fail "split names: $(ls "$TMP/split")"
expect_exit 0 "$OPTIMG" convert "$TMP/split/r.cue" "$TMP/back.cue"
same_file "$TMP/back.bin" "$TMP/plain-redump.bin"
rm -f "$TMP/back.cue" "$TMP/back.bin"

# What the other tools write reads as the original: one xz block, small
# blocks, concatenated gzip members and zstd frames, a FILE line naming
# the packed file, ECM records cut one per sector.
src="$TMP/src/random.iso"
xz -T1 -c "$src" >"$TMP/one.iso.xz"
xz -T2 --block-size=100000 -c "$src" >"$TMP/many.iso.xz"
head -c 1000000 "$src" | gzip -c >"$TMP/two.iso.gz"
tail -c +1000001 "$src" | gzip -1 -c >>"$TMP/two.iso.gz"
head -c 1234567 "$src" | zstd -q -c >"$TMP/two.iso.zst"
tail -c +1234568 "$src" | zstd -q -c >>"$TMP/two.iso.zst"
for f in one.iso.xz many.iso.xz two.iso.gz two.iso.zst; do
	expect_exit 0 "$OPTIMG" convert "$TMP/$f" "$TMP/back.iso"
	same_file "$TMP/back.iso" "$src"
	rm -f "$TMP/back.iso"
	n=$((n + 1))
done
# Random access: ls and cat of a file inside, through each container.
"$OPTIMG" ls -R "$TMP/src/joliet.iso" >"$TMP/ls.want"
for k in xz zst gz; do
	"$OPTIMG" ls -R "$TMP/joliet.iso.$k" >"$TMP/ls.got"
	cmp "$TMP/ls.got" "$TMP/ls.want" || fail "ls of joliet.iso.$k differs"
done
for cue in isofs-m1 xa; do
	$ecm pack "$TMP/plain-$cue.bin" "$TMP/theirs-$cue.bin.ecm"
	sed "s/plain-$cue.bin/theirs-$cue.bin.ecm/" "$TMP/plain-$cue.cue" \
		>"$TMP/theirs-$cue.cue"
	expect_exit 0 "$OPTIMG" convert "$TMP/theirs-$cue.cue" "$TMP/back.cue"
	same_file "$TMP/back.bin" "$TMP/plain-$cue.bin"
	rm -f "$TMP/back.cue" "$TMP/back.bin"
	n=$((n + 1))
done

# A packed sheet reads as its text (game.cue.gz, as the issue asks).
gzip -c "$TMP/src/p1.cue" >"$TMP/src/p1z.cue.gz"
xz -c "$TMP/src/isofs-m1.cue" >"$TMP/src/m1z.cue.xz"
"$OPTIMG" info "$TMP/src/p1.cue" 2>/dev/null | sed 1d >"$TMP/info.want"
"$OPTIMG" info "$TMP/src/p1z.cue.gz" 2>/dev/null | sed 1d >"$TMP/info.got"
cmp "$TMP/info.got" "$TMP/info.want" || fail "info p1z.cue.gz differs"
expect_exit 0 "$OPTIMG" convert "$TMP/src/m1z.cue.xz" "$TMP/back.cue"
same_file "$TMP/back.bin" "$TMP/plain-isofs-m1.bin"
rm -f "$TMP/back.cue" "$TMP/back.bin"

# info names the container and its ratio.
"$OPTIMG" info "$TMP/many.iso.xz" >"$TMP/info"
grep -q "^container: xz, 1 file, [0-9]* blocks, [0-9]* bytes hold $(stat -c %s \
	"$src") (" "$TMP/info" || fail "info: $(cat "$TMP/info")"
# --level: both ends give the source back, the higher no bigger; an
# output that is not packed takes none, and each kind its own range.
for lv in 1 9; do
	expect_exit 0 "$OPTIMG" convert --level $lv "$TMP/src/joliet.iso" \
		"$TMP/level$lv.iso.xz"
	xz -dc "$TMP/level$lv.iso.xz" | cmp - "$TMP/src/joliet.iso" ||
		fail "--level $lv: xz -d differs"
done
[ "$(stat -c %s "$TMP/level9.iso.xz")" -le "$(stat -c %s "$TMP/level1.iso.xz")" ] ||
	fail "--level 9 bigger than --level 1"
# No dictionary past the 4 MiB block it serves (-9's 64 MiB cost 674 MiB
# a thread for nothing).
xz -lvv "$TMP/level9.iso.xz" | grep -q 'lzma2=dict=4MiB' ||
	fail "--level 9: $(xz -lvv "$TMP/level9.iso.xz" | grep -o 'dict=[^ ]*')"
expect_exit 0 "$OPTIMG" convert --level 19 "$TMP/src/joliet.iso" "$TMP/l19.iso.zst"
zstd -qdc "$TMP/l19.iso.zst" | cmp - "$TMP/src/joliet.iso" || fail "--level 19 zst"
expect_exit 2 "$OPTIMG" convert --level 12 "$TMP/src/joliet.iso" "$TMP/l12.iso.xz"
expect_exit 2 "$OPTIMG" convert --level 3 "$TMP/src/joliet.iso" "$TMP/l3.cue"

# A small one is one block: "1 block", not "1 blocks".
"$OPTIMG" info "$TMP/joliet.iso.xz" >"$TMP/info"
grep -q "^container: xz, 1 file, 1 block, " "$TMP/info" ||
	fail "info: $(cat "$TMP/info")"
"$OPTIMG" info "$TMP/p1-ecm.cue" 2>/dev/null >"$TMP/info"
grep -q "^container: ecm, 1 file, [0-9]* records" "$TMP/info" ||
	fail "info: $(cat "$TMP/info")"

# Cut short or damaged: one line naming the file and a byte, exit 1.
for k in xz zst gz ecm; do
	f="$TMP/p1-$k.bin.$k"
	size=$(stat -c %s "$f")
	mkdir "$TMP/cut-$k" "$TMP/bad-$k"
	cp "$TMP/p1-$k.cue" "$TMP/cut-$k/"
	cp "$TMP/p1-$k.cue" "$TMP/bad-$k/"
	head -c $((size / 2)) "$f" >"$TMP/cut-$k/p1-$k.bin.$k"
	cp "$f" "$TMP/bad-$k/"
	printf '\377\377\377\377' | dd of="$TMP/bad-$k/p1-$k.bin.$k" bs=1 \
		seek=$((size / 2)) conv=notrunc status=none
	for d in cut bad; do
		expect_exit 1 "$OPTIMG" convert "$TMP/$d-$k/p1-$k.cue" \
			"$TMP/$d-$k/o.cue"
		[ "$(wc -l <"$TMP/err")" -eq 1 ] &&
			grep -q "'[^']*p1-$k.bin.$k'.* byte [0-9]" "$TMP/err" ||
			fail "$d $k: $(cat "$TMP/err")"
		[ ! -e "$TMP/$d-$k/o.cue" ] || fail "$d $k left an output"
	done
done
# What cannot be packed as it is written is refused by name.
expect_exit 1 "$OPTIMG" convert "$TMP/src/joliet.iso" "$TMP/j.chd.xz"
grep -q "compress an ISO" "$TMP/err" || fail "chd.xz: $(cat "$TMP/err")"
expect_exit 1 "$OPTIMG" convert "$TMP/src/joliet.iso" "$TMP/j.iso.ecm"
expect_exit 1 "$OPTIMG" convert "$TMP/src/p1.cue" "$TMP/j.cue.xz"
grep -q "NAME.bin.xz" "$TMP/err" || fail "cue.xz: $(cat "$TMP/err")"
# --help names them.
"$OPTIMG" convert --help | grep -q 'ECM' || fail "convert --help: no ECM"
"$OPTIMG" --help | grep -q 'xz, zstd or ECM' || fail "--help: no xz"
echo "$n packed round trips"
