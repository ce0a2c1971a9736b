# Shared by the shell tests: sourced after `set -eu`.
# Environment from `make check`: OPTIMG, MKFIXTURE, TESTDATA, SRCDIR, BUILDDIR.

: "${OPTIMG:?run through make check}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/optimg-test.XXXXXX")
trap 'rc=$?; if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$TMP"; else echo "kept $TMP" >&2; fi' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

need_tool() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

# have_testdata: libcdio's sample images are there (a folder that exists
# but lacks them, empty or partial, counts as missing).
have_testdata() {
	[ -f "$TESTDATA/isofs-m1.cue" ] && [ -f "$TESTDATA/cdda.cue" ] &&
	    [ -f "$TESTDATA/p1.cue" ]
}

# need_testdata [FILE...]: the samples, and each FILE in them, or SKIP.
need_testdata() {
	have_testdata || skip "libcdio test data not found at $TESTDATA"
	for f in "$@"; do
		[ -f "$TESTDATA/$f" ] || skip "libcdio test data has no $f"
	done
}

# expect_exit CODE CMD...: runs CMD, checks its exit status.
expect_exit() {
	want=$1
	shift
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || {
		cat "$TMP/err" >&2
		fail "'$*' exited $got, expected $want"
	}
}

# same_file A B: byte-identical.
same_file() {
	cmp "$1" "$2" || fail "'$1' and '$2' differ"
}
