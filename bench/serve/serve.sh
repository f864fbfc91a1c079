#!/usr/bin/env bash
# pgreach serve at scale against the lab: N configured targets (default 500), a real
# Prometheus scraping every one through /probe at a 15 s interval, for DURATION seconds
# (default 3600). Every SAMPLE seconds (default 30) it records, from the exporter's own
# /metrics and /proc: probes run, probe latency (mean over the interval), CPU seconds per
# probe, resident memory and open descriptors. Output: a CSV and a summary on stdout.
# Both processes run in the lab's client namespace on its loopback; nothing else is
# contacted. Needs root and the built binary (BUILD_DIR, default build-release).
#   bench/serve/serve.sh [DURATION_S] [TARGETS]        e.g. bench/serve/serve.sh 300 500
# The lab (prefix PGREACH_LAB_PREFIX, default pgsrv) is brought up and always torn down,
# unless KEEP_LAB=1 and it is already up.
set -euo pipefail
umask 077  # the fleet file holds the lab password
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build-release}
duration=${1:-3600}
targets=${2:-500}
interval=${SCRAPE_INTERVAL:-15}
sample=${SAMPLE:-30}
concurrency=${MAX_CONCURRENT:-16}
min_interval=${MIN_INTERVAL:-10s}
export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgsrv}
lab="$root/tests/lab/lab.sh"
work=$(mktemp -d /tmp/pgreach-serve-bench-XXXXXX)
out=${OUT:-$work/serve-bench.csv}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  [ "${KEEP_LAB:-0}" = 1 ] || bash "$lab" down >/dev/null 2>&1 || true
  [ -n "${OUT:-}" ] || cp "$out" /tmp/serve-bench-last.csv 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# The lab's own files are read by its postgres user: not under this script's umask.
if [ "${KEEP_LAB:-0}" != 1 ]; then (umask 022; bash "$lab" up >/dev/null); fi
bash "$lab" scenario healthy >/dev/null
eval "$(bash "$lab" env)"
ns=$LAB_NS_CLIENT

# Targets: the lab's Neon (PostgreSQL 5432) and its PgBouncer (6432), alternating, each a
# [target.tNNN] of its own so every one is its own probe.
{
  echo "timeout = 2s"
  echo "deadline = 10s"
  # The lab is dual-stack: both of its VPC blocks, or every AAAA answer is "outside the VPC".
  echo "vpc-cidr = 10.40.0.0/16"
  echo "vpc-cidr = fd40::/48"
  for i in $(seq 1 "$targets"); do
    port=$(( i % 2 ? LAB_PORT_PG : LAB_PORT_PGBOUNCER ))
    printf '[target.t%04d]\nconninfo = host=%s port=%s user=%s password=%s dbname=%s sslmode=verify-full sslrootcert=%s\n' \
      "$i" "$LAB_HOST_NEON" "$port" "$LAB_USER" "$LAB_PASSWORD" "$LAB_DB" "$LAB_CA"
  done
} > "$work/fleet.ini"
chmod 600 "$work/fleet.ini"
{
  printf 'global:\n  scrape_interval: %ss\n  scrape_timeout: 10s\nscrape_configs:\n' "$interval"
  printf '  - job_name: pgreach\n    metrics_path: /probe\n    static_configs:\n      - targets: ['
  seq -f 't%04g' 1 "$targets" | paste -sd, -
  printf '        ]\n    relabel_configs:\n'
  printf '      - {source_labels: [__address__], target_label: __param_target}\n'
  printf '      - {source_labels: [__param_target], target_label: instance}\n'
  printf '      - {target_label: __address__, replacement: "127.0.0.1:19187"}\n'
} > "$work/prometheus.yml"

ip netns exec "$ns" "$build/pgreach" serve --config "$work/fleet.ini" --listen 127.0.0.1:19187 \
  --max-concurrent "$concurrency" --min-interval "$min_interval" > "$work/serve.log" 2>&1 &
pids+=($!)
serve_pid=$!
sleep 1
ip netns exec "$ns" prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address=127.0.0.1:19090 --log.level=warn > "$work/prometheus.log" 2>&1 &
pids+=($!)

metric() { awk -v m="$1" '$1 == m {print $2}' "$work/metrics"; }
echo "elapsed_s,probes,probes_per_s,mean_probe_s,cpu_s_per_probe,rss_kb,fds,failures,rejected,reused" > "$out"
start=$(date +%s)
prev_probes=0 prev_cpu=0 prev_sum=0 prev_t=$start
while :; do
  sleep "$sample"
  now=$(date +%s)
  ip netns exec "$ns" curl -s --max-time 5 --noproxy '*' http://127.0.0.1:19187/metrics > "$work/metrics" || true
  probes=$(metric pgreach_serve_probes_total); cpu=$(metric process_cpu_seconds_total)
  sum=$(metric pgreach_serve_probe_duration_seconds_sum)
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$serve_pid/status 2>/dev/null || echo 0)
  fds=$(ls /proc/$serve_pid/fd 2>/dev/null | wc -l)
  awk -v t=$((now - start)) -v p="${probes:-0}" -v pp="$prev_probes" -v c="${cpu:-0}" -v pc="$prev_cpu" \
      -v s="${sum:-0}" -v ps="$prev_sum" -v dt=$((now - prev_t)) -v rss="$rss" -v fds="$fds" \
      -v f="$(metric pgreach_serve_probe_failures_total)" -v r="$(metric pgreach_serve_probe_rejected_total)" \
      -v u="$(metric pgreach_serve_probe_reused_total)" 'BEGIN {
        dp = p - pp; printf "%d,%d,%.2f,%.3f,%.4f,%d,%d,%d,%d,%d\n", t, p, dp / dt,
          dp ? (s - ps) / dp : 0, dp ? (c - pc) / dp : 0, rss, fds, f, r, u }' >> "$out"
  prev_probes=${probes:-0} prev_cpu=${cpu:-0} prev_sum=${sum:-0} prev_t=$now
  [ $((now - start)) -ge "$duration" ] && break
done
# REPORTS=DIR keeps every target's latest JSON report (no secret is in a report), to read
# why probes failed.
if [ -n "${REPORTS:-}" ]; then
  mkdir -p "$REPORTS"
  for i in $(seq 1 "$targets"); do
    t=$(printf 't%04d' "$i")
    ip netns exec "$ns" curl -s --max-time 5 --noproxy '*' \
      "http://127.0.0.1:19187/report?target=$t&format=json" > "$REPORTS/$t.json" || true
  done
fi
echo "targets=$targets interval=${interval}s duration=${duration}s max-concurrent=$concurrency min-interval=$min_interval"
column -s, -t < "$out"
# The first sample includes start-up; flatness is judged from the second on.
awk -F, 'NR > 2 { n++; pr += $3; lat += $4; cpu += $5; if (min == "" || $6 < min) min = $6; if ($6 > max) max = $6;
                  if (fmin == "" || $7 < fmin) fmin = $7; if ($7 > fmax) fmax = $7 }
         END { if (n) printf "steady state (%d samples): %.2f probes/s, mean probe %.3f s, CPU %.4f s/probe, RSS %d-%d kB, fds %d-%d\n",
                 n, pr / n, lat / n, cpu / n, min, max, fmin, fmax }' "$out"
grep -c "$LAB_PASSWORD" "$work/serve.log" >/dev/null && echo "ERROR: the password is in the serve log" || true
