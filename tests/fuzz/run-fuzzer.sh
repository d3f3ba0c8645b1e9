#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Smoke-runs a libFuzzer target: run-fuzzer.sh FUZZER OUT-DIR SEED-DIR [LIBFUZZER-OPTION...]
# libFuzzer writes new inputs into its first corpus directory, so OUT-DIR (in the build tree)
# goes first and the checked-in SEED-DIR second: the source tree is only read.
set -eu
fuzzer=$1 out=$2 seeds=$3
shift 3
[ -d "$seeds" ] || { echo "framework failure: no seed corpus at $seeds" >&2; exit 99; }
mkdir -p "$out" || exit 99
exec "$fuzzer" -artifact_prefix="$out/../" "$@" "$out" "$seeds"
