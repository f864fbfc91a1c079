#!/usr/bin/env bash
# The soak outside CI: the [lab][soak] test (10,000 in-process `diagnose` runs from the
# lab's client namespace against its healthy target) in the plain build, with its own lab
# (prefix pgsoak unless PGREACH_LAB_PREFIX is set), brought up and always torn down.
# Prints runs, seconds, descriptors and memory after the 500-run warm-up and at the end.
# Needs root (namespaces).
#   bench/soak/soak.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DPGREACH_SANITIZE=OFF >/dev/null
make -C "$build" -j2 pgreach_tests >/dev/null
export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgsoak}
trap 'bash "$root/tests/lab/lab.sh" down >/dev/null 2>&1 || true' EXIT INT TERM
bash "$root/tests/lab/lab.sh" up >/dev/null
PGREACH_SOAK_RUNS=${1:-10000} "$build/pgreach_tests" "[lab][soak]" 2>&1 | grep -E "^soak:|passed|failed"
