#!/bin/sh
# audit-conformance.sh — time `ringfence audit` over the whole upstream Pod Security Admission
# fixture set (4,537 pods), one run per <level>/v1.<minor> directory at that level and version.
#   bench/audit-conformance.sh [BUILD_DIR]
set -eu
src=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
build=${1:-$src/build}
rf=$build/cli/ringfence
fx=$src/../shared/conformance/pod-security
[ -d "$fx" ] || { echo "SKIP: no fixtures at $fx"; exit 0; }
files=$(find "$fx" -name '*.yaml' | wc -l)
start=$(date +%s%N)
for level in baseline restricted; do
	for d in "$fx/$level"/v1.*; do
		"$rf" audit --level "$level" --version "${d##*/}" "$d" >/dev/null || true
	done
done
end=$(date +%s%N)
one_start=$(date +%s%N)
"$rf" audit --level restricted --version latest "$fx" >/dev/null || true
one_end=$(date +%s%N)
echo "audit-conformance: $files fixtures in 76 runs (one per level/version): $(( (end - start) / 1000000 )) ms"
echo "audit-conformance: $files fixtures in one run: $(( (one_end - one_start) / 1000000 )) ms"
