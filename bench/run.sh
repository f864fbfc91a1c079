#!/usr/bin/env bash
# One entry point for pgreach's benchmarks (issue 9). Run as root on Debian 12:
#   bench/run.sh            (writes bench/RESULTS.md; ~6-8 minutes after the build)
# It builds pgreach in Release (build-bench/), brings up its own lab (prefix from
# PGREACH_LAB_PREFIX, default pb; torn down on exit), and measures:
#   1. full diagnosis per lab scenario: pgreach vs dig + nc + openssl s_client + psql in sequence
#   2. TCP sweep of a /22 x 3 ports vs nmap -sT -Pn            (bench/tcp/bench_tcp.sh)
#   3. TLS stage vs openssl s_client and testssl.sh            (bench/tls/bench_tls.sh)
#   4. DNS stage vs dig against the same resolver (10.40.0.2)
#   5. audit of the generated large account, growth from 1/10  (bench/audit/bench_audit.sh)
#   6. start-up time, first connect(), peak RSS (vs check_tcp/check_pgsql when installed)
# Network: every probe goes to the lab's namespaces (10.40.0.0/16) only.
# BENCH_SKIP_BUILD=1 reuses an existing build-bench/pgreach; BENCH_PGREACH=PATH measures
# that binary instead (no build); BENCH_ONLY="1 4 6" runs only those sections.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ "$(id -u)" -eq 0 ] || { echo "bench/run.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }
export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pb}
lab="$root/tests/lab/lab.sh"
build="$root/build-bench"
pgreach="${BENCH_PGREACH:-$build/pgreach}"
want() { [[ " ${BENCH_ONLY:-1 2 3 4 5 6} " == *" $1 "* ]]; }
results="${BENCH_RESULTS:-$root/bench/RESULTS.md}"
work=$(mktemp -d /tmp/pgreach-bench-run.XXXXXX)
started=$(date +%s)

cleanup() {
  bash "$lab" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench[$(date -u +%H:%M:%S)]: $*" >&2; }
now_ms() { date +%s%3N; }

for tool in nmap dig nc openssl psql strace /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: missing $tool (run scripts/install-deps.sh)" >&2; exit 1; }
done

# --- build -------------------------------------------------------------------------
if [ -n "${BENCH_PGREACH:-}" ] || { [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -x "$pgreach" ]; }; then
  say "reusing $pgreach (no build)"
else
  say "building (Release, build-bench/)"
  BUILD_DIR=build-bench BUILD_TYPE=Release CMAKE_ARGS=-DPGREACH_SANITIZE=OFF scripts/build.sh >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; exit 1; }
fi

# --- lab ---------------------------------------------------------------------------
say "lab up (prefix $PGREACH_LAB_PREFIX)"
bash "$lab" down >/dev/null 2>&1 || true
bash "$lab" up >/dev/null
eval "$(bash "$lab" env)"
ns="$LAB_NS_CLIENT"
inns() { ip netns exec "$ns" "$@"; }
host="$LAB_HOST_PLANETSCALE"
ports=(5432 5433 6432)
# The password only ever lives in this variable and in the child's argv/environment;
# nothing below prints it (the table shows <password>).
url="postgresql://$LAB_USER:$LAB_PASSWORD@$host:5432/appdb?sslmode=verify-full&sslrootcert=$LAB_CA"

# --- 1. full diagnosis per scenario ------------------------------------------------
scenarios=(healthy sg-missing-6432 nacl-no-ephemeral refused-5433 icmp-admin-prohibited
           dns-nxdomain dns-silent tls-expired no-hba tarpit)
expected_code() {
  bash "$lab" scenarios | awk -v s="$1" '$1==s {print ($3=="verdict" ? "ok" : $3)}'
}

