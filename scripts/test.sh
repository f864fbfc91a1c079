#!/usr/bin/env bash
# The README's test command: installs what is needed, builds, and runs every test:
# unit tests, integration tests against servers on loopback, and lab tests against real
# PostgreSQL, PgBouncer and unbound in network namespaces (brought up once, always torn
# down). Safe to run twice. Needs root (apt-get, network namespaces).
#
#   scripts/test.sh            everything (sanitizer build: ASan + UBSan)
#   scripts/test.sh --quick    stage 1 only: Release build with -Werror and the unit tests
#                              (no root needed once installed)
#   PGREACH_SANITIZE=0 scripts/test.sh    a plain build instead
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

if [ "$(id -u)" -eq 0 ]; then
  scripts/install-deps.sh
elif [ $quick -eq 0 ]; then
  echo "scripts/test.sh: the integration and lab tests need root (network namespaces, nftables, apt-get)." >&2
  echo "scripts/test.sh: run as root, or run 'scripts/test.sh --quick' for the unit tests only." >&2
  exit 1
fi

# Stage 1, fail fast (no root, no namespaces): a plain Release build with -Werror, the
# layering checks and the unit tests. A warning, a wrong-way include or a broken unit test
# stops here, minutes before the sanitizer build, the fuzzers and the lab would have found
# it. `--quick` is this stage alone.
echo "== stage 1: formatting, Release build with -Werror, layering, unit tests"
# --- formatting --- (seconds; before the build, so a format slip costs nothing else)
if ! scripts/check-format.sh; then
  echo "tests: 0 passed, 1 failed (stage 1: formatting)"
  exit 1
fi
BUILD_DIR="$root/build-release" BUILD_TYPE=Release \
  CMAKE_ARGS="${CMAKE_ARGS:-} -DPGREACH_WERROR=ON -DPGREACH_SANITIZE=OFF" scripts/build.sh
# --- layering ---
# Every #include against the layer graph, and wrong-way includes that must not compile
# (docs/ARCHITECTURE.md), before the unit tests.
if ! python3 scripts/check-includes.py ||
   ! (cd "$root/build-release" && ctest -R '^(include_graph|layering_)' --output-on-failure); then
  echo "tests: 0 passed, 1 failed (stage 1: layering)"
  exit 1
fi
if ! "$root/build-release/pgreach_tests" "[unit]" --order rand --rng-seed 1; then
  echo "tests: 0 passed, 1 failed (stage 1: unit tests of the Release build)"
  exit 1
fi
if [ $quick -eq 1 ]; then
  echo "tests: 2 passed, 0 failed"
  exit 0
fi

# The packaging check's clean Debian 12 chroot (debootstrap: downloads, little CPU) is made
# in the background during the sanitizer build; the packaging step at the end waits for it.
scripts/check-package.sh --chroot-only "$root/build-release" > "$root/build-release/chroot.log" 2>&1 &
chroot_pid=$!
echo "== stage 2: sanitizer build, unit, fuzz, integration and lab tests"
if [ "${PGREACH_SANITIZE:-1}" = 1 ]; then
  export BUILD_DIR=${BUILD_DIR:-$root/build-asan}
  # No -Werror here: GCC 12 reports false -Wmaybe-uninitialized inside <regex> under ASan.
  export CMAKE_ARGS="${CMAKE_ARGS:-} -DPGREACH_SANITIZE=ON -DPGREACH_WERROR=OFF"
  # Abandoned (deadline-exceeded) worker threads are detached by design; everything else must be clean.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  export BUILD_DIR=${BUILD_DIR:-$root/build}
  export CMAKE_ARGS="${CMAKE_ARGS:-} -DPGREACH_SANITIZE=OFF"
fi
scripts/build.sh
tests_bin="$BUILD_DIR/pgreach_tests"
export PGREACH_BIN="$BUILD_DIR/pgreach"

