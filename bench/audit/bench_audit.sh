#!/usr/bin/env bash
# Audit benchmark: generates a synthetic AWS account (10,000 SGs, 100,000 rules, 2,000
# NACLs, 5,000 subnets) and a tenth of it, and times the command users run,
# `pgreach audit --aws-json DIR --client-ip ADDRESS --format json`, with /usr/bin/time:
# wall, user+sys CPU and peak RSS of the whole process (exports read, every cloud check,
# the report rendered). One JSON line per scale, then the growth from a tenth to full size.
# Usage: bench/audit/bench_audit.sh [BUILD_DIR]   (default build-bench, Release)
#        BENCH_PGREACH=PATH measures that binary instead (no build); BENCH_RUNS=N (3)
#        runs per scale, the fastest kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-bench}
pgreach=${BENCH_PGREACH:-$build/pgreach}
runs=${BENCH_RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/pgreach-bench-audit-XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -z "${BENCH_PGREACH:-}" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j2 --target pgreach >/dev/null
fi

# 10.0.0.10 is the first client interface of the first VPC at every scale; its VPC's
# endpoint has two interfaces, so the audit evaluates two paths on port 5432.
for scale in 0.1 1; do
  echo "== scale $scale"
  python3 "$here/gen_account.py" --scale "$scale" --out "$work/$scale"
  du -sh "$work/$scale" | awk '{print "exports: " $1}'
  for i in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$work/time-$scale.$i" \
      "$pgreach" audit host=127.0.0.1 --aws-json "$work/$scale" --client-ip 10.0.0.10 --format json \
      >"$work/report-$scale.$i.json"
  done
  python3 - "$work" "$scale" "$runs" <<'PY'
import json, sys
w, scale, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs_ = [(tuple(float(x) for x in open(f"{w}/time-{scale}.{i}").read().split()[-4:]), i) for i in range(1, runs + 1)]
(wall, user, sys_, rss), best = min(runs_, key=lambda r: r[0][0])
report = json.load(open(f"{w}/report-{scale}.{best}.json"))  # the fastest run's own check durations
checks = {c["id"]: c.get("duration_ms", 0) for c in report["checks"]}
out = {"verdict": report.get("verdict"), "wall_ms": round(wall * 1000), "cpu_s": round(user + sys_, 2),
       "user_s": user, "sys_s": sys_, "max_rss_kb": int(rss), "total_ms": round(wall * 1000), "check_ms": checks}
print(json.dumps(out))
json.dump(out, open(f"{w}/summary-{scale}.json", "w"))
PY
done
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a, b = (json.load(open(f"{w}/summary-{s}.json")) for s in ("0.1", "1"))
print("growth x10 input: wall %.1fx, CPU %.1fx (%.2fs -> %.2fs), peak RSS %.1fx" % (
    b["wall_ms"] / max(a["wall_ms"], 1), b["cpu_s"] / max(a["cpu_s"], 0.01), a["cpu_s"], b["cpu_s"],
    b["max_rss_kb"] / a["max_rss_kb"]))
print("full account: %.2f s wall, %.2f s CPU (target < 0.5 s each: %s)" % (
    b["wall_ms"] / 1000, b["cpu_s"], "met" if b["wall_ms"] < 500 and b["cpu_s"] < 0.5 else "missed"))
PY
