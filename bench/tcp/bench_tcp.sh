#!/usr/bin/env bash
# Benchmarks for the TCP stage and `pgreach sweep`, run inside the lab (root needed).
#   (a) tcp stage against sg-missing-6432 (6432 silently dropped): wall time vs --timeout.
#   (b) sweep of a /22 x 3 ports vs `nmap -sT -Pn -n` on the same /22, from the client ns:
#       wall time, peak RSS (/usr/bin/time -v) and counts side by side.
# Traffic goes only to lab addresses (10.40.0.0/22 lives inside the lab's namespaces).
# Usage: PGREACH_LAB_PREFIX=pt bench/tcp/bench_tcp.sh [path/to/pgreach]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
pgreach=${1:-$here/build/pgreach}
export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgr}
lab="$here/tests/lab/lab.sh"
block=${BENCH_BLOCK:-10.40.0.0/22}
ports=5432,5433,6432
sweep_timeout=${BENCH_SWEEP_TIMEOUT:-1s}
ns="${PGREACH_LAB_PREFIX}-client"
out=$(mktemp -d /tmp/pgreach-bench-tcp.XXXXXX)
trap 'rm -rf "$out"' EXIT

case "$block" in 10.40.*) ;; *) echo "bench: $block is not inside the lab (10.40.0.0/16)" >&2; exit 3 ;; esac
command -v nmap >/dev/null || { echo "bench: apt-get install nmap" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "bench: apt-get install time" >&2; exit 3; }
eval "$(bash "$lab" env)"

inns() { ip netns exec "$ns" "$@"; }
# Runs a command under /usr/bin/time -v; prints "wall_s rss_kb".
timed() {
  local log=$out/time.$RANDOM
  inns /usr/bin/time -v -o "$log" "$@" >"$out/stdout" 2>"$out/stderr" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$log")
  echo "$wall $rss"
}

echo "== (a) tcp stage, sg-missing-6432 (6432 dropped on both addresses)"
bash "$lab" scenario sg-missing-6432 >/dev/null
printf "%-10s %-10s %-10s %s\n" timeout wall_s rss_kb verdict
for t in 1s 2s 3s; do
  read -r wall rss < <(timed "$pgreach" diagnose "host=$LAB_HOST_NEON dbname=appdb user=app" --only dns,tcp \
                              --ports $ports --timeout $t --format json)
  code=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["root_cause"]["code"] if r["root_cause"] else "none")' "$out/stdout")
  printf "%-10s %-10s %-10s %s\n" "$t" "$wall" "$rss" "$code"
done

echo
echo "== (b) sweep $block x $ports: pgreach vs nmap -sT -Pn -n"
bash "$lab" scenario healthy >/dev/null
read -r pw prss < <(timed "$pgreach" sweep "$block" --ports $ports --timeout "$sweep_timeout" --format json)
cp "$out/stdout" "$out/pgreach.json"
p_open=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["open"])' "$out/pgreach.json")
p_closed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["closed"])' "$out/pgreach.json")
p_other=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; print(c["filtered"]+c["unreachable"]+c["error"])' "$out/pgreach.json")
p_list=$(python3 -c 'import json,sys; print(" ".join(sorted("%s:%d"%(h["address"],h["port"]) for h in json.load(open(sys.argv[1]))["open"])))' "$out/pgreach.json")

read -r nw nrss < <(timed nmap -sT -Pn -n -p $ports -oG "$out/nmap.gnmap" "$block")
n_open=$(grep -o '[0-9]*/open/' "$out/nmap.gnmap" | wc -l)
n_closed=$(grep -o '[0-9]*/closed/' "$out/nmap.gnmap" | wc -l)
n_other=$(grep -o '[0-9]*/filtered/' "$out/nmap.gnmap" | wc -l)
n_list=$(awk '/Ports:/{h=$2; n=split($0,a,/[ ,]+/); for(i=1;i<=n;i++) if (a[i] ~ /\/open\//) {split(a[i],b,"/"); print h":"b[1]}}' "$out/nmap.gnmap" | sort | tr '\n' ' ' | sed 's/ $//')

printf "%-8s %-9s %-9s %-6s %-7s %-8s\n" tool wall_s rss_kb open closed other
printf "%-8s %-9s %-9s %-6s %-7s %-8s\n" pgreach "$pw" "$prss" "$p_open" "$p_closed" "$p_other"
printf "%-8s %-9s %-9s %-6s %-7s %-8s\n" nmap "$nw" "$nrss" "$n_open" "$n_closed" "$n_other"
echo "pgreach open: $p_list"
echo "nmap open:    $n_list"
python3 - "$pw" "$nw" <<'PY'
import sys
p, n = float(sys.argv[1]), float(sys.argv[2])
print("pgreach/nmap wall time: %.3f (%.1fx faster)" % (p / n if n else 0, n / p if p else 0))
PY
[ "$p_list" = "$n_list" ] && echo "open lists: identical" || echo "open lists: DIFFER"
