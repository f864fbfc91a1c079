#include "checks/tls/mss_verdict.h"

#include <sys/socket.h>

#include <utility>

namespace pgreach::checks::tls {

using engine::Finding;
using engine::Severity;

Finding stalledHandshake(const OpenProbe& probe, const std::string& detail,
                         const std::vector<MssTry>& tries) {
  const std::string where = probe.label();
  // IP and TCP headers on top of the MSS: the packet size that passed.
  const int headers = probe.address.family == AF_INET6 ? 60 : 40;
  const std::string family = probe.address.family == AF_INET6 ? "IPv6" : "IPv4";
  std::vector<std::string> evidence{where + ": default MSS: " + detail};
  int largest = 0;
  const MssTry* control = nullptr;  // the default MSS tried again after a smaller one worked
  for (const auto& t : tries) {
    const bool isControl = t.mss == 0;
    evidence.push_back(
        where + (isControl ? ": default MSS again: " : ": MSS " + std::to_string(t.mss) + ": ") +
        (t.arrived ? "the server's TLS flight arrived in " + std::to_string(t.ms) + " ms (" + t.detail + ")"
                   : std::string(isControl ? "stalled again" : "stalled too") + " (" + t.detail + ")"));
    if (isControl)
      control = &t;
    else if (t.arrived)
      largest = t.mss;
  }
  if (largest > 0 && control && control->arrived) {
    return {
        "tls.handshake_timeout", Severity::Critical,
        "the TLS handshake stalled once after the server agreed to TLS, then completed at the default MSS "
        "too: the server was slow, not the path MTU",
        std::move(evidence),
        "The server (or a TLS proxy before it) answered late: check its load and connection count (a "
        "PostgreSQL backend is forked for each connection), then probe again; raise --timeout if it is "
        "merely slow."};
  }
  if (largest > 0 && !control) {
    // The proof is the default MSS stalling again; without that try a server that was slow
    // once looks the same as a path that loses large packets.
    evidence.push_back(where + ": default MSS not tried again: no time left before the deadline");
    return {
        "tls.handshake_timeout", Severity::Critical,
        "the TLS handshake stalled at the default MSS and completed at MSS " + std::to_string(largest) +
            "; with no time left to try the default MSS again, a path-MTU black hole is not proven",
        std::move(evidence),
        "Run again with a longer --deadline: pgreach then retries the default MSS, which stalls again on a "
        "path that loses large packets (path-MTU black hole) and completes when the server was only slow."};
  }
  if (largest > 0) {
    const std::string mss = std::to_string(largest);
    const std::string mtu = std::to_string(largest + headers);
    evidence.push_back(where + ": largest MSS that worked: " + mss + " (packets of " + mtu + " bytes over " +
                       family + ")");
    return {
        "tls.path_mtu_blackhole", Severity::Critical,
        "large packets from the server are lost on the path (path-MTU black hole): the TLS handshake stalls "
        "at the default MSS and completes at MSS " +
            mss,
        std::move(evidence),
        "Let ICMP 'fragmentation needed' (type 3 code 4; ICMPv6 'packet too big') reach the server along the "
        "path (security groups, NACLs, firewalls on the VPN or Transit Gateway), or clamp the TCP MSS to " +
            mss +
            " or less where the tunnel starts (e.g. iptables -t mangle -A FORWARD -p tcp --tcp-flags "
            "SYN,RST SYN -j TCPMSS --set-mss " +
            mss + "), or lower this host's MTU to " + mtu + " (ip link set dev IFACE mtu " + mtu + ")."};
  }
  if (tries.empty()) {
    evidence.push_back(where + ": not retried with a smaller MSS: no time left before the deadline");
    return {
        "tls.handshake_timeout", Severity::Critical,
        "the TLS handshake stalled after the server agreed to TLS", std::move(evidence),
        "A middlebox that drops large packets (MTU) or a stalled server: run again with a longer --deadline "
        "so pgreach can retry with a smaller MSS and tell which."};
  }
  return {
      "tls.handshake_timeout", Severity::Critical,
      "the TLS handshake stalled after the server agreed to TLS, with small packets too: the server or a TLS "
      "proxy stalls, not the path MTU",
      std::move(evidence),
      "Check the server's (or the proxy's) load and logs: it accepted TLS and never answered the "
      "ClientHello."};
}

}  // namespace pgreach::checks::tls