sequential() {  # prints "total_ms|dig_ms|nc_ms|openssl_ms|psql_ms|what it showed"
  local t0 t1 t_dig t_nc t_ssl t_psql addrs status shown="" a p
  t0=$(now_ms)
  inns dig +time=5 +tries=1 "$host" >"$work/dig.out" 2>&1 || true
  t1=$(now_ms); t_dig=$((t1 - t0))
  status=$(awk '/status:/{gsub(",","",$6); print $6; exit}' "$work/dig.out")
  [ -n "$status" ] || status=timeout
  addrs=$(awk '$4=="A" && $1 ~ /^'"${host//./\\.}"'\.?$/ {print $5}' "$work/dig.out")
  shown="dig $status"
  t0=$(now_ms)
  for a in $addrs; do
    for p in "${ports[@]}"; do
      if inns nc -z -w 5 "$a" "$p" >/dev/null 2>&1; then shown+=" $a:$p=ok"; else shown+=" $a:$p=FAIL"; fi
    done
  done
  t1=$(now_ms); t_nc=$((t1 - t0))
  t0=$(now_ms)
  for a in $addrs; do
    if inns timeout 10 openssl s_client -starttls postgres -connect "$a:5432" -servername "$host" \
         -verify_return_error -CAfile "$LAB_CA" </dev/null >"$work/ssl.out" 2>&1; then
      shown+="; tls $a ok"
    else
      shown+="; tls $a FAIL($(grep -o 'verify error:num=[0-9]*:[^;]*' "$work/ssl.out" | head -1 | cut -d: -f3 || true))"
    fi
  done
  t1=$(now_ms); t_ssl=$((t1 - t0))
  t0=$(now_ms)
  if PGPASSWORD="$LAB_PASSWORD" inns psql "host=$host port=5432 user=$LAB_USER dbname=appdb sslmode=verify-full sslrootcert=$LAB_CA connect_timeout=5" \
       -Atc 'select 1' >"$work/psql.out" 2>&1; then
    shown+="; psql ok"
  else
    shown+="; psql FAIL: $(grep -v '^$' "$work/psql.out" | tail -1 | cut -c1-70 | tr '|' '/')"
  fi
  t1=$(now_ms); t_psql=$((t1 - t0))
  echo "$((t_dig + t_nc + t_ssl + t_psql))|$t_dig|$t_nc|$t_ssl|$t_psql|$shown"
}

pgreach_full() {  # prints "wall_ms|verdict|code"
  local t0 t1
  t0=$(now_ms)
  inns "$pgreach" diagnose "$url" --ports 5432,5433,6432 --timeout 5s --vpc-cidr 10.40.0.0/16 \
    --format json >"$work/pg.json" 2>"$work/pg.err" || true
  t1=$(now_ms)
  python3 - "$work/pg.json" "$((t1 - t0))" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    rc = r.get("root_cause") or {}
    print("%s|%s|%s" % (sys.argv[2], r.get("verdict", "?"), rc.get("code") or "ok"))
except Exception as e:
    print("%s|error|no JSON (%s)" % (sys.argv[2], type(e).__name__))
PY
}

: >"$work/s1.tsv"
want 1 && for s in "${scenarios[@]}"; do
  say "1. scenario $s"
  bash "$lab" scenario "$s" >/dev/null
  exp=$(expected_code "$s")
  pg=$(pgreach_full)
  seq=$(sequential)
  echo "$s|$exp|$pg|$seq" >>"$work/s1.tsv"
done

# --- 2. TCP sweep (bench/tcp) ------------------------------------------------------
want 2 && say "2. tcp sweep vs nmap (bench/tcp/bench_tcp.sh)" && { bash "$root/bench/tcp/bench_tcp.sh" "$pgreach" >"$work/s2.txt" 2>&1 || echo "(bench_tcp.sh failed: $?)" >>"$work/s2.txt"; }

# --- 3. TLS (bench/tls) ------------------------------------------------------------
want 3 && say "3. tls vs openssl s_client / testssl.sh (bench/tls/bench_tls.sh)" && { PGREACH_BIN="$pgreach" RUNS=5 bash "$root/bench/tls/bench_tls.sh" healthy tls-expired >"$work/s3.txt" 2>&1 \
  || echo "(bench_tls.sh failed: $?)" >>"$work/s3.txt"; }

# --- 4. DNS stage vs dig -----------------------------------------------------------
: >"$work/s4.tsv"
want 4 && say "4. dns stage vs dig" && for s in healthy dns-silent; do
  bash "$lab" scenario "$s" >/dev/null
  runs=5; [ "$s" = dns-silent ] && runs=2
  for _ in $(seq "$runs"); do
    t0=$(now_ms)
    inns "$pgreach" diagnose "host=$host user=$LAB_USER dbname=appdb" --only dns --timeout 5s \
      --vpc-cidr 10.40.0.0/16 --format json >"$work/dns.json" 2>/dev/null || true
    t_pg=$(( $(now_ms) - t0 ))
    code=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print((r.get("root_cause") or {}).get("code") or r["verdict"])' "$work/dns.json" 2>/dev/null || echo error)
    t0=$(now_ms)
    inns dig @"$LAB_RESOLVER" +time=5 +tries=1 "$host" A "$host" AAAA >"$work/dig2.out" 2>&1 || true
    t_dig=$(( $(now_ms) - t0 ))
    t0=$(now_ms)
    inns dig @"$LAB_RESOLVER" +time=5 +tries=1 "$host" A >/dev/null 2>&1 &
    inns dig @"$LAB_RESOLVER" +time=5 +tries=1 "$host" AAAA >/dev/null 2>&1 &
    wait
    t_dig_par=$(( $(now_ms) - t0 ))
    echo "$s|$t_pg|$code|$t_dig|$t_dig_par" >>"$work/s4.tsv"
  done
