# Sourced by the bench scripts: what each of them needs the same way.
#
# bench_real_optimg PATH: sets real_optimg to the binary to time for PATH
#   and exports LD_LIBRARY_PATH when PATH is a libtool wrapper (build/src/optimg of a
#   shared build), whose shell start-up (~20 ms) would be timed otherwise.
# bench_noise OUT BYTES SEED: BYTES of seeded noise (AES-128-CTR of zeros
#   keyed by SEED), so every run and every machine times the same bytes and
#   incompressible data stays incompressible; ~1 GB/s, no build needed.

bench_real_optimg() {
	_d=$(cd "$(dirname "$1")" && pwd)
	_b=$(basename "$1")
	if [ -x "$_d/.libs/$_b" ] && [ -d "$_d/../lib/.libs" ]; then
		LD_LIBRARY_PATH=$(cd "$_d/../lib/.libs" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
		real_optimg=$_d/.libs/$_b
	else
		real_optimg=$_d/$_b
	fi
}

bench_noise() {
	openssl enc -aes-128-ctr -nosalt -pass "pass:optimg-bench-$3" \
	    -pbkdf2 -in /dev/zero 2>/dev/null | head -c "$2" >"$1"
}

# bench_build_tools [BUILDDIR]: sets build, optimg (the real binary) and
# mkfixture from a build tree (default: the source tree's own), or exits
# naming what to make.
bench_build_tools() {
	build=$(cd "${1:-$(dirname "$0")/..}" && pwd)
	mkfixture="$build/tests/mkfixture"
	if [ ! -x "$build/src/optimg" ] || [ ! -x "$mkfixture" ]; then
		echo "bench: build first (make && make tests/mkfixture) in $build" >&2
		exit 1
	fi
	bench_real_optimg "$build/src/optimg"
	optimg=$real_optimg
}
