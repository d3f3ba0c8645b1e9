#!/bin/sh
# t0130-help-man.sh — every long option a command's --help names is documented in that
# command's man page (docs/ringfence-CMD.1), and every command has a man page; --help exits 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
rf=$RF_BIN
cmds=$("$rf" --help 2>&1 | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ -n "$cmds" ] || fail "ringfence --help lists commands"
for c in $cmds; do
	man=$RF_SRC/docs/ringfence-$c.1
	[ -f "$man" ] || { fail "$c has a man page ($man)"; continue; }
	help=$("$rf" "$c" --help 2>&1)
	check_eq "$?" 0 "ringfence $c --help exits 0"
	# The man page's text with roff's escaped hyphens and font changes undone.
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man")
	missing=
	for o in $(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		case $o in --help) continue ;; esac
		printf '%s\n' "$text" | grep -q -- "$o" || missing="$missing $o"
	done
	check_eq "${missing:-none}" none "ringfence-$c(1) documents every option of ringfence $c --help"
done
done_testing
