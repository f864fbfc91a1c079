#!/usr/bin/env bash
# The full soak: 10,000 in-process `diagnose` runs against loopback in the plain build
# (the [soak] test runs 2,000 by default so that scripts/test.sh stays quick under ASan).
# Prints runs, seconds, descriptors and RSS after the 500-run warm-up and at the end.
#   bench/soak/soak.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DPGREACH_SANITIZE=OFF >/dev/null
make -C "$build" -j2 pgreach_tests >/dev/null
PGREACH_SOAK_RUNS=${1:-10000} "$build/pgreach_tests" "[soak]" 2>&1 | grep -E "^soak:|passed|failed"
