#!/usr/bin/env bash
# Installs every Debian 12 package pgreach's build, tests, lab, demo and benchmarks need.
# Safe to run twice: apt-get skips what is already there. Nothing comes from elsewhere.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config ccache
  libldns-dev libpcap-dev libpq-dev libboost-program-options-dev catch2 libssl-dev nlohmann-json3-dev
  lld  # links pgreach with the functions a run executes placed together (CMakeLists.txt, "memory")
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  clang-format-14  # scripts/check-format.sh (CI stage 1)
  # the lab's real servers and tools
  postgresql-15 postgresql-client-15 pgbouncer unbound nftables iproute2 openssl socat procps
  ldnsutils dnsutils netcat-openbsd tcpdump python3
  # comparison peers for bench/
  nmap
  time  # /usr/bin/time -v for the benchmarks' peak memory
  testssl.sh
  monitoring-plugins-basic monitoring-plugins-standard  # check_tcp/check_pgsql: bench/run.sh memory comparison
  strace  # bench/run.sh: time of the first connect()
  # reports: zlib for the --bundle tar.gz, chromium for the HTML render test
  zlib1g-dev chromium
  # packaging: the man page (help2man), the .deb checks (lintian, a debootstrap chroot), and
  # the fleet read by a real node_exporter and promtool (scripts/check-package.sh, tests)
  help2man lintian debootstrap prometheus prometheus-node-exporter
  # pgreach serve: the HTTP server, bcrypt for basic auth, a real Prometheus for its lab test
  libmicrohttpd-dev libcrypt-dev prometheus curl
)
# Extra packages other parts of the project ask for (one per line, # comments allowed).
for f in "$(dirname "$0")"/../tests/lab/PACKAGES; do
  [ -f "$f" ] && while read -r p; do p=${p%%#*}; p=${p// /}; [ -n "$p" ] && packages+=("$p"); done < "$f"
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}) and not root: run as root or install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps Debian from starting system-wide postgresql/pgbouncer/unbound services
# that we never use (the lab starts its own inside namespaces).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
