#!/usr/bin/env bash
# TLS stage: pgreach vs `openssl s_client -starttls postgres` (and testssl.sh when
# installed) against the lab's PostgreSQL 15, same server, same trust store.
# Prints what each tool found and how long it took (median of RUNS for the fast tools).
# Needs the lab up: PGREACH_LAB_PREFIX=pl tests/lab/lab.sh up. Traffic stays inside the
# lab's namespaces. Usage: bench/tls/bench_tls.sh [scenario...]  (default: healthy tls-expired tls-wrong-host tls-self-signed)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
lab="$here/tests/lab/lab.sh"
pgreach="${PGREACH_BIN:-$here/build/pgreach}"
RUNS=${RUNS:-5}
eval "$(bash "$lab" env)"
ns="$LAB_NS_CLIENT"
host="$LAB_HOST_NEON"
addr="$LAB_ENDPOINT_IP_A"
scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(healthy tls-expired tls-wrong-host tls-self-signed)

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for s in "${scenarios[@]}"; do
  bash "$lab" scenario "$s" >/dev/null
  echo "== scenario $s"

  # pgreach: the TLS stage only (its dns/tcp dependencies run too, on one address:port).
  times=(); found=""
  for _ in $(seq "$RUNS"); do
    t0=$(now_ms)
    out=$(ip netns exec "$ns" "$pgreach" diagnose "host=$host hostaddr=$addr user=app dbname=appdb sslmode=verify-full sslrootcert=$LAB_CA" \
          --only tls --format json 2>/dev/null || true)
    times+=($(( $(now_ms) - t0 )))
    found=$(printf '%s' "$out" | python3 -c '
import json,sys
d=json.load(sys.stdin)
tls=sum(c["duration_ms"] for c in d["checks"] if c["stage"]=="tls")
codes=[f["code"] for c in d["checks"] if c["stage"]=="tls" for f in c["findings"] if f["severity"]!="info"]
hs=[c for c in d["checks"] if c["id"]=="tls.handshake"]
p=hs[0]["data"]["probes"][0] if hs and hs[0]["data"].get("probes") else {}
print("tls checks %d ms; findings: %s; %s %s, days left %s" % (tls, ",".join(codes) or "none", p.get("protocol","-"), p.get("cipher","-"), p.get("days_until_expiry","-")))')
  done
  echo "pgreach        : median $(printf '%s\n' "${times[@]}" | median) ms over $RUNS runs (whole process) | $found"

  # openssl s_client with the same trust store and host name check.
  times=(); found=""
  for _ in $(seq "$RUNS"); do
    t0=$(now_ms)
    out=$(ip netns exec "$ns" timeout 10 openssl s_client -starttls postgres -connect "$addr:5432" -servername "$host" \
          -CAfile "$LAB_CA" -verify_hostname "$host" -verify_return_error -brief </dev/null 2>&1 || true)
    times+=($(( $(now_ms) - t0 )))
    found=$(printf '%s\n' "$out" | grep -E "verify error|Verification|Protocol version|Ciphersuite|error" | head -3 | tr '\n' ';')
  done
  echo "openssl s_client: median $(printf '%s\n' "${times[@]}" | median) ms over $RUNS runs | $found"

  if command -v testssl >/dev/null 2>&1; then
    t0=$(now_ms)
    out=$(ip netns exec "$ns" timeout 600 testssl --starttls postgres --quiet --color 0 --warnings batch \
          --add-ca "$LAB_CA" -S -P "$addr:5432" 2>&1 || true)
    ms=$(( $(now_ms) - t0 ))
    found=$(printf '%s\n' "$out" | grep -E "Chain of trust|Certificate Validity|subjectAltName|Common Name|Negotiated protocol|Negotiated cipher" | sed 's/  */ /g' | head -6 | tr '\n' ';')
    echo "testssl.sh     : $ms ms (1 run, -S -P) | $found"
  fi
done
bash "$lab" scenario healthy >/dev/null
