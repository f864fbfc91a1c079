#include "checks/tcp/codes.h"

namespace pgreach::checks::tcp {

const std::vector<engine::CodeDecl>& tcpCodes() {
  static const std::vector<engine::CodeDecl> kCodes = {
      {"tcp.app_address_unreachable", engine::Severity::Critical,
       "The address the application resolves does not answer",
       "The C library (getaddrinfo, which libpq uses) gives the application addresses that DNS does not, and "
       "none of them answers on the connection's port: the application cannot connect, whatever DNS says.",
       "A stale /etc/hosts line pinning the name to an old endpoint address, or another name service "
       "before DNS in /etc/nsswitch.conf (a local cache) answering with an old address.",
       "Remove or correct the /etc/hosts line named in the evidence (or flush the cache that answers), so "
       "libpq gets what DNS answers."},
      {"tcp.capture_file_refused", engine::Severity::Warning,
       "--capture-file not written: secret in its name",
       "The handshake capture asked for with --capture-file was not written, because the file name contains "
       "a "
       "secret from the connection string.",
       "A file name ends up in logs, shell history and the report; pgreach never writes a secret there.",
       "Choose a capture file name without the password in it."},
      {"tcp.capture_file_unwritten", engine::Severity::Warning, "--capture-file not written",
       "The handshake capture asked for with --capture-file was not written: there was no packet capture, or "
       "writing the file failed.",
       "No capture permission (root or CAP_NET_RAW), or the file's directory is missing or not writable.",
       "Run with capture permission and give a writable path to --capture-file."},
      {"tcp.capture_unavailable", engine::Severity::Info, "No packet capture",
       "pgreach could not open a packet capture, so the TCP verdicts rest on what the sockets report (and "
       "ICMP "
       "errors read from the socket error queue or a raw socket).",
       "Capturing needs root or CAP_NET_RAW, or libpcap could not open the \"any\" device.",
       "Run as root, or grant CAP_NET_RAW (setcap cap_net_raw+ep pgreach), to see SYN retransmissions, "
       "SYN-ACKs, RSTs and ICMP errors on the wire."},
      {"tcp.keepalive_after_idle_timeout", engine::Severity::Warning, "Idle connections outlive the path",
       "The first TCP keepalive the application's connections send comes later than the idle timeout of the "
       "path to the provider, so a connection left idle longer is forgotten by the path and its next query "
       "fails: server closed the connection unexpectedly, SSL SYSCALL error: EOF detected, Connection "
       "terminated unexpectedly.",
       "libpq turns keepalives on but leaves their timing to the kernel, whose default "
       "(net.ipv4.tcp_keepalive_time) is 7200 s; the Network Load Balancer behind a PrivateLink endpoint "
       "service drops idle flows after 350 s.",
       "Add keepalives_idle=60 keepalives_interval=10 keepalives_count=6 to the connection string, or "
       "lower net.ipv4.tcp_keepalive_time (sysctl) below the path's idle timeout."},
      {"tcp.keepalive_disabled", engine::Severity::Warning, "TCP keepalives turned off",
       "The connection string sets keepalives=0: idle connections send nothing, and the path to the provider "
       "forgets them after its idle timeout; the next query on such a connection fails.",
       "keepalives=0 copied from an example, or set to save traffic.",
       "Remove keepalives=0 and add keepalives_idle=60 keepalives_interval=10 keepalives_count=6."},
      {"tcp.unstable", engine::Severity::Critical, "Lossy or slow path",
       "Repeated connects to the same address and port lost packets: more than 10 % of them failed or needed "
       "a SYN retransmission, or the round trip exceeded 750 ms (Azure Network Watcher connection monitor's "
       "thresholds). pgreach repeats the connects by itself when the first round shows a retransmission.",
       "Packet loss or congestion on the path (a VPN or Transit Gateway link, an instance over its network "
       "allowance, an overloaded middlebox): every later stage then times out at random.",
       "Find where packets are lost (link drop counters, ethtool -S allowance counters, the endpoint's "
       "health) and probe again."},
      {"tcp.flaky", engine::Severity::Warning, "Some connection attempts fail",
       "With --repeat, the same address and port sometimes answered and sometimes not.",
       "An unhealthy endpoint network interface, an overloaded NAT or firewall, or connection tracking "
       "limits.",
       "Compare the endpoint's interfaces per availability zone; check firewall and NAT limits."},
      {"tcp.icmp_admin_prohibited", engine::Severity::Critical, "Administratively prohibited (ICMP)",
       "A router or firewall answered with ICMP \"communication administratively prohibited\".",
       "A firewall with a reject rule (not a silent drop) between the client and the endpoint.",
       "Find the firewall that rejects (the ICMP source is in the evidence) and allow the port."},
      {"tcp.icmp_host_unreachable", engine::Severity::Critical, "Host unreachable (ICMP)",
       "A router reported that the destination host is unreachable.",
       "The address is not in use (a deleted endpoint ENI), or ARP fails on the last hop.",
       "Check that the endpoint's network interfaces exist and the DNS answer points at them."},
      {"tcp.icmp_net_unreachable", engine::Severity::Critical, "Network unreachable (ICMP)",
       "A router reported that it has no route to the destination network.",
       "A missing route (peering, transit gateway, VPN) to the endpoint's subnet.",
       "Add the route to the endpoint's network on the client's route table."},
      {"tcp.icmp_port_unreachable", engine::Severity::Critical, "ICMP port unreachable",
       "A connection attempt was answered with ICMP port unreachable (the kernel reports it as a refusal).",
       "A firewall on the path rejects the port with a reject rule, or a host answers for the endpoint's "
       "address.",
       "Find the reject rule for this port between the client and the endpoint."},
      {"tcp.local_error", engine::Severity::Critical, "Local socket error",
       "The connection could not be attempted because of a local error (socket limits, permissions).",
       "Resource limits or a local firewall on the client.",
       "See the evidence; raise limits or fix the local firewall."},
      {"tcp.no_addresses", engine::Severity::Critical, "No addresses to probe",
       "The DNS stage produced no addresses, so no TCP probe could run.", "The name did not resolve.",
       "Fix the DNS finding first."},
      {"tcp.no_route", engine::Severity::Critical, "No route to the address",
       "This host has no route to the address (or only an IPv6 answer with no IPv6 route).",
       "A missing default or specific route; an AAAA answer tried on a host without IPv6.",
       "Add the route, or resolve only IPv4 addresses (an A record) for the endpoint."},
      {"tcp.open", engine::Severity::Info, "Port open", "The TCP handshake completed.", "Nothing is wrong.",
       "Nothing to fix."},
      {"tcp.refused", engine::Severity::Critical, "Connection refused",
       "A host answered with a TCP reset: it is reachable, but nothing listens on that port.",
       "The wrong port (e.g. the pooler port is not enabled), the service is down, or a load balancer "
       "without "
       "a listener for that port.",
       "Use a port the provider serves (see the playbook) or start/enable the service on that port."},
      {"tcp.family_fallback", engine::Severity::Warning, "One address family fails, the other works",
       "Every address of one family (IPv4 or IPv6) fails on the connection's port while an address of the "
       "other family opens. The application tries addresses in getaddrinfo's order (/etc/gai.conf decides) "
       "and "
       "pays connect_timeout for each silently dropped one it meets first (the kernel's SYN timeout, 127 s "
       "by "
       "default, without connect_timeout). Critical when that wait has no connect_timeout to end it, or when "
       "the application gets no working address at all.",
       "A dual-stack endpoint on a path that only carries one family: no IPv6 route on the client, a "
       "security "
       "group, NACL or NSG rule that lists only an IPv4 range (no Ipv6Ranges / Ipv6CidrBlock), a firewall "
       "rejecting IPv6, a server not listening on IPv6.",
       "Add the missing route, allow the family's range in the SG/NACL/NSG, or make the application prefer "
       "the working family (/etc/gai.conf: precedence ::ffff:0:0/96 100 for IPv4 first)."},
      {"tcp.repeat_cut_short", engine::Severity::Info, "Fewer --repeat rounds than asked",
       "tcp.connect ran fewer connect rounds than --repeat asked for, because the check's deadline came "
       "first.",
       "Each round can take up to --timeout per address/port pair; the rounds did not fit in --deadline.",
       "Raise --deadline or lower --timeout to fit every --repeat round."},
      {"tcp.silently_dropped", engine::Severity::Critical, "Connection attempts are silently dropped",
       "SYN packets got no answer at all before the timeout: something drops them.",
       "Security groups, NACLs and NSGs drop without answering; also an endpoint that is not available, a "
       "missing route, or NACLs without the ephemeral return ports 1024-65535.",
       "Allow the port in the endpoint's security group / NSG inbound and in the client's outbound rules; "
       "allow ephemeral ports 1024-65535 in NACLs; check the endpoint is available."},
  };
  return kCodes;
}

}  // namespace pgreach::checks::tcp