done

# --- 5. audit (bench/audit) --------------------------------------------------------
want 5 && say "5. audit of the generated account (bench/audit/bench_audit.sh)" && {
  bash "$root/bench/audit/bench_audit.sh" "$build" >"$work/s5.txt" 2>&1 || echo "(bench_audit.sh failed: $?)" >>"$work/s5.txt"; }

# --- 6. start-up, first connect, peak RSS -----------------------------------------
if want 6; then
say "6. start-up and memory"
: >"$work/plugins.tsv"
bash "$lab" scenario healthy >/dev/null
: >"$work/version.ms"
for _ in $(seq 20); do
  t0=$(date +%s%N); "$pgreach" --version >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$work/version.ms"
done
inns strace -f -ttt -e trace=execve,connect -o "$work/strace.out" "$pgreach" diagnose "$url" --ports 5432,5433,6432 \
  --timeout 5s --vpc-cidr 10.40.0.0/16 --format json >/dev/null 2>&1 || true
for i in 1 2 3; do
  inns /usr/bin/time -v -o "$work/time.$i" "$pgreach" diagnose "$url" --ports 5432,5433,6432 --timeout 5s \
    --vpc-cidr 10.40.0.0/16 --format json >"$work/rss.json" 2>/dev/null || true
done
# Where the memory is: sample /proc/PID/smaps of one healthy run at its largest RSS.
# (ip netns exec execs in place, so $! is pgreach itself.)
ip netns exec "$ns" "$pgreach" diagnose "$url" --ports 5432,5433,6432 --timeout 5s --vpc-cidr 10.40.0.0/16 \
  --format json >/dev/null 2>&1 &
pid=$!
best=0
for _ in $(seq 400); do
  rss=$(awk '/^Rss:/{print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
  [ -n "$rss" ] || break
  if [ "$rss" -gt "$best" ]; then
    best=$rss
    cp "/proc/$pid/smaps" "$work/smaps.best" 2>/dev/null || true
    cp "/proc/$pid/smaps_rollup" "$work/rollup.best" 2>/dev/null || true
    awk '/^Threads:/{print $2}' "/proc/$pid/status" >"$work/threads.best" 2>/dev/null || true
  fi
  sleep 0.005
done
wait "$pid" 2>/dev/null || true
# The floor: the same binary doing nothing but loading its libraries.
for i in 1 2 3; do /usr/bin/time -v -o "$work/ver.$i" "$pgreach" --version >/dev/null 2>&1 || true; done
echo "pgreach --version (loads the same libraries, no work)|$work/ver" >>"$work/plugins.tsv"
plugins=/usr/lib/nagios/plugins
if [ -x "$plugins/check_tcp" ]; then
  for i in 1 2 3; do
    inns /usr/bin/time -v -o "$work/ct.$i" "$plugins/check_tcp" -H "$LAB_ENDPOINT_IP_A" -p 5432 -t 5 >/dev/null 2>&1 || true
  done
  echo "check_tcp -H $LAB_ENDPOINT_IP_A -p 5432|$work/ct" >>"$work/plugins.tsv"
fi
if [ -x "$plugins/check_pgsql" ]; then
  for i in 1 2 3; do
    inns /usr/bin/time -v -o "$work/cp.$i" "$plugins/check_pgsql" -H "$LAB_ENDPOINT_IP_A" -d appdb -l "$LAB_USER" \
      -p "$LAB_PASSWORD" -t 5 >/dev/null 2>&1 || true
  done
  echo "check_pgsql -H $LAB_ENDPOINT_IP_A -d appdb -l app|$work/cp" >>"$work/plugins.tsv"
fi
fi

# --- RESULTS.md --------------------------------------------------------------------
say "writing $results"
elapsed=$(( $(date +%s) - started ))
{
  echo "nproc=$(nproc)"
  echo "kernel=$(uname -r)"
  echo "cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "elapsed=$elapsed"
  echo "prefix=$PGREACH_LAB_PREFIX"
} >"$work/machine.txt"
free -h >"$work/free.txt"
python3 "$root/bench/write_results.py" "$work" "$results"
say "done in ${elapsed}s: $results"
