#!/bin/sh
# Bash completion: sourced into bash (interactive, as a user's shell),
# `optimg con<TAB>` gives convert, `optimg convert --<TAB>` the options
# `optimg convert --help` lists, -C directories, images by extension;
# every command of `optimg --help` completes; `make install` puts the
# script where bash-completion loads it.
set -eu
. "$SRCDIR/tests/cli/lib.sh"
need_tool bash
S="$SRCDIR/completion/optimg"
mkdir -p "$TMP/bin" "$TMP/w/dir.d"
ln -s "$OPTIMG" "$TMP/bin/optimg"
: >"$TMP/w/disc.iso"
: >"$TMP/w/game.CUE"
: >"$TMP/w/notes.txt"

# comp WORDS...: what _optimg offers for the last word, one per line.
comp() {
	(cd "$TMP/w" && PATH="$TMP/bin:$PATH" bash --norc --noprofile -i -c '
		. "$1"; shift
		complete -p optimg >/dev/null || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_optimg
		printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$S" "$@" 2>/dev/null)
}
want() {	# WHAT EXPECTED GOT
	[ "$2" = "$3" ] || fail "$1: expected [$2], got [$3]"
}

want "optimg con" convert "$(comp optimg con)"
want "optimg convert --" "$("$OPTIMG" convert --help |
    grep -o -- '--[a-z][a-z0-9-]*' | sort -u)" "$(comp optimg convert --)"
comp optimg convert -- | grep -qx -- --json || fail "convert --json missing"
want "optimg extract -C" dir.d "$(comp optimg extract -C '')"
want "optimg info" "dir.d
disc.iso
game.CUE" "$(comp optimg info '')"
want "optimg ls --namespace" "iso
joliet
rr
udf" "$(comp optimg ls --namespace '')"
for c in $("$OPTIMG" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
	want "optimg ${c%?}" "$c" "$(comp optimg "${c%?}" | grep -x "$c")"
done

# Installed where bash-completion looks.
make -C "$BUILDDIR" install-dist_bashcompletionDATA DESTDIR="$TMP/inst" \
    >/dev/null 2>&1 || fail "make install of the completion failed"
dir=$(sed -n 's/^BASH_COMPLETION_DIR = //p' "$BUILDDIR/Makefile")
# distcheck configures the directory as '$(datadir)/...', which make expands.
case $dir in
/*) got="$TMP/inst$dir/optimg" ;;
*) got=$(find "$TMP/inst" -path '*/bash-completion/completions/optimg' | head -n 1) ;;
esac
[ -n "$got" ] && [ -f "$got" ] || fail "not installed in $dir"
cmp "$S" "$got"
echo "ok: completion from $dir"
