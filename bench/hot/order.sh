#!/usr/bin/env bash
# Regenerates the order file (bench/hot/functions.txt): which functions of pgreach a healthy
# full diagnose and `--version` execute, so the link places them together (CMakeLists.txt,
# "memory"; bench/RSS-NOTES.md). Needs root and a lab that is up:
#   PGREACH_LAB_PREFIX=rs bash tests/lab/lab.sh up
#   PGREACH_LAB_PREFIX=rs bash bench/hot/order.sh build-release/pgreach
# then rebuild. Run it again on the binary it produced to tighten the list.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pgreach=$(readlink -f "${1:?usage: order.sh PGREACH_BINARY}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -shared -fPIC -O2 -o "$work/touched_pages.so" "$root/bench/hot/touched_pages.c"
eval "$(bash "$root/tests/lab/lab.sh" env)"
url="postgresql://$LAB_USER:$LAB_PASSWORD@$LAB_HOST_NEON/appdb?sslmode=verify-full&sslrootcert=$LAB_CA"
for i in 1 2 3; do
  PGREACH_TOUCHED_OUT="$work/version.$i" LD_PRELOAD="$work/touched_pages.so" "$pgreach" --version >/dev/null
  ip netns exec "$LAB_NS_CLIENT" env PGREACH_TOUCHED_OUT="$work/diagnose.$i" LD_PRELOAD="$work/touched_pages.so" \
    "$pgreach" diagnose "$url" --ports 5432,5433,6432 --timeout 5s --vpc-cidr 10.40.0.0/16 \
    ${LAB_VPC6_CIDR:+--vpc-cidr "$LAB_VPC6_CIDR"} --format json >/dev/null
done
python3 "$root/bench/hot/order.py" "$pgreach" "$work"/version.* -- "$work"/diagnose.* >"$root/bench/hot/functions.txt"
