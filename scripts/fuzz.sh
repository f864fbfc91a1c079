#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + coverage) and runs each for a
# few seconds on its committed seed corpus. A crash fails the run and leaves its input
# under build-fuzz/crashes/ (add it to the corpus as a regression seed once fixed).
#   scripts/fuzz.sh [seconds-per-target]   (default 10)
# PGREACH_FUZZ_SEED=N fixes libFuzzer's seed and starts from the committed corpus alone
# (a fresh work folder), so a run is repeatable: scripts/test.sh uses seed 1, and a
# longer run with the same seed covers every input a shorter one tries. Unset (or 0):
# a random seed and the accumulated work corpus, for exploring.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-10}
seed=${PGREACH_FUZZ_SEED:-0}
build="$root/build-fuzz"
# UBSan only reports by default: make undefined behaviour a crash the fuzzer keeps.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DPGREACH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
targets=()
for f in "$root"/tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "${f%.cpp}")"); done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
mkdir -p "$build/crashes"
failed=0
for t in "${targets[@]}"; do
  corpus="$root/tests/fuzz/corpus/${t%_fuzz}"
  work="$build/corpus/${t%_fuzz}"
  if [ "$seed" != 0 ]; then work="$build/corpus-seeded/${t%_fuzz}"; rm -rf "$work"; fi
  mkdir -p "$corpus" "$work"
  echo "== fuzz $t for ${secs}s (seed ${seed/#0/random})"
  if ! "$build/tests/fuzz/$t" -seed="$seed" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
       -artifact_prefix="$build/crashes/$t-" "$work" "$corpus" > "$build/$t.log" 2>&1; then
    echo "fuzz: $t FAILED (see $build/$t.log)"; tail -30 "$build/$t.log"; failed=$((failed + 1))
  else
    grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' "$build/$t.log" | tail -1 || true
  fi
done
echo "fuzz: $(( ${#targets[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
