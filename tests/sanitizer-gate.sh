#!/bin/sh
# Runs a test and fails it when a sanitizer or leak report appears on its stderr, whatever its
# exit status: under Criterion a leak or a recoverable UBSan report does not fail the test by
# itself (STYLE.md, "measured pitfalls"). stdout passes through untouched (TAP).
log=$(mktemp "${TMPDIR:-/tmp}/rf-gate.XXXXXX") || exit 99
"$@" 2>"$log"
status=$?
cat "$log" >&2
if grep -Eq 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:|definitely lost|SUMMARY: UndefinedBehaviorSanitizer' "$log"; then
	echo "sanitizer-gate: sanitizer report in stderr of: $*" >&2
	rm -f "$log"
	# 77 (skip) must not hide a report either.
	exit 1
fi
rm -f "$log"
exit $status
