#!/bin/sh
# format-check.sh — every C file git tracks is as .clang-format formats it (the check
# `ninja clang-format-check` makes; `ninja clang-format` fixes it). Prints each file's diff.
# Skips (77) without clang-format or outside a git checkout.
cd "${RF_SRC:?}" || exit 99
command -v clang-format >/dev/null || { echo "skip: clang-format is not installed"; exit 77; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null) || { echo "skip: not a git checkout"; exit 77; }
[ -n "$files" ] || { echo "skip: no tracked C files"; exit 77; }
bad=0 n=0
for f in $files; do
	n=$((n + 1))
	clang-format --style=file "$f" | diff -u "$f" - >/tmp/format-check.$$ ||
		{ bad=$((bad + 1)); cat /tmp/format-check.$$; }
done
rm -f /tmp/format-check.$$
echo "$n files checked, $bad not formatted (run: ninja -C build clang-format)"
[ "$bad" -eq 0 ]
