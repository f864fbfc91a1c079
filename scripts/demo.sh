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
BUILD_DIR="$root/build" scripts/build.sh
pgreach="$root/build/pgreach"
out=${PGREACH_DEMO_DIR:-$root/out/demo}
mkdir -p "$out"

export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgd}
trap 'bash tests/lab/lab.sh down >/dev/null 2>&1 || true' EXIT INT TERM
bash tests/lab/lab.sh up
eval "$(bash tests/lab/lab.sh env)"

# What an engineer would paste: the provider's private hostname, verify-full, a password
# (pgreach never prints it: look for <HIDDEN> in the reports).
conninfo="postgresql://$LAB_USER:$LAB_PASSWORD@$LAB_HOST_PLANETSCALE:5432/$LAB_DB?sslmode=verify-full&sslrootcert=$LAB_CA"
scenarios=(healthy sg-missing-6432 nacl-no-ephemeral dns-public tls-expired no-hba)

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
bash tests/lab/lab.sh down >/dev/null
trap - EXIT INT TERM

echo
echo "================ healthy lab: the full report ================"
cat "$out/healthy.txt"
echo
echo "================ each scenario's verdict ================"
for s in "${scenarios[@]}"; do
  printf '%-20s %s\n' "$s" "$(head -1 "$out/$s.txt")"
done
echo
echo "Reports (text, Markdown, JSON) for every scenario are in $out"
