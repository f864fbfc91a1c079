#!/usr/bin/env bash
# Audit benchmark: generates a synthetic AWS account (10,000 SGs, 100,000 rules, 2,000
# NACLs, 5,000 subnets) and a tenth of it, then loads and evaluates every client→endpoint
# path in each, reporting wall time and peak memory (/usr/bin/time -v) and the growth.
# Usage: bench/audit/bench_audit.sh [BUILD_DIR]   (default build-bench, Release)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-bench}
work=$(mktemp -d "${TMPDIR:-/tmp}/pgreach-bench-audit-XXXXXX")
trap 'rm -rf "$work"' EXIT

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
make -C "$build" -j2 pgreach_bench_audit >/dev/null

for scale in 0.1 1; do
  echo "== scale $scale"
  python3 "$here/gen_account.py" --scale "$scale" --out "$work/$scale"
  du -sh "$work/$scale" | awk '{print "exports: " $1}'
  /usr/bin/time -v "$build/pgreach_bench_audit" "$work/$scale" 2>"$work/time-$scale.txt" | tee "$work/out-$scale.json"
  grep -E "Elapsed \(wall clock\)|User time|System time|Maximum resident set size" "$work/time-$scale.txt"
done
python3 - "$work" <<'PY'
import json, re, sys
w = sys.argv[1]
def rss(s):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{w}/time-{s}.txt").read()).group(1))
def cpu(s):
    t = open(f"{w}/time-{s}.txt").read()
    return sum(float(re.search(p + r": ([0-9.]+)", t).group(1)) for p in (r"User time \(seconds\)", r"System time \(seconds\)"))
a, b = json.load(open(f"{w}/out-0.1.json")), json.load(open(f"{w}/out-1.json"))
print("growth x10 input: load %.1fx, evaluate %.1fx, total %.1fx, CPU %.1fx (%.2fs -> %.2fs), peak RSS %.1fx" % (
    b["load_ms"] / a["load_ms"], b["evaluate_ms"] / a["evaluate_ms"], b["total_ms"] / a["total_ms"],
    cpu("1") / max(cpu("0.1"), 0.01), cpu("0.1"), cpu("1"), rss("1") / rss("0.1")))
PY
