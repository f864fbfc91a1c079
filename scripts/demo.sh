#!/usr/bin/env bash
# The README's demo command: installs what is needed, builds pgreach, brings up the lab
# (a simulated VPC with a PrivateLink-style endpoint, real PostgreSQL 15 with TLS, PgBouncer
# and a DNS resolver, all in network namespaces), and diagnoses a PlanetScale-style target
# in a healthy lab and in a few broken ones. Prints the healthy report and each verdict;
# leaves every report (text, Markdown, JSON) in the folder it names. Safe to run twice.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/demo.sh: needs root (apt-get and network namespaces for the lab)" >&2
  exit 1
fi
scripts/install-deps.sh
# PGREACH_BIN: a pgreach already built (CI's demo test), instead of building build/.
if [ -n "${PGREACH_BIN:-}" ]; then
  pgreach=$PGREACH_BIN
else
  BUILD_DIR="$root/build" scripts/build.sh
  pgreach="$root/build/pgreach"
fi
out=${PGREACH_DEMO_DIR:-$root/out/demo}
mkdir -p "$out"

export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgd}
# PGREACH_DEMO_LAB_UP=1: the lab of that prefix is up already and its owner takes it down
# (CI's demo test runs inside the test run's lab).
own_lab=1
[ "${PGREACH_DEMO_LAB_UP:-}" = 1 ] && own_lab=0
if [ $own_lab -eq 1 ]; then
  trap 'bash tests/lab/lab.sh down >/dev/null 2>&1 || true' EXIT INT TERM
  bash tests/lab/lab.sh up
fi
eval "$(bash tests/lab/lab.sh env)"

# What an engineer would paste: the provider's private hostname, verify-full, a password
# (pgreach never prints it: look for <HIDDEN> in the reports).
conninfo="postgresql://$LAB_USER:$LAB_PASSWORD@$LAB_HOST_PLANETSCALE:5432/$LAB_DB?sslmode=verify-full&sslrootcert=$LAB_CA"
scenarios=(healthy sg-missing-6432 nacl-no-ephemeral dns-public tls-expired no-hba)
# PGREACH_DEMO_SCENARIOS="healthy sg-missing-6432": only these (CI's demo test).
[ -n "${PGREACH_DEMO_SCENARIOS:-}" ] && read -r -a scenarios <<< "$PGREACH_DEMO_SCENARIOS"

diagnose() {  # scenario format extension
  local extra=()
  [ -d "tests/lab/cloud/aws/$1" ] && extra+=(--aws-json "tests/lab/cloud/aws/$1")
  ip netns exec "$LAB_NS_CLIENT" "$pgreach" diagnose "$conninfo" --vpc-cidr 10.40.0.0/16 \
    --timeout 2s --deadline 20s --format "$2" --no-color "${extra[@]}" > "$out/$1.$3" || true
}

for s in "${scenarios[@]}"; do
  bash tests/lab/lab.sh scenario "$s" >/dev/null
  diagnose "$s" text txt
  diagnose "$s" markdown md
  diagnose "$s" json json
done
if [ $own_lab -eq 1 ]; then
  bash tests/lab/lab.sh down >/dev/null
  trap - EXIT INT TERM
fi

if [ -f "$out/healthy.txt" ]; then
  echo
  echo "================ healthy lab: the full report ================"
  cat "$out/healthy.txt"
fi
echo
echo "================ each scenario's verdict ================"
for s in "${scenarios[@]}"; do
  printf '%-20s %s\n' "$s" "$(head -1 "$out/$s.txt")"
done
echo
echo "Reports (text, Markdown, JSON) for every scenario are in $out"
