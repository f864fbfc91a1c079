#!/usr/bin/env bash
# Self-test of the pgreach lab: brings it up, checks every server from the
# client namespace, switches through every scenario and checks with standard
# tools (nc, dig, openssl s_client, psql, ss) that the fault is really there,
# checks idempotence and the network rule, tears down and checks nothing is
# left. Every wait is bounded. Last line: "N passed, M failed".
#
# Uses prefix ${PGREACH_LAB_PREFIX:-pgrst} so it never tears down a developer's
# lab running under the default prefix.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/lab.sh
export PGREACH_LAB_PREFIX=${PGREACH_LAB_PREFIX:-pgrst}

if [[ $(id -u) -ne 0 ]]; then
  echo "selftest.sh: must run as root" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() {  # check DESC CMD...
  local d=$1; shift
  if "$@"; then ok "$d"; else bad "$d"; fi
}

finished=0
cleanup() {
  if ((finished == 0)); then
    echo "selftest: aborted, tearing the lab down" >&2
    timeout 60 "$LAB" down >/dev/null 2>&1 || true
    echo "$PASS passed, $((FAIL + 1)) failed"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

eval "$("$LAB" env)"
CX=(ip netns exec "$LAB_NS_CLIENT")
HOSTS=("$LAB_HOST_NEON" "$LAB_HOST_PLANETSCALE" "$LAB_HOST_AZURE" "$LAB_HOST_HEROKU")

# --- probes (all run in the client namespace, all bounded) ---------------
# nc_kind IP PORT -> open | refused | timeout | hostunreach | netunreach | denied | other
# (denied: EACCES, what Linux makes of an ICMPv6 administratively-prohibited)
nc_kind() {
  local out rc
  out=$(timeout 6 "${CX[@]}" nc -v -z -w 2 "$1" "$2" 2>&1); rc=$?
  if ((rc == 0)); then echo open
  elif [[ $out == *"Connection refused"* ]]; then echo refused
  elif [[ $out == *"No route to host"* ]]; then echo hostunreach
  elif [[ $out == *"Network is unreachable"* ]]; then echo netunreach
  elif [[ $out == *"Permission denied"* ]]; then echo denied
  elif [[ $out == *"timed out"* || $rc == 124 ]]; then echo timeout
  else echo "other:$out"; fi
}
expect_nc() {  # expect_nc KIND IP PORT
  local got
  got=$(nc_kind "$2" "$3")
  [[ $got == "$1" ]] || { echo "    nc $2:$3 gave '$got', expected '$1'"; return 1; }
}
# dig_status NAME [SERVER] -> NOERROR / NXDOMAIN / SERVFAIL / TIMEOUT
dig_status() {
  local out s=()
  [[ -n ${2:-} ]] && s=("@$2")
  out=$(timeout 6 "${CX[@]}" dig +time=2 +tries=1 ${s[@]+"${s[@]}"} "$1" A 2>&1)
  if [[ $out =~ status:\ ([A-Z]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo TIMEOUT; fi
}
dig_a() {  # sorted A records (last element of chain)
  timeout 6 "${CX[@]}" dig +short +time=2 +tries=1 ${2:+"@$2"} "$1" A 2>/dev/null |
    grep -E '^[0-9.]+$' | sort | tr '\n' ' ' | sed 's/ $//'
}
dig_aaaa() {  # sorted AAAA records
  timeout 6 "${CX[@]}" dig +short +time=2 +tries=1 ${2:+"@$2"} "$1" AAAA 2>/dev/null |
    grep -E '^[0-9a-f:]+$' | sort | tr '\n' ' ' | sed 's/ $//'
}
expect_aaaa() {  # expect_aaaa "IPS" NAME [SERVER]
  local got
  got=$(dig_aaaa "$2" "${3:-}")
  [[ $got == "$1" ]] || { echo "    dig AAAA $2 ${3:-} gave '$got', expected '$1'"; return 1; }
}
# first_gai NAME: the first address getaddrinfo gives the client (what libpq tries first)
first_gai() { timeout 6 "${CX[@]}" getent ahosts "$1" 2>/dev/null | awk 'NR == 1 {print $1}'; }
expect_first_gai() {  # expect_first_gai v4|v6 NAME
  local got fam=v4
  got=$(first_gai "$2")
  [[ $got == *:* ]] && fam=v6
  [[ -n $got && $fam == "$1" ]] || { echo "    getaddrinfo $2 first gave '$got', expected IP$1"; return 1; }
}
expect_dig() {  # expect_dig STATUS NAME [SERVER]
  local got
  got=$(dig_status "$2" "${3:-}")
  [[ $got == "$1" ]] || { echo "    dig $2 ${3:-} gave $got, expected $1"; return 1; }
}
expect_a() {  # expect_a "IPS" NAME [SERVER]
  local got
  got=$(dig_a "$2" "${3:-}")
  [[ $got == "$1" ]] || { echo "    dig $2 ${3:-} gave '$got', expected '$1'"; return 1; }
}
# pq HOST PORT DB EXTRA... : psql, output+stderr
pq() {
  local h=$1 p=$2 db=$3; shift 3
  timeout 15 "${CX[@]}" env PGPASSWORD="$LAB_PASSWORD" PGCONNECT_TIMEOUT=3 \
    psql -X -w "host=$h port=$p dbname=$db user=$LAB_USER $*" -Atc "select 'lab-ok'" 2>&1
}
pq_verify() { pq "$1" "$2" "$LAB_DB" "sslmode=verify-full sslrootcert=$LAB_CA"; }
expect_pq_ok() {
  local out
  out=$("$@")
  [[ $out == lab-ok ]] || { echo "    ${out//$'\n'/ | }"; return 1; }
}
expect_pq_err() {  # expect_pq_err PATTERN CMD...
  local pat=$1 out; shift
  out=$("$@")
  [[ $out == *"$pat"* ]] || { echo "    expected '$pat', got: ${out//$'\n'/ | }"; return 1; }
}
# s_client IP PORT -> output; rc in S_RC
s_client() {
  timeout "${3:-6}" "${CX[@]}" openssl s_client -starttls postgres -connect "$1:$2" \
    -servername "$LAB_HOST_NEON" -verify_hostname "$LAB_HOST_NEON" -CAfile "$LAB_CA" </dev/null 2>&1
}
expect_verify() {  # expect_verify CODE
  local out
  out=$(s_client "$LAB_ENDPOINT_IP_A" 5432)
  [[ $out == *"Verify return code: $1 "* ]] || { echo "    s_client: $(grep -m1 'Verify return' <<<"$out")"; return 1; }
}

healthy_checks() {
  local h
  for h in "${HOSTS[@]}"; do
    check "psql verify-full to $h:5432" expect_pq_ok pq_verify "$h" 5432
  done
  check "dig @resolver neon" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_NEON" "$LAB_RESOLVER"
  check "dig @resolver planetscale" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_PLANETSCALE" "$LAB_RESOLVER"
  check "dig @resolver heroku" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_HEROKU" "$LAB_RESOLVER"
  check "dig @resolver azure (CNAME chased)" expect_a "$LAB_ENDPOINT_IP_A" "$LAB_HOST_AZURE" "$LAB_RESOLVER"
  check "azure CNAME target is privatelink" \
    bash -c "timeout 6 ${CX[*]} dig +short +time=2 +tries=1 @$LAB_RESOLVER $LAB_HOST_AZURE | grep -qx '$LAB_HOST_AZURE_PRIVATELINK.'"
  check "dig @resolver2 agrees (neon)" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_NEON" "$LAB_RESOLVER2"
  check "dig public-style name -> $LAB_PUBLIC_IP" expect_a "$LAB_PUBLIC_IP" "$LAB_HOST_NEON_PUBLIC" "$LAB_RESOLVER"
  check "system resolver (resolv.conf) resolves neon" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_NEON"
  check "other names NXDOMAIN (no recursion)" expect_dig NXDOMAIN example.com "$LAB_RESOLVER"
  check "pgbouncer 6432 query" expect_pq_ok pq "$LAB_HOST_PLANETSCALE" 6432 "$LAB_DB" ""
  check "pgbouncer 5433 query" expect_pq_ok pq "$LAB_HOST_HEROKU" 5433 "$LAB_DB" ""
  check "pgbouncer 6432 SHOW VERSION" bash -c "timeout 10 ${CX[*]} env PGPASSWORD=$LAB_PASSWORD PGCONNECT_TIMEOUT=3 psql -X -w 'host=$LAB_ENDPOINT_IP_B port=6432 dbname=pgbouncer user=$LAB_USER' -Atc 'SHOW VERSION' 2>&1 | grep -q PgBouncer"
  check "pgbouncer speaks TLS (sslmode=verify-full)" expect_pq_ok pq "$LAB_HOST_PLANETSCALE" 6432 "$LAB_DB" "sslmode=verify-full sslrootcert=$LAB_CA"
  check "s_client verify ok" expect_verify 0
  # dual stack
  check "dig AAAA @resolver neon" expect_aaaa "$LAB_ENDPOINT_IP6_A $LAB_ENDPOINT_IP6_B" "$LAB_HOST_NEON" "$LAB_RESOLVER"
  check "dig AAAA @resolver heroku" expect_aaaa "$LAB_ENDPOINT_IP6_A $LAB_ENDPOINT_IP6_B" "$LAB_HOST_HEROKU" "$LAB_RESOLVER"
  check "dig AAAA azure (CNAME chased)" expect_aaaa "$LAB_ENDPOINT_IP6_A" "$LAB_HOST_AZURE" "$LAB_RESOLVER"
  check "dig over IPv6 @$LAB_RESOLVER6" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_PLANETSCALE" "$LAB_RESOLVER6"
  check "getaddrinfo gives IPv6 first (no gai.conf)" expect_first_gai v6 "$LAB_HOST_NEON"
  check "psql verify-full over IPv6 ($LAB_ENDPOINT_IP6_B:5432)" expect_pq_ok pq_verify "$LAB_ENDPOINT_IP6_B" 5432
  check "pgbouncer 6432 over IPv6" expect_pq_ok pq "$LAB_ENDPOINT_IP6_A" 6432 "$LAB_DB" ""
  check "pgbouncer 5433 over IPv6" expect_nc open "$LAB_ENDPOINT_IP6_B" 5433
}

# ---------------------------------------------------------------- run
echo "# prefix $PGREACH_LAB_PREFIX"
root_links_before=$(ip -br link | awk '{print $1}' | sort | tr '\n' ' ')
check "lab.sh without root fails clearly" bash -c \
  "out=\$(setpriv --reuid=nobody --regid=nogroup --clear-groups -- '$LAB' up 2>&1); rc=\$?; [[ \$rc == 1 && \$out == *root* ]]"

check "cloud JSON up to date (cloud/gen.py --check)" python3 "$HERE/cloud/gen.py" --check

t0=$(date +%s%N)
if ! timeout 120 "$LAB" up; then
  bad "lab.sh up"
  exit 1
fi
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# bring-up took $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
check "bring-up under 10 s" test "$ms" -lt 10000

# network rule
check "root namespace: no new links" test "$(ip -br link | awk '{print $1}' | sort | tr '\n' ' ')" == "$root_links_before"
for ns in "$LAB_NS_CLIENT" "$LAB_NS_ROUTER" "$LAB_NS_RESOLVER" "$LAB_NS_RESOLVER2" "$LAB_NS_ENDPOINT"; do
  check "$ns: no default route" test -z "$(ip -n "$ns" route show default; ip -n "$ns" route show table all | grep -E '^default' || true)"
  check "$ns: only 10.40/16 and lo addresses" bash -c \
    "! ip -n $ns -4 -o addr | awk '{print \$4}' | grep -vE '^(10\\.40\\.|127\\.0\\.0\\.1/)'"
  check "$ns: no IPv6 default route" test -z "$(ip -n "$ns" -6 route show table all | grep -E '^default' || true)"
  check "$ns: only fd40::/48, link-local and ::1 IPv6 addresses" bash -c \
    "! ip -n $ns -6 -o addr | awk '{print \$4}' | grep -vE '^(fd40:(0:0:[1-3]:)?:[0-9a-f]+/64|fe80::[0-9a-f:]+/64|::1/128)\$'"
  check "$ns: IPv6 routes cover fd40::/48 only" bash -c \
    "! ip -n $ns -6 route show | awk '{print \$1}' | grep -vE '^(fd40::/48|fd40:(0:0:[1-3]:)?:/64|fe80::/64)\$'"
done
check "client cannot route to 192.0.2.1 (outside)" bash -c "! ${CX[*]} ip route get 192.0.2.1 >/dev/null 2>&1"
check "client cannot route to $LAB_PUBLIC_IP" bash -c "! ${CX[*]} ip route get $LAB_PUBLIC_IP >/dev/null 2>&1"
check "client cannot route to 2001:db8::1 (IPv6 outside)" bash -c "! ${CX[*]} ip -6 route get 2001:db8::1 >/dev/null 2>&1"
check "client cannot route to fd00::1 (another ULA)" bash -c "! ${CX[*]} ip -6 route get fd00::1 >/dev/null 2>&1"
check "client resolv.conf -> $LAB_RESOLVER" bash -c "${CX[*]} cat /etc/resolv.conf | grep -qx 'nameserver $LAB_RESOLVER'"

echo "# scenario healthy"
healthy_checks

sc() { echo "# scenario $1"; timeout 60 "$LAB" scenario "$1" >/dev/null 2>&1 || bad "lab.sh scenario $1"; }

sc sg-missing-6432
check "6432 silently dropped (A)" expect_nc timeout "$LAB_ENDPOINT_IP_A" 6432
check "6432 silently dropped (B)" expect_nc timeout "$LAB_ENDPOINT_IP_B" 6432
check "5432 still open" expect_nc open "$LAB_ENDPOINT_IP_A" 5432
check "5433 still open" expect_nc open "$LAB_ENDPOINT_IP_A" 5433

sc nacl-no-ephemeral
check "5432 times out" expect_nc timeout "$LAB_ENDPOINT_IP_A" 5432
check "SYN reached the endpoint (SYN-RECV there)" bash -c \
  "ip netns exec $LAB_NS_ENDPOINT ss -Htn state syn-recv | grep -q '$LAB_CLIENT_IP'"
check "DNS unaffected" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_NEON"

sc refused-5433
check "5433 refused" expect_nc refused "$LAB_ENDPOINT_IP_A" 5433
check "6432 open" expect_nc open "$LAB_ENDPOINT_IP_A" 6432

sc icmp-admin-prohibited
check "5432 gets ICMP unreachable (No route to host)" expect_nc hostunreach "$LAB_ENDPOINT_IP_A" 5432
check "5432 psql: No route to host" expect_pq_err "No route to host" pq "$LAB_ENDPOINT_IP_B" 5432 "$LAB_DB" ""
check "6432 open" expect_nc open "$LAB_ENDPOINT_IP_A" 6432

sc dns-public
for h in "$LAB_HOST_NEON" "$LAB_HOST_PLANETSCALE" "$LAB_HOST_HEROKU" "$LAB_HOST_AZURE"; do
  check "$h -> $LAB_PUBLIC_IP" expect_a "$LAB_PUBLIC_IP" "$h"
done
check "$LAB_PUBLIC_IP unreachable (no packet sent)" expect_nc netunreach "$LAB_PUBLIC_IP" 5432

sc dns-nxdomain
for h in "${HOSTS[@]}"; do check "$h NXDOMAIN" expect_dig NXDOMAIN "$h"; done
check "psql: could not translate host name" expect_pq_err "could not translate host name" pq_verify "$LAB_HOST_NEON" 5432

sc dns-servfail
for h in "${HOSTS[@]}"; do check "$h SERVFAIL" expect_dig SERVFAIL "$h" "$LAB_RESOLVER"; done

sc dns-silent
check "resolver silent (dig times out)" expect_dig TIMEOUT "$LAB_HOST_NEON" "$LAB_RESOLVER"
check "resolver2 still answers" expect_dig NOERROR "$LAB_HOST_NEON" "$LAB_RESOLVER2"

sc dns-disagree
check "resolver answers endpoint IPs" expect_a "$LAB_ENDPOINT_IP_A $LAB_ENDPOINT_IP_B" "$LAB_HOST_NEON" "$LAB_RESOLVER"
check "resolver2 answers $LAB_WRONG_IP" expect_a "$LAB_WRONG_IP" "$LAB_HOST_NEON" "$LAB_RESOLVER2"
check "resolv.conf lists both" bash -c "${CX[*]} cat /etc/resolv.conf | grep -c '^nameserver' | grep -qx 2"

sc azure-chain-broken
check "azure name NXDOMAIN" expect_dig NXDOMAIN "$LAB_HOST_AZURE"
check "azure answer still has the CNAME" bash -c \
  "timeout 6 ${CX[*]} dig +time=2 +tries=1 $LAB_HOST_AZURE | grep -q 'CNAME.*$LAB_HOST_AZURE_PRIVATELINK'"
check "privatelink name NXDOMAIN" expect_dig NXDOMAIN "$LAB_HOST_AZURE_PRIVATELINK"
check "neon unaffected" expect_dig NOERROR "$LAB_HOST_NEON"

sc tls-expired
check "s_client: certificate has expired" expect_verify 10
check "psql: certificate verify failed" expect_pq_err "certificate verify failed" pq_verify "$LAB_HOST_NEON" 5432

sc tls-wrong-host
check "s_client: hostname mismatch" expect_verify 62
check "psql: does not match host name" expect_pq_err "does not match host name" pq_verify "$LAB_HOST_NEON" 5432

sc tls-self-signed
check "s_client: self-signed certificate" expect_verify 18
check "psql: certificate verify failed" expect_pq_err "certificate verify failed" pq_verify "$LAB_HOST_PLANETSCALE" 5432

sc tls-off
check "s_client gets no certificate" bash -c "! out=\$(timeout 6 ${CX[*]} openssl s_client -starttls postgres -connect $LAB_ENDPOINT_IP_A:5432 </dev/null 2>&1) && [[ \$out != *'BEGIN CERTIFICATE'* ]]"
check "psql: server does not support SSL" expect_pq_err "server does not support SSL" pq_verify "$LAB_HOST_NEON" 5432
check "plain connection works" expect_pq_ok pq "$LAB_HOST_NEON" 5432 "$LAB_DB" "sslmode=disable"

sc auth-failed
check "psql: password authentication failed" expect_pq_err 'password authentication failed for user "app"' pq_verify "$LAB_HOST_NEON" 5432

sc no-hba
# psql meets the IPv6 address first (getaddrinfo's order), so the server names the IPv6 client
check "psql: no pg_hba.conf entry for $LAB_CLIENT_IP6" expect_pq_err "no pg_hba.conf entry for host \"$LAB_CLIENT_IP6\"" pq_verify "$LAB_HOST_NEON" 5432
check "psql to the IPv4 address: no pg_hba.conf entry for $LAB_CLIENT_IP" expect_pq_err "no pg_hba.conf entry for host \"$LAB_CLIENT_IP\"" pq_verify "$LAB_ENDPOINT_IP_A" 5432

sc tarpit
check "5433 accepts TCP" expect_nc open "$LAB_ENDPOINT_IP_A" 5433
check "s_client on 5433 gets no answer (timeout)" bash -c \
  "timeout 3 ${CX[*]} openssl s_client -starttls postgres -connect $LAB_ENDPOINT_IP_A:5433 </dev/null >/dev/null 2>&1; [[ \$? == 124 ]]"
check "psql on 5433: timeout expired" expect_pq_err "timeout expired" pq "$LAB_ENDPOINT_IP_A" 5433 "$LAB_DB" "connect_timeout=2"

sc v6-no-route
check "IPv6 endpoint: Network is unreachable (no route)" expect_nc netunreach "$LAB_ENDPOINT_IP6_A" 5432
check "IPv4 still open" expect_nc open "$LAB_ENDPOINT_IP_A" 5432
check "AAAA still answered" expect_aaaa "$LAB_ENDPOINT_IP6_A $LAB_ENDPOINT_IP6_B" "$LAB_HOST_NEON"
check "psql by name connects (IPv4)" expect_pq_ok pq_verify "$LAB_HOST_NEON" 5432

sc v6-dropped
check "IPv6 5432 silently dropped" expect_nc timeout "$LAB_ENDPOINT_IP6_A" 5432
check "IPv4 5432 open" expect_nc open "$LAB_ENDPOINT_IP_A" 5432
check "psql connect_timeout=2: IPv6 times out first, IPv4 connects" expect_pq_ok pq "$LAB_HOST_NEON" 5432 "$LAB_DB" "connect_timeout=2"

sc v6-dropped-prefer-v4
check "gai.conf fix: getaddrinfo gives IPv4 first" expect_first_gai v4 "$LAB_HOST_NEON"
check "IPv6 5432 still dropped" expect_nc timeout "$LAB_ENDPOINT_IP6_A" 5432

sc v6-refused
check "IPv6 5432 refused" expect_nc refused "$LAB_ENDPOINT_IP6_B" 5432
check "IPv4 5432 open" expect_nc open "$LAB_ENDPOINT_IP_B" 5432

sc v6-admin-prohibited
check "IPv6 5432: ICMPv6 admin-prohibited (EACCES)" expect_nc denied "$LAB_ENDPOINT_IP6_A" 5432
check "IPv4 5432 open" expect_nc open "$LAB_ENDPOINT_IP_A" 5432

sc v6-only-endpoint
check "no A record (neon)" expect_a "" "$LAB_HOST_NEON"
check "AAAA only (neon)" expect_aaaa "$LAB_ENDPOINT_IP6_A $LAB_ENDPOINT_IP6_B" "$LAB_HOST_NEON"
check "IPv4 service gone" expect_nc timeout "$LAB_ENDPOINT_IP_A" 5432
check "psql verify-full by name over IPv6" expect_pq_ok pq_verify "$LAB_HOST_NEON" 5432

sc aaaa-only-no-route
check "AAAA only (planetscale)" expect_aaaa "$LAB_ENDPOINT_IP6_A $LAB_ENDPOINT_IP6_B" "$LAB_HOST_PLANETSCALE"
check "psql: Network is unreachable" expect_pq_err "Network is unreachable" pq_verify "$LAB_HOST_PLANETSCALE" 5432

echo "# back to healthy"
sc healthy
healthy_checks

echo "# idempotent up"
timeout 60 "$LAB" scenario tls-off >/dev/null 2>&1
check "lab.sh up while up" timeout 60 "$LAB" up
check "lab.sh up again" timeout 60 "$LAB" up
check "scenario is healthy after up" test "$(cat "$PGREACH_LAB_DIR/scenario" 2>/dev/null)" == healthy
check "psql verify-full after re-up" expect_pq_ok pq_verify "$LAB_HOST_AZURE" 5432
check "lab.sh status" bash -c "timeout 20 '$LAB' status >/dev/null"
check "lab.sh scenarios lists 29" bash -c "test \$('$LAB' scenarios | tail -n +2 | wc -l) -eq 29"
check "lab.sh scenarios --tsv: 29 rows of 4 fields" bash -c "test \$('$LAB' scenarios --tsv | awk -F'\t' 'NF == 4' | wc -l) -eq 29"
check "unknown scenario rejected" bash -c "! timeout 20 '$LAB' scenario no-such >/dev/null 2>&1"

echo "# down"
check "lab.sh down" timeout 60 "$LAB" down
check "no ${PGREACH_LAB_PREFIX}- namespaces" bash -c "! ip netns list | grep -q '^${PGREACH_LAB_PREFIX}-'"
no_lab_procs() { ! pgrep -f -- "$PGREACH_LAB_DIR" >/dev/null; }
check "no lab processes" no_lab_procs
check "no state dir" test ! -e "$PGREACH_LAB_DIR"
check "no /etc/netns dirs" bash -c "! ls -d /etc/netns/${PGREACH_LAB_PREFIX}-* >/dev/null 2>&1"
check "root namespace links unchanged" test "$(ip -br link | awk '{print $1}' | sort | tr '\n' ' ')" == "$root_links_before"
check "lab.sh down when nothing is up" timeout 60 "$LAB" down

finished=1
echo "$PASS passed, $FAIL failed"
((FAIL == 0))
