#!/usr/bin/env bash
# pgreach lab: a private "VPC" built from network namespaces, with PostgreSQL,
# PgBouncer and unbound inside, and one command per failure scenario.
#
# Network rule: every address lives inside the lab's namespaces. Nothing is
# added to the root namespace, no namespace has a default route, so no packet
# can leave the machine.
set -euo pipefail

P=${PGREACH_LAB_PREFIX:-pgr}
if [[ ! $P =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$ ]]; then
  echo "lab.sh: PGREACH_LAB_PREFIX must match [A-Za-z0-9][A-Za-z0-9_-]{0,19}" >&2
  exit 1
fi
D=${PGREACH_LAB_DIR:-/tmp/pgreach-lab-$P}
case $D in
  /*/*) ;;
  *) echo "lab.sh: PGREACH_LAB_DIR must be an absolute path below a top-level directory (got '$D')" >&2; exit 1 ;;
esac
D=${D%/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGBIN=/usr/lib/postgresql/15/bin
PY=/usr/bin/python3

NS_C=$P-client NS_R=$P-router NS_DNS=$P-resolver NS_DNS2=$P-resolver2 NS_E=$P-endpoint
ALL_NS=("$NS_C" "$NS_R" "$NS_DNS" "$NS_DNS2" "$NS_E")

VPC_CIDR=10.40.0.0/16
IP_CLIENT=10.40.1.10 GW_CLIENT=10.40.1.1
IP_DNS=10.40.0.2 IP_DNS2=10.40.0.3 GW_DNS=10.40.0.1
IP_EP_A=10.40.2.120 GW_EP_A=10.40.2.1
IP_EP_B=10.40.3.118 GW_EP_B=10.40.3.1
IP_PUBLIC=198.51.100.20      # TEST-NET-2: never routable in the lab
IP_WRONG=10.40.2.57          # resolver2's stale answer in dns-disagree

# IPv6: a ULA prefix (RFC 4193), so nothing can leave even by mistake; one /64 per IPv4
# /24, the host part kept (10.40.2.120 -> fd40:0:0:2::120). Routes cover VPC6_CIDR only.
VPC6_CIDR=fd40::/48
IP6_CLIENT=fd40:0:0:1::10 GW6_CLIENT=fd40:0:0:1::1
IP6_DNS=fd40::2 IP6_DNS2=fd40::3 GW6_DNS=fd40::1
IP6_EP_A=fd40:0:0:2::120 GW6_EP_A=fd40:0:0:2::1
IP6_EP_B=fd40:0:0:3::118 GW6_EP_B=fd40:0:0:3::1
IP6_WRONG=fd40:0:0:2::57

H_NEON=ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech
H_NEON_PUBLIC=ep-cool-lab-123456.us-east-1.aws.neon.tech
H_PS=pslab01.private-pg.psdb.cloud
H_AZ=labserver.postgres.database.azure.com
H_AZ_PL=labserver.privatelink.postgres.database.azure.com
H_AZ_PUBLIC=labserver.rs-lab0public.postgres.database.azure.com
H_HEROKU=vpce-0abc123def4567890-lab00001.vpce-svc-0123456789abcdef0.us-east-1.vpce.amazonaws.com
H_WRONG=other.example.internal

PG_USER=app PG_PASSWORD=lab-secret-pw PG_DB=appdb
PG_BAD_PASSWORD=rotated-by-lab-auth-failed

# name|fault|stage|code  (also the README table)
SCENARIOS=(
  "healthy|none|-|verdict ok"
  "sg-missing-6432|endpoint nft: stateful silent drop of NEW tcp to 6432|tcp|tcp.silently_dropped"
  "nacl-no-ephemeral|router: stateless drop endpoint->client tcp dport 1024-65535|tcp|tcp.silently_dropped"
  "refused-5433|pgbouncer on 5433 stopped, nothing listens|tcp|tcp.refused"
  "icmp-admin-prohibited|router: reject client->endpoint tcp 5432 with icmp admin-prohibited|tcp|tcp.icmp_admin_prohibited"
  "dns-public|private names answer public $IP_PUBLIC (unroutable in the lab)|dns|dns.answer_public"
  "dns-nxdomain|private names NXDOMAIN|dns|dns.nxdomain"
  "dns-servfail|resolver answers SERVFAIL for the private names|dns|dns.servfail"
  "dns-silent|resolver ns drops udp/tcp 53: no answer ever|dns|dns.timeout"
  "dns-disagree|resolver2 ($IP_DNS2) answers $IP_WRONG; client resolv.conf lists both|dns|dns.resolvers_disagree"
  "azure-chain-broken|CNAME to $H_AZ_PL exists, privatelink name NXDOMAIN|dns|dns.azure_privatelink_nxdomain"
  "tls-expired|server cert (lab CA) expired|tls|tls.cert_expired"
  "tls-wrong-host|server cert (lab CA) only for $H_WRONG|tls|tls.cert_wrong_host"
  "tls-self-signed|self-signed server cert, not from the lab CA|tls|tls.cert_untrusted"
  "tls-not-yet-valid|server cert (lab CA) valid from 3 hours after lab up|tls|tls.cert_not_yet_valid"
  "tls-off|postgres ssl=off|tls|tls.not_supported"
  "auth-failed|role app password changed, $PG_PASSWORD fails|postgres|pg.auth_failed"
  "no-hba|pg_hba has no line for $IP_CLIENT|postgres|pg.no_hba_entry"
  "tarpit|5433 accepts TCP and never answers (pgbouncer replaced by a tarpit)|tls|tls.no_response"
  "lossy|router: drops every third SYN from the client to the endpoints (numgen inc mod 3)|tcp|tcp.unstable"
  "mtu-blackhole|router: drops endpoint->client packets over 1240 bytes, no ICMP (a small-MTU hop whose 'fragmentation needed' is filtered)|tls|tls.path_mtu_blackhole"
  "hosts-pinned|client /etc/hosts pins the private names to $IP_WRONG (a stale address: the router drops it); DNS is healthy|tcp|tcp.app_address_unreachable"
  "v6-no-route|client has no IPv6 route; the names still have AAAA answers beside A|dns|dns.aaaa_no_ipv6_route"
  "v6-dropped|router silently drops IPv6 tcp client->endpoint, IPv4 works; getaddrinfo gives IPv6 first|tcp|tcp.family_fallback"
  "v6-dropped-prefer-v4|v6-dropped, with the fix: client gai.conf 'precedence ::ffff:0:0/96 100' (IPv4 first)|tcp|tcp.family_fallback"
  "v6-refused|endpoint answers IPv6 SYNs with RST, IPv4 works|tcp|tcp.family_fallback"
  "v6-admin-prohibited|router rejects IPv6 tcp client->endpoint with icmpv6 admin-prohibited, IPv4 works|tcp|tcp.family_fallback"
  "v6-only-endpoint|names answer AAAA only, endpoint drops IPv4: an IPv6-only endpoint, reachable|-|verdict ok"
  "aaaa-only-no-route|names answer AAAA only and the client has no IPv6 route|dns|dns.aaaa_no_ipv6_route"
)

log() { echo "lab[$P]: $*" >&2; }
die() { echo "lab[$P]: error: $*" >&2; exit 1; }
need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (it creates network namespaces); try: sudo $0 $*"
}
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
as_pg() { local ns=$1; shift; ip netns exec "$ns" runuser -u postgres -- "$@"; }
ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }
alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for TRIES SLEEP CMD...: bounded retry
wait_for() {
  local n=$1 s=$2; shift 2
  local i
  for ((i = 0; i < n; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep "$s"
  done
  return 1
}

# ---------------------------------------------------------------- teardown
kill_pidfile() {  # kill_pidfile FILE [SIG]
  local f=$1 sig=${2:-TERM} pid i
  [[ -f $f ]] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

cmd_down() {
  need_root down
  # Postgres first, properly, so no shared memory is left behind.
  if [[ -f $D/pgdata/postmaster.pid ]] && ns_exists "$NS_E"; then
    as_pg "$NS_E" "$PGBIN/pg_ctl" -D "$D/pgdata" -m immediate -t 10 stop >/dev/null 2>&1 || true
  fi
  local ns pids i
  for ns in "${ALL_NS[@]}"; do
    ns_exists "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [[ -n $pids ]]; then
      kill -TERM $pids 2>/dev/null || true
      for ((i = 0; i < 30; i++)); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [[ -z $pids ]] && break
        sleep 0.1
      done
      [[ -n $pids ]] && kill -KILL $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
  done
  for ns in "${ALL_NS[@]}"; do rm -rf "/etc/netns/$ns"; done
  rmdir /etc/netns 2>/dev/null || true  # only if empty (other labs may still use it)
  # Only delete a directory this script made (marker), never a user's folder.
  if [[ -e $D ]]; then
    if [[ -f $D/.pgreach-lab ]] || [[ -z $(ls -A "$D" 2>/dev/null) ]]; then
      rm -rf "$D"
    else
      log "warning: $D has no .pgreach-lab marker; not deleting it"
    fi
  fi
  log "down"
}

# ---------------------------------------------------------------- topology
make_topology() {
  local ns
  for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns"
    # IPv6 on lab links, from the plan above only: no router advertisements taken, no
    # autoconfigured addresses beyond link-local (addresses are added nodad so the
    # servers can bind them at once)
    nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.all.autoconf=0 net.ipv6.conf.default.autoconf=0
    ip -n "$ns" link set lo up
  done
  # All veth pairs are created inside the router namespace and the peer is
  # moved straight into its namespace: nothing ever exists in the root ns.
  ip -n "$NS_R" link add to-client type veth peer name eth0 netns "$NS_C"
  ip -n "$NS_R" link add to-dns type veth peer name eth0 netns "$NS_DNS"
  ip -n "$NS_R" link add to-dns2 type veth peer name eth0 netns "$NS_DNS2"
  ip -n "$NS_R" link add to-ep-a type veth peer name eth0 netns "$NS_E"
  ip -n "$NS_R" link add to-ep-b type veth peer name eth1 netns "$NS_E"

  nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.forwarding=1
  # The client is configured as a provider's docs would have it: keepalives well inside the
  # path's idle timeout (tcp.keepalive: 350 s on AWS, 240 s on Azure; the kernel's 7200 s
  # default would be a warning on every healthy run).
  nsx "$NS_C" sysctl -qw net.ipv4.tcp_keepalive_time=60
  ip -n "$NS_R" -batch - <<EOF
link add br-dns type bridge
link set to-dns master br-dns
link set to-dns2 master br-dns
addr add $GW_DNS/24 dev br-dns
addr add $GW_CLIENT/24 dev to-client
addr add $GW_EP_A/24 dev to-ep-a
addr add $GW_EP_B/24 dev to-ep-b
addr add $GW6_DNS/64 dev br-dns nodad
addr add $GW6_CLIENT/64 dev to-client nodad
addr add $GW6_EP_A/64 dev to-ep-a nodad
addr add $GW6_EP_B/64 dev to-ep-b nodad
link set br-dns up
link set to-dns up
link set to-dns2 up
link set to-client up
link set to-ep-a up
link set to-ep-b up
EOF
  ip -n "$NS_C" -batch - <<EOF
addr add $IP_CLIENT/24 dev eth0
addr add $IP6_CLIENT/64 dev eth0 nodad
link set eth0 up
route add $VPC_CIDR via $GW_CLIENT dev eth0
EOF
  client_v6_route add
  ip -n "$NS_DNS" -batch - <<EOF
addr add $IP_DNS/24 dev eth0
addr add $IP6_DNS/64 dev eth0 nodad
link set eth0 up
route add $VPC_CIDR via $GW_DNS dev eth0
route add $VPC6_CIDR via $GW6_DNS dev eth0
EOF
  ip -n "$NS_DNS2" -batch - <<EOF
addr add $IP_DNS2/24 dev eth0
addr add $IP6_DNS2/64 dev eth0 nodad
link set eth0 up
route add $VPC_CIDR via $GW_DNS dev eth0
route add $VPC6_CIDR via $GW6_DNS dev eth0
EOF
  # Endpoint: two ENIs in two "AZ" subnets; each answers via its own subnet's
  # router address (policy routing), like an ENI in its own subnet.
  ip -n "$NS_E" -batch - <<EOF
addr add $IP_EP_A/24 dev eth0
addr add $IP_EP_B/24 dev eth1
link set eth0 up
link set eth1 up
route add $VPC_CIDR via $GW_EP_A dev eth0 src $IP_EP_A
route add $VPC_CIDR via $GW_EP_B dev eth1 src $IP_EP_B table 103
rule add from $IP_EP_B table 103 pref 100
addr add $IP6_EP_A/64 dev eth0 nodad
addr add $IP6_EP_B/64 dev eth1 nodad
route add $VPC6_CIDR via $GW6_EP_A dev eth0 src $IP6_EP_A
route add $VPC6_CIDR via $GW6_EP_B dev eth1 src $IP6_EP_B table 103
EOF
  ip -n "$NS_E" -6 rule add from "$IP6_EP_B" table 103 pref 100
  mkdir -p "/etc/netns/$NS_C"
  write_client_hosts healthy
  write_client_resolv healthy
}

# The client's IPv6 route to the VPC's IPv6 range: v6-no-route and aaaa-only-no-route
# take it away (a host on an IPv4-only network that still gets AAAA answers).
client_v6_route() {  # client_v6_route add|del
  if [[ $1 == add ]]; then
    ip -n "$NS_C" -6 route replace "$VPC6_CIDR" via "$GW6_CLIENT" dev eth0
  else
    ip -n "$NS_C" -6 route del "$VPC6_CIDR" 2>/dev/null || true
  fi
}

# The client's /etc/gai.conf (bound over /etc/gai.conf like hosts). Healthy: none, and
# glibc (2.36 here) then puts the ULA AAAA answers before the A answers (its default
# precedence table ranks ::ffff:0:0/96 below ::/0), so applications try IPv6 first, as
# they do with the global IPv6 addresses AWS and Azure hand out. prefer-v4: the fix
# pgreach gives for a broken IPv6 path, "precedence ::ffff:0:0/96 100".
write_client_gai() {
  local f=/etc/netns/$NS_C/gai.conf
  if [[ $1 == prefer-v4 ]]; then
    printf '%s\n' "# pgreach lab: IPv4 before IPv6" "precedence ::ffff:0:0/96 100" >"$f.tmp"
    mv "$f.tmp" "$f"
  else
    rm -f "$f"
  fi
}

# The client's /etc/hosts (ip netns exec binds /etc/netns/NS/hosts over /etc/hosts).
write_client_hosts() {
  local f=/etc/netns/$NS_C/hosts
  {
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n'
    [[ $1 == hosts-pinned ]] && printf '%s\t%s %s %s %s\n' "$IP_WRONG" "$H_NEON" "$H_PS" "$H_AZ" "$H_HEROKU"
    true
  } >"$f.tmp"
  mv "$f.tmp" "$f"
}

write_client_resolv() {
  local f=/etc/netns/$NS_C/resolv.conf
  {
    echo "# pgreach lab ($1)"
    echo "nameserver $IP_DNS"
    [[ $1 == dns-disagree ]] && echo "nameserver $IP_DNS2"
    echo "options timeout:2 attempts:1"
  } >"$f.tmp"
  mv "$f.tmp" "$f"
}

# ---------------------------------------------------------------- TLS
make_tls() {
  local t=$D/tls
  mkdir -p "$t/ca/newcerts"
  : >"$t/ca/index.txt"
  echo 1000 >"$t/ca/serial"
  local san="DNS:$H_NEON,DNS:$H_PS,DNS:$H_AZ,DNS:$H_AZ_PL,DNS:$H_HEROKU,DNS:$H_NEON_PUBLIC,DNS:localhost,IP:$IP_EP_A,IP:$IP_EP_B,IP:$IP6_EP_A,IP:$IP6_EP_B,IP:127.0.0.1"
  cat >"$t/ca.cnf" <<EOF
[ ca ]
default_ca = labca
[ labca ]
dir = $t/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = $t/ca.crt
private_key = $t/ca.key
default_md = sha256
default_days = 825
policy = pol
unique_subject = no
email_in_dn = no
[ pol ]
commonName = supplied
[ srv ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $san
[ wrong ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:$H_WRONG
EOF
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout "$t/ca.key" -out "$t/ca.crt" -days 3650 \
    -subj "/O=pgreach lab/CN=pgreach lab CA $P" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -new "${ec[@]}" -keyout "$t/server.key" -out "$t/server.csr" -subj "/CN=$H_NEON" 2>/dev/null
  openssl req -new "${ec[@]}" -keyout "$t/wrong.key" -out "$t/wrong.csr" -subj "/CN=$H_WRONG" 2>/dev/null
  openssl ca -batch -notext -config "$t/ca.cnf" -extensions srv -in "$t/server.csr" -out "$t/server.crt" -days 825 2>/dev/null
  openssl ca -batch -notext -config "$t/ca.cnf" -extensions srv -in "$t/server.csr" -out "$t/expired.crt" \
    -startdate 20200101000000Z -enddate 20210101000000Z 2>/dev/null
  openssl ca -batch -notext -config "$t/ca.cnf" -extensions wrong -in "$t/wrong.csr" -out "$t/wrong.crt" -days 825 2>/dev/null
  openssl ca -batch -notext -config "$t/ca.cnf" -extensions srv -in "$t/server.csr" -out "$t/future.crt" \
    -startdate "$(date -u -d '+3 hours' +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d '+400 days' +%Y%m%d%H%M%SZ)" 2>/dev/null
  cp "$t/server.key" "$t/expired.key"
  cp "$t/server.key" "$t/future.key"
  openssl req -x509 "${ec[@]}" -keyout "$t/selfsigned.key" -out "$t/selfsigned.crt" -days 825 \
    -subj "/CN=$H_NEON" -addext "subjectAltName=$san" 2>/dev/null
  # Clients trust the lab CA plus the roots Azure documents (tests/data/trust/), as a bundle
  # prepared for Azure's CA rotation holds them (tls.trust_store).
  cat "$t/ca.crt" "$HERE"/../data/trust/*.pem > "$t/ca-bundle.crt"
  chmod 644 "$t"/*.crt
  mkdir -p "$D/pgtls"
  chown postgres: "$D/pgtls"
  chmod 700 "$D/pgtls"
}

install_pg_cert() {  # install_pg_cert server|expired|future|wrong|selfsigned
  install -o postgres -g postgres -m 644 "$D/tls/$1.crt" "$D/pgtls/server.crt"
  install -o postgres -g postgres -m 600 "$D/tls/$1.key" "$D/pgtls/server.key"
}

# ---------------------------------------------------------------- DNS
zone() {  # zone FILE ORIGIN RECORDS...
  local f=$1 o=$2; shift 2
  {
    echo "\$ORIGIN $o."
    echo "\$TTL 30"
    echo "@ IN SOA ns.lab.invalid. hostmaster.lab.invalid. 1 60 60 60 30"
    echo "@ IN NS ns.lab.invalid."
    local r
    for r in "$@"; do echo "$r"; done
  } >"$f"
}

# both NAME ADDR4 ADDR6...: a dual-stack name's records (A and AAAA of each endpoint ENI)
both() {
  local n=$1; shift
  local a
  for a in "$@"; do
    if [[ $a == *:* ]]; then echo "$n IN AAAA $a"; else echo "$n IN A $a"; fi
  done
}

# write_dns NAME LISTEN_IP MODE ; MODE: healthy public nxdomain servfail wrong azure-broken aaaa-only
write_dns() {
  local name=$1 ip=$2 mode=$3 z=$D/dns/$1 ip6=$4
  mkdir -p "$z"
  local her=vpce-0abc123def4567890-lab00001.vpce-svc-0123456789abcdef0
  local eps=("$IP_EP_A" "$IP_EP_B" "$IP6_EP_A" "$IP6_EP_B")
  local a_neon a_ps a_her pl
  mapfile -t a_neon < <(both ep-cool-lab-123456 "${eps[@]}")
  mapfile -t a_ps < <(both pslab01 "${eps[@]}")
  mapfile -t a_her < <(both "$her" "${eps[@]}")
  local az=("labserver IN CNAME $H_AZ_PL." "labserver.rs-lab0public IN A $IP_PUBLIC")
  mapfile -t pl < <(both labserver "$IP_EP_A" "$IP6_EP_A")
  case $mode in
    healthy | servfail) ;;
    aaaa-only)
      mapfile -t a_neon < <(both ep-cool-lab-123456 "$IP6_EP_A" "$IP6_EP_B")
      mapfile -t a_ps < <(both pslab01 "$IP6_EP_A" "$IP6_EP_B")
      mapfile -t a_her < <(both "$her" "$IP6_EP_A" "$IP6_EP_B")
      mapfile -t pl < <(both labserver "$IP6_EP_A") ;;
    public)
      a_neon=("ep-cool-lab-123456 IN A $IP_PUBLIC")
      a_ps=("pslab01 IN A $IP_PUBLIC")
      a_her=("vpce-0abc123def4567890-lab00001.vpce-svc-0123456789abcdef0 IN A $IP_PUBLIC")
      az=("labserver IN CNAME $H_AZ_PUBLIC." "labserver.rs-lab0public IN A $IP_PUBLIC") ;;
    nxdomain)
      a_neon=() a_ps=() a_her=() az=("labserver.rs-lab0public IN A $IP_PUBLIC") pl=() ;;
    wrong)
      mapfile -t a_neon < <(both ep-cool-lab-123456 "$IP_WRONG" "$IP6_WRONG")
      mapfile -t a_ps < <(both pslab01 "$IP_WRONG" "$IP6_WRONG")
      mapfile -t a_her < <(both "$her" "$IP_WRONG" "$IP6_WRONG")
      mapfile -t pl < <(both labserver "$IP_WRONG" "$IP6_WRONG") ;;
    azure-broken) pl=() ;;
    *) die "unknown dns mode $mode" ;;
  esac
  zone "$z/neon.zone" vpce.us-east-1.aws.neon.tech ${a_neon[@]+"${a_neon[@]}"}
  zone "$z/neonpub.zone" us-east-1.aws.neon.tech "ep-cool-lab-123456 IN A $IP_PUBLIC"
  zone "$z/ps.zone" private-pg.psdb.cloud ${a_ps[@]+"${a_ps[@]}"}
  zone "$z/heroku.zone" us-east-1.vpce.amazonaws.com ${a_her[@]+"${a_her[@]}"}
  zone "$z/azure.zone" postgres.database.azure.com ${az[@]+"${az[@]}"}
  zone "$z/pl.zone" privatelink.postgres.database.azure.com ${pl[@]+"${pl[@]}"}

  local c=$z/unbound.conf.new
  # the marker TXT record says which configuration is loaded
  local sum
  sum=$(cat "$z"/*.zone | md5sum | cut -d" " -f1)
  sum=$(echo "$sum $mode $ip" | md5sum | cut -c1-16)
  echo "$sum" >"$z/state.want"
  cat >"$c" <<EOF
# pgreach lab resolver $name ($mode): authoritative for lab zones only,
# no recursion, no forwarding; anything else is NXDOMAIN.
server:
  interface: $ip
  interface: $ip6
  interface: 127.0.0.1
  port: 53
  do-ip6: yes
  username: ""
  chroot: ""
  directory: "$z"
  pidfile: "$D/run/unbound-$name.pid"
  use-syslog: no
  logfile: "$D/log/unbound-$name.log"
  verbosity: 1
  num-threads: 1
  so-reuseport: no
  module-config: "iterator"
  do-not-query-localhost: no
  access-control: 0.0.0.0/0 refuse
  access-control: 127.0.0.0/8 refuse
  access-control: $VPC_CIDR allow
  access-control: ::/0 refuse
  access-control: $VPC6_CIDR allow
  cache-max-ttl: 5
  cache-max-negative-ttl: 5
  local-zone: "." static
  local-zone: "lab-state.invalid." static
  local-data: "lab-state.invalid. 0 IN TXT $sum"
EOF
  local zn
  for zn in vpce.us-east-1.aws.neon.tech:neon us-east-1.aws.neon.tech:neonpub private-pg.psdb.cloud:ps \
    us-east-1.vpce.amazonaws.com:heroku postgres.database.azure.com:azure privatelink.postgres.database.azure.com:pl; do
    echo "  local-zone: \"${zn%%:*}.\" transparent" >>"$c"
  done
  if [[ $mode == servfail ]]; then
    # Private zones delegated to this resolver's own 127.0.0.1, which refuses:
    # every upstream refuses, so unbound answers SERVFAIL at once.
    for zn in vpce.us-east-1.aws.neon.tech private-pg.psdb.cloud us-east-1.vpce.amazonaws.com \
      postgres.database.azure.com privatelink.postgres.database.azure.com; do
      printf 'stub-zone:\n  name: "%s."\n  stub-addr: 127.0.0.1@53\n' "$zn" >>"$c"
    done
    printf 'auth-zone:\n  name: "us-east-1.aws.neon.tech."\n  zonefile: "%s"\n  for-downstream: no\n  for-upstream: yes\n' "$z/neonpub.zone" >>"$c"
  else
    for zn in vpce.us-east-1.aws.neon.tech:neon us-east-1.aws.neon.tech:neonpub private-pg.psdb.cloud:ps \
      us-east-1.vpce.amazonaws.com:heroku postgres.database.azure.com:azure privatelink.postgres.database.azure.com:pl; do
      printf 'auth-zone:\n  name: "%s."\n  zonefile: "%s"\n  for-downstream: no\n  for-upstream: yes\n' \
        "${zn%%:*}" "$z/${zn##*:}.zone" >>"$c"
    done
  fi
  if [[ -f $z/unbound.conf ]] && cmp -s "$c" "$z/unbound.conf" && alive "$D/run/unbound-$name.pid"; then
    rm -f "$c"
    return 1  # unchanged
  fi
  mv "$c" "$z/unbound.conf"
  return 0
}

dns_state_is() {  # dns_state_is NS IP SUM
  [[ $(nsx "$1" dig +short +time=1 +tries=1 "@$2" lab-state.invalid TXT 2>/dev/null) == "\"$3\"" ]]
}

start_dns() {  # start_dns NAME NS IP ; reload in place (SIGHUP) when running: much faster than a restart
  local name=$1 ns=$2 ip=$3 pidf=$D/run/unbound-$1.pid
  if alive "$pidf"; then
    kill -HUP "$(cat "$pidf")"
  else
    nsx "$ns" unbound -c "$D/dns/$name/unbound.conf" || die "unbound $name failed to start, see $D/log/unbound-$name.log"
  fi
  wait_for 100 0.05 dns_state_is "$ns" "$ip" "$(cat "$D/dns/$name/state.want")" ||
    die "unbound $name not answering with the new configuration"
}

set_dns() {  # set_dns MODE1 MODE2
  write_dns resolver "$IP_DNS" "$1" "$IP6_DNS" && start_dns resolver "$NS_DNS" "$IP_DNS"
  write_dns resolver2 "$IP_DNS2" "$2" "$IP6_DNS2" && start_dns resolver2 "$NS_DNS2" "$IP_DNS2"
  return 0
}

# ---------------------------------------------------------------- Postgres
pg_hba() {  # pg_hba healthy|no-hba
  local f=$D/pgdata/pg_hba.conf
  {
    echo "# pgreach lab pg_hba ($1)"
    echo "local all all peer"
    echo "host all all 127.0.0.1/32 scram-sha-256"
    if [[ $1 == no-hba ]]; then
      echo "hostssl all all 10.40.2.0/24 scram-sha-256"
      echo "hostssl all all 10.40.3.0/24 scram-sha-256"
      echo "hostssl all all fd40:0:0:2::/64 scram-sha-256"
      echo "hostssl all all fd40:0:0:3::/64 scram-sha-256"
    else
      echo "hostssl all all $VPC_CIDR scram-sha-256"
      echo "host all all $VPC_CIDR scram-sha-256"
      echo "hostssl all all $VPC6_CIDR scram-sha-256"
      echo "host all all $VPC6_CIDR scram-sha-256"
    fi
  } >"$f"
  chown postgres: "$f"
}

psql_admin() {
  as_pg "$NS_E" psql -X -q -h "$D/run" -p 5432 -d postgres -v ON_ERROR_STOP=1 "$@"
}

make_postgres() {
  mkdir -p "$D/run" "$D/log"
  chown postgres: "$D/run" "$D/log"
  install -d -o postgres -g postgres -m 700 "$D/pgdata"
  as_pg "$NS_E" "$PGBIN/initdb" -D "$D/pgdata" -N -U postgres -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 >"$D/log/initdb.log" 2>&1 ||
    die "initdb failed, see $D/log/initdb.log"
  cat >>"$D/pgdata/postgresql.conf" <<EOF

# ---- pgreach lab ----
listen_addresses = '$IP_EP_A,$IP_EP_B,$IP6_EP_A,$IP6_EP_B,127.0.0.1'
port = 5432
unix_socket_directories = '$D/run'
ssl = on
ssl_cert_file = '$D/pgtls/server.crt'
ssl_key_file = '$D/pgtls/server.key'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
max_wal_senders = 0
wal_level = minimal
log_connections = on
log_line_prefix = '%m [%p] %h '
include_if_exists = '$D/pg-scenario.conf'
EOF
  install_pg_cert server
  pg_hba healthy
  as_pg "$NS_E" "$PGBIN/pg_ctl" -D "$D/pgdata" -l "$D/log/postgres.log" -w -t 30 start >/dev/null ||
    die "postgres failed to start, see $D/log/postgres.log"
  psql_admin -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
}

pg_reload() {
  as_pg "$NS_E" "$PGBIN/pg_ctl" -D "$D/pgdata" reload >/dev/null
  sleep 0.3  # SIGHUP is asynchronous; new backends see the new config after this
}

# ---------------------------------------------------------------- PgBouncer
make_pgbouncer_conf() {
  mkdir -p "$D/pgbouncer"
  printf '"%s" "%s"\n' "$PG_USER" "$PG_PASSWORD" >"$D/pgbouncer/userlist.txt"
  # The providers' poolers (PlanetScale PSBouncer, Azure's and Heroku's PgBouncer) speak
  # TLS, so the lab's do too, with the healthy certificate (TLS scenarios change only 5432).
  cp "$D/tls/server.crt" "$D/tls/server.key" "$D/pgbouncer/"
  local port
  for port in 6432 5433; do
    cat >"$D/pgbouncer/pgbouncer-$port.ini" <<EOF
[databases]
$PG_DB = host=127.0.0.1 port=5432 dbname=$PG_DB
[pgbouncer]
listen_addr = $IP_EP_A,$IP_EP_B,$IP6_EP_A,$IP6_EP_B
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $D/pgbouncer/userlist.txt
admin_users = $PG_USER
pidfile = $D/run/pgbouncer-$port.pid
logfile = $D/log/pgbouncer-$port.log
pool_mode = session
max_client_conn = 50
default_pool_size = 5
server_connect_timeout = 5
server_login_retry = 1
client_login_timeout = 10
ignore_startup_parameters = extra_float_digits
client_tls_sslmode = allow
client_tls_cert_file = $D/pgbouncer/server.crt
client_tls_key_file = $D/pgbouncer/server.key
EOF
  done
  chown -R postgres: "$D/pgbouncer"
  chmod 600 "$D/pgbouncer/userlist.txt" "$D/pgbouncer/server.key"
}

start_pgbouncer() {
  local port=$1
  alive "$D/run/pgbouncer-$port.pid" && return 0
  as_pg "$NS_E" pgbouncer -q -d "$D/pgbouncer/pgbouncer-$port.ini" ||
    die "pgbouncer $port failed, see $D/log/pgbouncer-$port.log"
  wait_for 50 0.1 nsx "$NS_E" nc -z -w 1 "$IP_EP_A" "$port" || die "pgbouncer $port not listening"
}

stop_pgbouncer() { kill_pidfile "$D/run/pgbouncer-$1.pid"; }

# ---------------------------------------------------------------- tarpit
start_tarpit() {
  cat >"$D/tarpit.py" <<'EOF'
# Accepts TCP and never sends a byte. Bounded: lives 1 h at most, holds
# each connection 120 s at most, 200 connections at most.
import os, selectors, socket, sys, time
pidfile, port, addrs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sel = selectors.DefaultSelector()
for a in addrs:
    s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, port)); s.listen(64); sel.register(s, selectors.EVENT_READ)
with open(pidfile + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(pidfile + ".tmp", pidfile)
held, end = [], time.time() + 3600
while time.time() < end:
    for key, _ in sel.select(timeout=1):
        c, _ = key.fileobj.accept()
        held.append((c, time.time()))
    now = time.time()
    keep = [(c, t) for c, t in held if now - t < 120]
    for c, t in held:
        if now - t >= 120: c.close()
    while len(keep) > 200: keep.pop(0)[0].close()
    held = keep
EOF
  chmod 644 "$D/tarpit.py"
  nsx "$NS_E" setpriv --reuid=postgres --regid=postgres --init-groups -- \
    "$PY" "$D/tarpit.py" "$D/run/tarpit.pid" 5433 "$IP_EP_A" "$IP_EP_B" "$IP6_EP_A" "$IP6_EP_B" \
    </dev/null >>"$D/log/tarpit.log" 2>&1 &
  disown || true
  wait_for 50 0.1 test -s "$D/run/tarpit.pid" || die "tarpit did not start, see $D/log/tarpit.log"
}

# ---------------------------------------------------------------- scenarios
nft_in() { local ns=$1; nsx "$ns" nft -f -; }

reset_healthy() {  # reset_healthy [DNS_MODE1 DNS_MODE2 RESOLV]: DNS goes straight to the target modes
  local ns
  for ns in "${ALL_NS[@]}"; do nsx "$ns" nft flush ruleset; done
  kill_pidfile "$D/run/tarpit.pid"
  start_pgbouncer 6432
  start_pgbouncer 5433
  write_client_resolv "${3:-healthy}"
  write_client_hosts healthy
  write_client_gai healthy
  client_v6_route add
  set_dns "${1:-healthy}" "${2:-healthy}"
  local prev=healthy
  [[ -f $D/scenario ]] && prev=$(cat "$D/scenario")
  case $prev in
    tls-* | no-hba)
      install_pg_cert server
      pg_hba healthy
      : >"$D/pg-scenario.conf"
      pg_reload ;;
    auth-failed)
      psql_admin -c "ALTER ROLE $PG_USER PASSWORD '$PG_PASSWORD'" ;;
  esac
  echo healthy >"$D/scenario"
}

scenario_known() {
  local s
  for s in "${SCENARIOS[@]}"; do [[ ${s%%|*} == "$1" ]] && return 0; done
  return 1
}

cmd_scenario() {
  need_root scenario
  local name=${1:-}
  [[ -n $name ]] || die "usage: lab.sh scenario NAME (see: lab.sh scenarios)"
  scenario_known "$name" || die "unknown scenario '$name' (see: lab.sh scenarios)"
  [[ -f $D/scenario ]] || die "lab is not up (run: lab.sh up)"
  local dns=(healthy healthy healthy)
  case $name in
    dns-public) dns=(public public healthy) ;;
    dns-nxdomain) dns=(nxdomain nxdomain healthy) ;;
    dns-servfail) dns=(servfail servfail healthy) ;;
    dns-disagree) dns=(healthy wrong dns-disagree) ;;
    azure-chain-broken) dns=(azure-broken azure-broken healthy) ;;
    v6-only-endpoint | aaaa-only-no-route) dns=(aaaa-only aaaa-only healthy) ;;
  esac
  reset_healthy "${dns[@]}"
  case $name in
    healthy | dns-public | dns-nxdomain | dns-servfail | dns-disagree | azure-chain-broken) ;;
    sg-missing-6432)
      nft_in "$NS_E" <<'EOF'
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    tcp dport 6432 ct state new drop
  }
}
EOF
      ;;
    nacl-no-ephemeral)
      nft_in "$NS_R" <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr { 10.40.2.0/24, 10.40.3.0/24 } ip daddr 10.40.1.0/24 tcp dport 1024-65535 drop
    ip6 saddr { fd40:0:0:2::/64, fd40:0:0:3::/64 } ip6 daddr fd40:0:0:1::/64 tcp dport 1024-65535 drop
  }
}
EOF
      ;;
    refused-5433) stop_pgbouncer 5433 ;;
    icmp-admin-prohibited)
      nft_in "$NS_R" <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr 10.40.1.0/24 ip daddr { $IP_EP_A, $IP_EP_B } tcp dport 5432 reject with icmp type admin-prohibited
    ip6 saddr fd40:0:0:1::/64 ip6 daddr { $IP6_EP_A, $IP6_EP_B } tcp dport 5432 reject with icmpv6 type admin-prohibited
  }
}
EOF
      ;;
    dns-silent)
      nft_in "$NS_DNS" <<'EOF'
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport 53 drop
    tcp dport 53 drop
  }
}
EOF
      ;;
    tls-expired) install_pg_cert expired; pg_reload ;;
    tls-wrong-host) install_pg_cert wrong; pg_reload ;;
    tls-self-signed) install_pg_cert selfsigned; pg_reload ;;
    tls-not-yet-valid) install_pg_cert future; pg_reload ;;
    tls-off) echo "ssl = off" >"$D/pg-scenario.conf"; pg_reload ;;
    auth-failed) psql_admin -c "ALTER ROLE $PG_USER PASSWORD '$PG_BAD_PASSWORD'" ;;
    no-hba) pg_hba no-hba; pg_reload ;;
    tarpit) stop_pgbouncer 5433; start_tarpit ;;
    lossy)
      # A third of the SYNs toward the endpoint lost, deterministically (a counter, not
      # chance): of six connects sent at once two lose their SYN and at least one of those
      # opens after the 1 s retransmission, so every run sees the loss the same way.
      nft_in "$NS_R" <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    iifname "to-client" oifname { "to-ep-a", "to-ep-b" } tcp flags & (syn | ack) == syn numgen inc mod 3 == 0 drop
  }
}
EOF
      ;;
    mtu-blackhole)
      # What a VPN or Transit Gateway hop with a 1240-byte MTU does when its ICMP
      # "fragmentation needed" never reaches the server: every larger packet is lost.
      nft_in "$NS_R" <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr { $IP_EP_A, $IP_EP_B } ip daddr 10.40.1.0/24 ip length > 1240 drop
    ip6 saddr { $IP6_EP_A, $IP6_EP_B } ip6 daddr fd40:0:0:1::/64 meta length > 1240 drop
  }
}
EOF
      ;;
    hosts-pinned)
      write_client_hosts hosts-pinned
      nft_in "$NS_R" <<EOF
table ip lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip daddr $IP_WRONG drop
  }
}
EOF
      ;;
    v6-no-route) client_v6_route del ;;
    v6-dropped | v6-dropped-prefer-v4 | v6-refused | v6-admin-prohibited)
      [[ $name == v6-dropped-prefer-v4 ]] && write_client_gai prefer-v4
      local verdict="drop"
      [[ $name == v6-admin-prohibited ]] && verdict="reject with icmpv6 type admin-prohibited"
      if [[ $name == v6-refused ]]; then
        nft_in "$NS_E" <<EOF
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    meta nfproto ipv6 tcp dport { 5432, 5433, 6432 } reject with tcp reset
  }
}
EOF
      else
        nft_in "$NS_R" <<EOF
table inet lab {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip6 saddr fd40:0:0:1::/64 ip6 daddr { $IP6_EP_A, $IP6_EP_B } meta l4proto tcp $verdict
  }
}
EOF
      fi ;;
    v6-only-endpoint)
      # An endpoint with no IPv4 service at all: IPv4 connects are dropped at the endpoint.
      nft_in "$NS_E" <<EOF
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    meta nfproto ipv4 iifname { "eth0", "eth1" } tcp dport { 5432, 5433, 6432 } drop
  }
}
EOF
      ;;
    aaaa-only-no-route) client_v6_route del ;;
  esac
  echo "$name" >"$D/scenario"
  log "scenario $name"
}

# scenarios: the table for people. scenarios --tsv: one line per scenario, no header,
# NAME<TAB>STAGE<TAB>CODE<TAB>FAULT, for the C++ lab tests (tests/support/lab_scenarios.h),
# which take every expected code from here.
cmd_scenarios() {
  local s name fault stage code tsv=0
  case ${1:-} in
    "") ;;
    --tsv) tsv=1 ;;
    *) die "usage: lab.sh scenarios [--tsv]" ;;
  esac
  ((tsv)) || printf '%-22s %-9s %-32s %s\n' SCENARIO STAGE CODE FAULT
  for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name fault stage code <<<"$s"
    if ((tsv)); then
      printf '%s\t%s\t%s\t%s\n' "$name" "$stage" "$code" "$fault"
    else
      printf '%-22s %-9s %-32s %s\n' "$name" "$stage" "$code" "$fault"
    fi
  done
}

# ---------------------------------------------------------------- up/status/env
lab_healthy_running() {
  [[ -f $D/scenario ]] || return 1
  local ns pid
  for ns in "${ALL_NS[@]}"; do ns_exists "$ns" || return 1; done
  pid=$(head -1 "$D/pgdata/postmaster.pid" 2>/dev/null) || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  alive "$D/run/unbound-resolver.pid" && alive "$D/run/unbound-resolver2.pid" || return 1
}

cmd_up() {
  need_root up
  local start
  start=$(date +%s%N)
  command -v unbound >/dev/null && command -v pgbouncer >/dev/null && [[ -x $PGBIN/postgres ]] ||
    die "missing packages; see tests/lab/PACKAGES"
  if lab_healthy_running; then
    log "already up; resetting to healthy"
    reset_healthy
    return 0
  fi
  cmd_down 2>/dev/null
  trap 'rc=$?; if ((rc)); then echo "lab[$P]: up failed; tearing down" >&2; cmd_down 2>/dev/null; fi' EXIT
  [[ ! -e $D ]] || die "$D exists and is not a lab state dir; remove it or set PGREACH_LAB_DIR"
  install -d -m 755 "$D"
  echo "pgreach lab state dir, prefix $P; removed by lab.sh down" >"$D/.pgreach-lab"
  runuser -u postgres -- test -r "$D/.pgreach-lab" ||
    die "user postgres cannot reach $D (a parent directory is not searchable); choose another PGREACH_LAB_DIR"
  mkdir -p "$D/run" "$D/log" "$D/dns"
  make_topology
  make_tls
  make_postgres
  make_pgbouncer_conf
  echo healthy >"$D/scenario"
  : >"$D/pg-scenario.conf"
  reset_healthy
  trap - EXIT
  local ms=$((($(date +%s%N) - start) / 1000000))
  log "up in $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
}

cmd_status() {
  need_root status
  local ns
  echo "prefix: $P   state dir: $D"
  echo "scenario: $(cat "$D/scenario" 2>/dev/null || echo '(lab down)')"
  for ns in "${ALL_NS[@]}"; do
    if ns_exists "$ns"; then echo "netns $ns: up"; else echo "netns $ns: missing"; fi
  done
  local f
  for f in "$D"/run/*.pid "$D/pgdata/postmaster.pid"; do
    [[ -f $f ]] || continue
    if kill -0 "$(head -1 "$f")" 2>/dev/null; then echo "process $(basename "$f" .pid): running ($(head -1 "$f"))"
    else echo "process $(basename "$f" .pid): dead"; fi
  done
  ns_exists "$NS_E" && { echo "endpoint listeners:"; nsx "$NS_E" ss -Hltn | awk '{print "  " $4}'; }
  ns_exists "$NS_DNS" && { echo "resolver listeners:"; nsx "$NS_DNS" ss -Hlun | awk '{print "  udp " $4}'; }
  return 0
}

cmd_env() {
  cat <<EOF
export PGREACH_LAB_PREFIX='$P'
export PGREACH_LAB_DIR='$D'
export LAB_NS_CLIENT='$NS_C'
export LAB_NS_ROUTER='$NS_R'
export LAB_NS_RESOLVER='$NS_DNS'
export LAB_NS_RESOLVER2='$NS_DNS2'
export LAB_NS_ENDPOINT='$NS_E'
export LAB_CLIENT_IP='$IP_CLIENT'
export LAB_RESOLVER='$IP_DNS'
export LAB_RESOLVER2='$IP_DNS2'
export LAB_ENDPOINT_IP_A='$IP_EP_A'
export LAB_ENDPOINT_IP_B='$IP_EP_B'
export LAB_PUBLIC_IP='$IP_PUBLIC'
export LAB_WRONG_IP='$IP_WRONG'
export LAB_VPC_CIDR='$VPC_CIDR'
export LAB_VPC6_CIDR='$VPC6_CIDR'
export LAB_CLIENT_IP6='$IP6_CLIENT'
export LAB_RESOLVER6='$IP6_DNS'
export LAB_ENDPOINT_IP6_A='$IP6_EP_A'
export LAB_ENDPOINT_IP6_B='$IP6_EP_B'
export LAB_WRONG_IP6='$IP6_WRONG'
export LAB_HOST_NEON='$H_NEON'
export LAB_HOST_NEON_PUBLIC='$H_NEON_PUBLIC'
export LAB_HOST_PLANETSCALE='$H_PS'
export LAB_HOST_AZURE='$H_AZ'
export LAB_HOST_AZURE_PRIVATELINK='$H_AZ_PL'
export LAB_HOST_HEROKU='$H_HEROKU'
export LAB_HOST_WRONG='$H_WRONG'
export LAB_CA='$D/tls/ca-bundle.crt'
export LAB_USER='$PG_USER'
export LAB_PASSWORD='$PG_PASSWORD'
export LAB_DB='$PG_DB'
export LAB_PORT_PG=5432
export LAB_PORT_PGBOUNCER=6432
export LAB_PORT_PGBOUNCER2=5433
export LAB_SH='$HERE/lab.sh'
EOF
}

usage() {
  cat <<EOF
usage: lab.sh up | down | scenario NAME | scenarios [--tsv] | status | exec CMD... | env
  env PGREACH_LAB_PREFIX (default pgr) names everything; PGREACH_LAB_DIR the state dir.
EOF
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    scenario) cmd_scenario "$@" ;;
    scenarios) cmd_scenarios "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    exec)
      need_root exec
      [[ $# -gt 0 ]] || die "usage: lab.sh exec CMD..."
      ns_exists "$NS_C" || die "lab is not up"
      exec ip netns exec "$NS_C" "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