passed=2  # stage 1: layering, Release unit tests
failed=0
# Runs one tag group (with the sanitizer build's tests unless a binary is given) and adds
# its Catch2 totals to ours.
run_group() {
  local tag=$1 bin=${2:-$tests_bin} log
  log=$(mktemp)
  echo "== $tag tests"
  set +e
  "$bin" "$tag" --order rand --rng-seed 1 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local line p f
  line=$(grep -E '^(test cases:|All tests passed)' "$log" | tail -1 || true)
  if [[ $line =~ All\ tests\ passed.*in\ ([0-9]+)\ test\ case ]]; then
    p=${BASH_REMATCH[1]}; f=0
  elif [[ $line =~ ([0-9]+)\ passed ]]; then
    p=${BASH_REMATCH[1]}
    [[ $line =~ ([0-9]+)\ failed ]] && f=${BASH_REMATCH[1]} || f=0
  elif [[ $line =~ test\ cases:\ *([0-9]+).*([0-9]+)\ failed ]]; then
    p=0; f=${BASH_REMATCH[2]}
  else
    p=0; f=1
    echo "scripts/test.sh: $tag: no test result line (runner crashed? exit $rc)" >&2
  fi
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f))
  rm -f "$log"
}

run_group "[unit]"
# --- fuzz ---
# A short libFuzzer run of every tests/fuzz target on its seed corpus (clang build in
# build-fuzz/): one more entry in the totals, passed only when no target crashed. The
# seed is fixed (1) so the same commit gives the same result; `scripts/fuzz.sh 300`
# explores with random seeds.
if [ $quick -eq 0 ]; then
  echo "== fuzz (8 s per target)"
  if PGREACH_FUZZ_SEED=${PGREACH_FUZZ_SEED:-1} scripts/fuzz.sh 8; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
if [ $quick -eq 0 ]; then
  run_group "[integration]"
  export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgt}
  lab_down() { bash tests/lab/lab.sh down >/dev/null 2>&1 || true; }
  trap lab_down EXIT INT TERM
  start=$(date +%s%N)
  bash tests/lab/lab.sh up
  echo "lab up in $(( ($(date +%s%N) - start) / 1000000 )) ms"
  run_group "[lab]~[soak]"
  # The soak (10,000 in-process runs against the lab's healthy target) as its own group, on
  # stage 1's Release build: it measures what users run (descriptors and resident memory
  # over 10,000 runs) and takes a quarter of its ASan time; leaks and memory errors are
  # what the ASan build catches in every group above, which run the same code paths.
  run_group "[lab][soak]" "$root/build-release/pgreach_tests"
  # The demo's sg-missing-6432 run in this lab, against the README's sample (issue 19 item 9).
  start=$(date +%s)
  if PGREACH_BIN="$PGREACH_BIN" PGREACH_DEMO_LAB_UP=1 PGREACH_DEMO_SCENARIOS=sg-missing-6432 \
       PGREACH_DEMO_DIR="$BUILD_DIR/demo" scripts/demo.sh >/dev/null &&
     python3 scripts/check-demo-readme.py README.md "$BUILD_DIR/demo/sg-missing-6432.txt"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  echo "demo check in $(($(date +%s) - start)) s"
  bash tests/lab/lab.sh down
  trap - EXIT INT TERM
  # Tear-down leaves nothing behind.
  if ip netns list | grep -q "^${PGREACH_LAB_PREFIX}-"; then
    echo "scripts/test.sh: lab namespaces left behind after down" >&2
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
fi
# --- packaging --- (issue 19 items 1, 7)
# The .deb of stage 1's Release build (no second build) on a clean Debian 12 chroot, the
# systemd units and the cron line as installed.
if [ $quick -eq 0 ]; then
  start=$(date +%s)
  wait "$chroot_pid" || cat "$root/build-release/chroot.log"
  echo "chroot ready after $(($(date +%s) - start)) s of waiting"
  if scripts/check-package.sh "$root/build-release"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  echo "packaging checks in $(($(date +%s) - start)) s"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
