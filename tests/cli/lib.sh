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

need_testdata() {
	[ -d "$TESTDATA" ] || skip "libcdio test data not found at $TESTDATA"
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
