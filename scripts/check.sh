#!/bin/sh
# README command (b): install everything, build with AddressSanitizer and
# UBSan, run the whole test suite, a short fuzz run and `make distcheck`.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
./autogen.sh
rm -rf build-san build-dist
mkdir build-san build-dist
(cd build-san && ../configure --enable-sanitizers --disable-shared -q &&
	make -j"$(nproc)" && make -j"$(nproc)" check) || {
	cat build-san/test-suite.log 2>/dev/null | tail -200
	exit 1
}
# The closing line CI reads: counts from automake's summary.
count() { sed -n "s/^# $1: *//p" build-san/test-suite.log | head -n 1; }
summary="$(count PASS) passed, $(count FAIL) failed, $(count SKIP) skipped"
tests/fuzz/run.sh build-san 20
(cd build-dist && ../configure -q && OPTIMG_DISTCHECK=1 make -j"$(nproc)" distcheck)
echo "make check under ASan+UBSan:"
echo "$summary"
