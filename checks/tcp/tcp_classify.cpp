#include "checks/tcp/tcp_classify.h"

#include <cmath>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "util/strings.h"

namespace pgreach::checks::tcp {
namespace {

using engine::Finding;
using engine::Severity;
using net::ConnectOutcome;

Verdict fromOutcome(ConnectOutcome o) {
  switch (o) {
    case ConnectOutcome::Open:
      return Verdict::Open;
    case ConnectOutcome::Refused:
      return Verdict::Refused;
    case ConnectOutcome::TimedOut:
      return Verdict::Dropped;
    case ConnectOutcome::HostUnreachable:
      return Verdict::HostUnreachable;
    case ConnectOutcome::NetUnreachable:
      return Verdict::NetUnreachable;
    case ConnectOutcome::NoRoute:
      return Verdict::NoRoute;
    case ConnectOutcome::LocalError:
      return Verdict::LocalError;
  }
  return Verdict::LocalError;
}

// Whether the ICMP kind names the verdict more precisely than connect()'s errno did.
Verdict refineByIcmp(Verdict v, net::evidence::IcmpKind kind) {
  if (kind == net::evidence::IcmpKind::AdminProhibited &&
      (v == Verdict::HostUnreachable || v == Verdict::NetUnreachable || v == Verdict::Dropped ||
       v == Verdict::Refused)) {
    return Verdict::AdminProhibited;
  }
  if (kind == net::evidence::IcmpKind::PortUnreachable && v == Verdict::Refused)
    return Verdict::PortUnreachable;
  return v;
}

std::string ms(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", v);
  return b;
}

std::string joinPorts(const std::set<uint16_t>& ports) {
  std::vector<std::string> s;
  for (auto p : ports) s.push_back(std::to_string(p));
  return util::join(s, ", ");
}

}  // namespace

const char* outcomeName(Verdict v) {
  switch (v) {
    case Verdict::Open:
      return "open";
    case Verdict::Refused:
      return "refused";
    case Verdict::Dropped:
      return "timeout";
    case Verdict::HostUnreachable:
      return "host_unreachable";
    case Verdict::NetUnreachable:
      return "net_unreachable";
    case Verdict::PortUnreachable:
      return "refused";
    case Verdict::AdminProhibited:
      return "admin_prohibited";
    case Verdict::NoRoute:
      return "no_route";
    case Verdict::LocalError:
      return "local_error";
  }
  return "local_error";
}

const char* findingCode(Verdict v) {
  switch (v) {
    case Verdict::Open:
      return "tcp.open";
    case Verdict::Refused:
      return "tcp.refused";
    case Verdict::Dropped:
      return "tcp.silently_dropped";
    case Verdict::HostUnreachable:
      return "tcp.icmp_host_unreachable";
    case Verdict::NetUnreachable:
      return "tcp.icmp_net_unreachable";
    case Verdict::PortUnreachable:
      return "tcp.icmp_port_unreachable";
    case Verdict::AdminProhibited:
      return "tcp.icmp_admin_prohibited";
    case Verdict::NoRoute:
      return "tcp.no_route";
    case Verdict::LocalError:
      return "tcp.local_error";
  }
  return "tcp.local_error";
}

Stability stabilityOf(const std::vector<Attempt>& attempts,
                      const std::vector<net::evidence::FlowEvidence::End>& wire) {
  Stability s;
  s.attempts = attempts.size();
  std::vector<double> rtts;
  for (const auto& a : attempts) {
    const bool open = a.outcome == ConnectOutcome::Open;
    const auto seen = std::find_if(wire.begin(), wire.end(), [&a](const auto& e) {
      return a.localPort != 0 && e.clientPort == a.localPort;
    });
    if (open && seen != wire.end() && seen->handshakeMs >= 0) {
      if (seen->syns > 1)
        ++s.lost;
      else
        rtts.push_back(seen->handshakeMs);
    } else if (!open || a.elapsedMs >= kRetransmittedConnectMs) {
      ++s.lost;
    } else {
      rtts.push_back(a.elapsedMs);
    }
  }
  if (s.attempts) s.lossPercent = 100.0 * static_cast<double>(s.lost) / static_cast<double>(s.attempts);
  if (!rtts.empty()) {
    double sum = 0, diff = 0;
    for (size_t i = 0; i < rtts.size(); ++i) {
      sum += rtts[i];
      if (i) diff += std::abs(rtts[i] - rtts[i - 1]);
    }
    s.rttMin = *std::min_element(rtts.begin(), rtts.end());
    s.rttMax = *std::max_element(rtts.begin(), rtts.end());
    s.rttAvg = sum / static_cast<double>(rtts.size());
    if (rtts.size() > 1) s.jitter = diff / static_cast<double>(rtts.size() - 1);
  }
  return s;
}

bool Stability::unstable(int openCount) const {
  if (openCount == 0 || attempts < 2) return false;
  return lossPercent > 10.0 || (rttAvg && *rttAvg > 750.0);
}

std::string Stability::describe() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f %%", lossPercent);
  std::string out = std::to_string(attempts) + " connects, " + std::to_string(lost) +
                    " lost or retransmitted (" + buf + ")";
  auto msText = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return std::string(b);
  };
  if (rttAvg)
    out += ", RTT min/avg/max " + msText(*rttMin) + " / " + msText(*rttAvg) + " / " + msText(*rttMax) + " ms";
  if (jitter) out += ", jitter " + msText(*jitter) + " ms";
  return out;
}

bool showsLoss(const std::vector<std::vector<Attempt>>& perTarget) {
  for (const auto& attempts : perTarget) {
    size_t open = 0;
    for (const auto& a : attempts) {
      if (a.outcome != ConnectOutcome::Open) continue;
      if (a.elapsedMs >= kRetransmittedConnectMs) return true;
      ++open;
    }
    if (open > 0 && open < attempts.size()) return true;
  }
  return false;
}

std::optional<engine::Finding> unstableFinding(const std::vector<ProbeVerdict>& probes) {
  std::vector<std::string> evidence;
  double worst = 0;
  std::string worstLabel;
  for (const auto& p : probes) {
    const Stability s = stabilityOf(p.attempts, p.wireEnds);
    if (!s.unstable(p.openCount)) continue;
    evidence.push_back(p.label() + ": " + s.describe());
    for (const auto& e : p.packetEvidence) evidence.push_back("  wire: " + e);
    if (s.lossPercent >= worst) worst = s.lossPercent, worstLabel = p.label();
  }
  if (evidence.empty()) return std::nullopt;
  char pct[16];
  std::snprintf(pct, sizeof pct, "%.0f %%", worst);
  return engine::Finding{
      "tcp.unstable", Severity::Critical,
      "the path loses packets: up to " + std::string(pct) + " of connection attempts to " + worstLabel +
          " failed or needed a retransmission; later stages time out at random on such a path",
      evidence,
      "Find where packets are lost between this host and the endpoint: the VPN, Transit Gateway or Direct "
      "Connect link's drop and error counters, this instance's network limits (ethtool -S eth0: "
      "*_allowance_exceeded on AWS ENA), and the endpoint's health; then probe again."};
}

std::string ProbeVerdict::label() const {
  const std::string a = address.toString();
  return (address.isV4() ? a : "[" + a + "]") + ":" + std::to_string(port);
}

ProbeVerdict decide(const std::string& host, const net::IpAddress& address, uint16_t port,
                    const std::vector<Attempt>& attempts, const net::evidence::FlowEvidence* evidence) {
  ProbeVerdict p;
  p.host = host;
  p.address = address;
  p.port = port;
  p.attempts = attempts;
  std::vector<double> openTimes;
  std::map<Verdict, int> counts;
  for (const auto& a : attempts) {
    const Verdict v = fromOutcome(a.outcome);
    ++counts[v];
    if (v == Verdict::Open) openTimes.push_back(a.elapsedMs);
  }
  p.openCount = static_cast<int>(openTimes.size());
  if (!openTimes.empty()) {
    std::sort(openTimes.begin(), openTimes.end());
    p.minMs = openTimes.front();
    p.maxMs = openTimes.back();
    const size_t n = openTimes.size();
    p.medianMs = n % 2 ? openTimes[n / 2] : (openTimes[n / 2 - 1] + openTimes[n / 2]) / 2.0;
    p.elapsedMs = *p.medianMs;
    p.verdict = Verdict::Open;
    p.flaky = p.openCount < static_cast<int>(attempts.size());
  } else if (!counts.empty()) {
    // The most frequent failure decides; ties go to the latest attempt's.
    int best = -1;
    for (auto it = attempts.rbegin(); it != attempts.rend(); ++it) {
      const Verdict v = fromOutcome(it->outcome);
      if (counts[v] > best) best = counts[v], p.verdict = v;
    }
    p.elapsedMs = attempts.back().elapsedMs;
  }
  if (p.verdict != Verdict::Open) {
    // The socket's own ICMP report (latest attempt that failed the way the verdict says).
    const Verdict plain = p.verdict;
    for (auto it = attempts.rbegin(); it != attempts.rend(); ++it) {
      if (!it->icmp || fromOutcome(it->outcome) != plain) continue;
      p.verdict = refineByIcmp(plain, net::evidence::icmpKind(it->icmp->v6, it->icmp->type, it->icmp->code));
      p.socketEvidence = it->icmp->evidence();
      break;
    }
  }
  if (evidence) {
    if (p.verdict != Verdict::Open) p.verdict = refineByIcmp(p.verdict, evidence->icmpVerdict());
    p.packetEvidence = evidence->evidence();
    p.wireEnds = evidence->ends;
    if (p.verdict == Verdict::Dropped && evidence->synAcks > 0) {
      p.packetEvidence.push_back(
          "the SYN-ACK reached this machine but the connection never completed: a local firewall "
          "(nftables/iptables "
          "input rules) or reverse-path filtering drops the reply here, not on the path");
    }
  }
  return p;
}

std::vector<Finding> findingsFor(const std::vector<ProbeVerdict>& probes, double timeoutSeconds) {
  std::vector<Finding> out;
  std::map<Verdict, std::vector<const ProbeVerdict*>> byVerdict;
  for (const auto& p : probes) byVerdict[p.verdict].push_back(&p);
  const size_t total = probes.size();

  // The shape of the drops: which ports, which addresses, and what answered beside them.
  std::set<uint16_t> droppedPorts, answeringPorts;
  std::set<net::IpAddress> droppedAddrs, answeringAddrs;
  for (const auto& p : probes) {
    if (p.verdict == Verdict::Dropped) {
      droppedPorts.insert(p.port);
      droppedAddrs.insert(p.address);
    } else if (p.verdict == Verdict::Open || p.verdict == Verdict::Refused) {
      answeringPorts.insert(p.port);
      answeringAddrs.insert(p.address);
    }
  }
  // Who the rule must allow: our source address when we know it (a SG rule names a CIDR).
  std::string clientText = "the client's address/subnet";
  for (const auto& p : probes) {
    if (p.verdict == Verdict::Dropped && !p.clientAddress.empty()) {
      clientText = "the client's address " + p.clientAddress + " (or its subnet)";
      break;
    }
  }
  std::set<uint16_t> portsOnlyDropped;
  for (auto port : droppedPorts) {
    if (!answeringPorts.count(port)) portsOnlyDropped.insert(port);
  }

  auto lines = [](const std::vector<const ProbeVerdict*>& ps, Verdict v, double timeoutS) {
    std::vector<std::string> ev;
    for (const auto* p : ps) {
      std::string l = p->label() + " (" + p->host + ")";
      const size_t n = p->attempts.size();
      if (v == Verdict::Dropped) {
        char b[64];
        std::snprintf(b, sizeof b, " no reply within %.1f s", timeoutS);
        l += b;
      } else {
        l += " " + std::string(outcomeName(v)) + " after " + ms(p->elapsedMs);
        if (!p->attempts.empty() && !p->attempts.back().detail.empty())
          l += " (" + p->attempts.back().detail + ")";
      }
      if (n > 1) l += ", " + std::to_string(n) + " of " + std::to_string(n) + " attempts";
      ev.push_back(l);
      if (!p->socketEvidence.empty()) ev.push_back("  " + p->socketEvidence);
      for (const auto& e : p->packetEvidence) ev.push_back("  wire: " + e);
    }
    return ev;
  };

  for (const auto& [verdict, ps] : byVerdict) {
    if (verdict == Verdict::Open) continue;
    Finding f;
    f.code = findingCode(verdict);
    f.severity = Severity::Critical;
    f.evidence = lines(ps, verdict, timeoutSeconds);
    std::set<uint16_t> verdictPorts;
    for (const auto* p : ps) verdictPorts.insert(p->port);
    const std::string count =
        std::to_string(ps.size()) + " of " + std::to_string(total) + " address/port pair(s) " +
        (verdictPorts.size() > 1 ? "on ports " : "on port ") + joinPorts(verdictPorts) + " ";
    switch (verdict) {
      case Verdict::Dropped: {
        f.summary = count + "silently dropped (no SYN-ACK, no RST, no ICMP)";
        if (droppedPorts.size() && answeringPorts.empty() && ps.size() == total) {
          f.fix =
              "Every port on every address is silently dropped: suspect the path as a whole. Check the route "
              "table of the client's subnet (a route to the endpoint subnet), the network ACLs on both "
              "subnets "
              "(inbound to the port AND outbound/inbound return traffic on ephemeral ports 1024-65535: a "
              "missing return rule drops the SYN-ACK and looks the same from here), and the endpoint's state "
              "(available/approved, present in this AZ).";
        } else if (!portsOnlyDropped.empty()) {
          const std::string dp = joinPorts(portsOnlyDropped);
          const bool manyDropped = portsOnlyDropped.size() > 1, manyAnswering = answeringPorts.size() > 1;
          f.fix = std::string(manyDropped ? "Ports " : "Port ") + dp + (manyDropped ? " are" : " is") +
                  " silently dropped while " + (manyAnswering ? "ports " : "port ") +
                  joinPorts(answeringPorts) + (manyAnswering ? " answer" : " answers") +
                  " on the same endpoint: a security group, NSG or NACL rule is missing for TCP " + dp +
                  ". Add an inbound rule for TCP " + dp + " from " + clientText +
                  " to the endpoint's security group (Azure: an NSG rule), and "
                  "allow " +
                  dp + " in the NACLs of both subnets.";
        } else {
          std::vector<std::string> addrs;
          for (const auto& a : droppedAddrs) {
            if (!answeringAddrs.count(a)) addrs.push_back(a.toString());
          }
          f.fix = addrs.empty()
                      ? "Some address/port pairs drop while the same ports answer elsewhere: the subnet (AZ) "
                        "of the "
                        "dropping endpoint interface differs; compare its NACL and route table with the "
                        "working one."
                      : "Address " + util::join(addrs, ", ") +
                            " drops while other endpoint addresses answer: the subnet (AZ) of that endpoint "
                            "interface: check its NACL, its route table and that the endpoint is available "
                            "in that AZ.";
        }
        break;
      }
      case Verdict::Refused: {
        std::set<uint16_t> ports;
        for (const auto* p : ps) ports.insert(p->port);
        f.summary = count + "refused the connection (TCP RST): the host answered but nothing listens";
        f.fix =
            "Nothing listens on port " + joinPorts(ports) +
            ": check the port in the connection string and that the service (PostgreSQL or the provider's "
            "pooler) is running there. Security groups, NACLs and NSGs drop silently and never refuse, so "
            "this "
            "is the service or the port, not the firewall.";
        break;
      }
      case Verdict::AdminProhibited:
        f.summary = count + "rejected with ICMP administratively prohibited";
        f.fix =
            "A firewall or ACL on the path rejects this traffic explicitly (ICMP admin-prohibited, which the "
            "kernel reports as \"No route to host\"): find the deny/reject rule for this port between the "
            "client and the endpoint (NACL deny entry, NSG Deny rule, host firewall on the router named in "
            "the "
            "evidence).";
        break;
      case Verdict::HostUnreachable:
        f.summary = count + "answered with ICMP host unreachable";
        f.fix =
            "A router on the path cannot reach the endpoint's address (no ARP/neighbour answer): the "
            "endpoint "
            "interface may be gone or in another state; check the endpoint and the route tables.";
        break;
      case Verdict::NetUnreachable:
        f.summary = count + "answered with ICMP network unreachable";
        f.fix = "A router on the path has no route to the endpoint's network: check the route tables.";
        break;
      case Verdict::PortUnreachable:
        f.summary = count + "answered with ICMP port unreachable";
        f.fix =
            "A firewall rejects the port with ICMP port-unreachable (a reject rule), or a host answers it "
            "for "
            "the endpoint: find the reject rule for this port on the path.";
        break;
      case Verdict::NoRoute:
        f.summary = count + "have no route from this machine: nothing was sent";
        f.fix =
            "This machine has no route to the address. If DNS returned a public address, the private path is "
            "not "
            "in use (enable private DNS on the endpoint); for an IPv6 answer, check IPv6 routing.";
        break;
      case Verdict::LocalError:
        f.summary = count + "could not be probed because of a local error";
        f.fix = "Check local resource limits (open files) and permissions.";
        break;
      case Verdict::Open:
        break;
    }
    out.push_back(std::move(f));
  }

  std::vector<std::string> flaky;
  size_t flakyCount = 0;
  for (const auto& p : probes) {
    if (p.flaky) {
      ++flakyCount;
      std::vector<std::string> failed;
      for (const auto& a : p.attempts) {
        if (a.outcome != ConnectOutcome::Open) failed.push_back(std::string(net::toString(a.outcome)));
      }
      flaky.push_back(p.label() + " connected " + std::to_string(p.openCount) + " of " +
                      std::to_string(p.attempts.size()) + " attempts (others: " + util::join(failed, ", ") +
                      ")");
      for (const auto& e : p.packetEvidence) flaky.push_back("  wire: " + e);
    }
  }
  if (!flaky.empty()) {
    out.push_back(
        {"tcp.flaky", Severity::Warning,
         std::to_string(flakyCount) + " address/port pair(s) connect only some of the time", flaky,
         "Intermittent: packet loss, an overloaded endpoint or a stateful device running out of entries. "
         "Repeat with a larger --repeat and compare per-address results (one AZ?)."});
  }

  const auto itOpen = byVerdict.find(Verdict::Open);
  if (itOpen != byVerdict.end()) {
    std::vector<std::string> ev;
    for (const auto* p : itOpen->second) {
      std::string l = p->label() + " open in " + ms(p->elapsedMs);
      if (p->attempts.size() > 1 && p->minMs) {
        l += " (min/median/max " + ms(*p->minMs) + " / " + ms(*p->medianMs) + " / " + ms(*p->maxMs) +
             " over " + std::to_string(p->openCount) + " connects)";
      }
      ev.push_back(l);
    }
    out.push_back({"tcp.open", Severity::Info,
                   std::to_string(itOpen->second.size()) + " of " + std::to_string(total) +
                       " address/port pair(s) open",
                   ev, ""});
  }
  return out;
}

std::optional<Finding> appResolutionFinding(const AppResolution& app,
                                            const std::vector<ProbeVerdict>& probes) {
  auto probeOf = [&](const net::IpAddress& a) -> const ProbeVerdict* {
    for (const auto& p : probes) {
      if (p.host == app.host && p.address == a && p.port == app.port) return &p;
    }
    return nullptr;
  };
  const bool hidesDns = std::any_of(app.system.begin(), app.system.end(), [&](const net::IpAddress& a) {
    return std::find(app.dns.begin(), app.dns.end(), a) == app.dns.end();
  });
  if (app.system.empty() || !hidesDns) return std::nullopt;
  std::vector<std::string> evidence;
  for (const auto& a : app.system) {
    const ProbeVerdict* p = probeOf(a);
    if (!p || p->verdict == Verdict::Open) return std::nullopt;
    evidence.push_back("libpq connects to " + p->label() + ": " + outcomeName(p->verdict) + " after " +
                       std::to_string(static_cast<long long>(p->elapsedMs)) + " ms");
    if (!p->socketEvidence.empty()) evidence.push_back("  " + p->socketEvidence);
    for (const auto& e : p->packetEvidence) evidence.push_back("  wire: " + e);
  }
  std::vector<std::string> systemText, dnsText;
  for (const auto& a : app.system) systemText.push_back(a.toString());
  std::vector<std::string> dnsOpen;
  for (const auto& a : app.dns) {
    dnsText.push_back(a.toString());
    if (const ProbeVerdict* p = probeOf(a); p && p->verdict == Verdict::Open) dnsOpen.push_back(p->label());
  }
  const bool pinned = !app.hostsLines.empty();
  for (const auto& l : app.hostsLines) evidence.push_back(l);
  if (!app.nsswitchHosts.empty()) evidence.push_back("/etc/nsswitch.conf: " + app.nsswitchHosts);
  evidence.push_back("DNS answers " + app.host + " with " +
                     (dnsText.empty() ? std::string("no address") : util::join(dnsText, ", ")) +
                     (dnsOpen.empty() ? "" : "; open: " + util::join(dnsOpen, ", ")));
  std::string summary = "the application connects to " + util::join(systemText, ", ") + " for " + app.host +
                        (pinned ? " because /etc/hosts pins it there" : " as the C library resolves it") +
                        ", and nothing answers on port " + std::to_string(app.port) + "; DNS answers " +
                        (dnsText.empty() ? std::string("no address") : util::join(dnsText, ", "));
  if (!dnsOpen.empty()) summary += ", where " + util::join(dnsOpen, ", ") + " answer";
  std::string fix =
      pinned
          ? "Remove the " + app.host +
                " line from /etc/hosts (a stale pin outlives endpoint changes), or correct its address, so "
                "libpq gets what DNS answers."
          : "Find the name service that answers before DNS (the hosts: line of /etc/nsswitch.conf; nscd, "
            "systemd-resolved or dnsmasq caches: resolvectl flush-caches) so libpq gets what DNS answers.";
  return Finding{"tcp.app_address_unreachable", Severity::Critical, std::move(summary), std::move(evidence),
                 std::move(fix)};
}

std::optional<int> libpqConnectTimeout(const std::string& value) {
  if (value.empty()) return std::nullopt;
  long v = 0;
  for (char c : value) {
    if (c < '0' || c > '9' || v > 100000000) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return std::nullopt;
  return static_cast<int>(std::max(v, 2L));
}

int synTimeoutSeconds(int retries) {
  retries = std::clamp(retries, 0, 20);
  return (1 << (retries + 1)) - 1;
}

namespace {

const char* familyName(const net::IpAddress& a) { return a.isV4() ? "IPv4" : "IPv6"; }

// What fixes the failing family, from how it failed.
std::string familyFix(bool v6Fails, const std::set<Verdict>& how, uint16_t port) {
  const std::string fam = v6Fails ? "IPv6" : "IPv4";
  const std::string other = v6Fails ? "IPv4" : "IPv6";
  const std::string prefer =
      v6Fails ? "make the application try IPv4 first: add \"precedence ::ffff:0:0/96 100\" "
                "to /etc/gai.conf"
              : "make the application try IPv6 first: add \"precedence ::/0 100\" to "
                "/etc/gai.conf";
  std::vector<std::string> steps;
  if (how.count(Verdict::NoRoute) || how.count(Verdict::NetUnreachable)) {
    steps.push_back(v6Fails
                        ? "Add the IPv6 route: give this host an IPv6 address and a route to the endpoint's "
                          "IPv6 range (the subnet's route table needs the VPC's IPv6 CIDR as local, or ::/0 "
                          "for a remote endpoint)"
                        : "Add the IPv4 route to the endpoint's range on this host and in the subnet's route "
                          "table");
  }
  if (how.count(Verdict::Dropped) || how.count(Verdict::AdminProhibited) ||
      how.count(Verdict::HostUnreachable)) {
    steps.push_back(
        v6Fails
            ? "Allow the IPv6 range on port " + std::to_string(port) +
                  ": security group rules need Ipv6Ranges (an IPv4 CidrIp does not cover "
                  "IPv6), NACLs an Ipv6CidrBlock entry each way (ephemeral ports back), NSG rules "
                  "the IPv6 prefix"
            : "Allow the IPv4 range on port " + std::to_string(port) + " in the security group / NACL / NSG");
  }
  if (how.count(Verdict::Refused) || how.count(Verdict::PortUnreachable)) {
    steps.push_back("Make the server listen on its " + fam + " addresses on port " + std::to_string(port) +
                    " (PostgreSQL listen_addresses, PgBouncer listen_addr)");
  }
  if (how.count(Verdict::LocalError)) steps.push_back("Check this host's " + fam + " stack");
  std::string fix = util::join(steps, "; ") + ". Until then, " + prefer + ", or remove the " +
                    (v6Fails ? "AAAA" : "A") + " record (an AWS endpoint's DnsOptions.DnsRecordIpType " +
                    (v6Fails ? "ipv4" : "ipv6") + "), so " + other + " is used at once.";
  return fix;
}

}  // namespace

std::optional<FamilyFallback> familyFallback(const AppResolution& app,
                                             const std::vector<ProbeVerdict>& probes, const AppWait& wait) {
  auto probeOf = [&](const net::IpAddress& a) -> const ProbeVerdict* {
    for (const auto& p : probes) {
      if (p.host == app.host && p.address == a && p.port == app.port) return &p;
    }
    return nullptr;
  };
  int v4 = 0, v6 = 0, v4Open = 0, v6Open = 0;
  for (const auto& p : probes) {
    if (p.host != app.host || p.port != app.port) continue;
    const bool open = p.verdict == Verdict::Open;
    (p.address.isV4() ? v4 : v6) += 1;
    (p.address.isV4() ? v4Open : v6Open) += open ? 1 : 0;
  }
  const bool v6Fails = v6 > 0 && v6Open == 0 && v4Open > 0;
  const bool v4Fails = v4 > 0 && v4Open == 0 && v6Open > 0;
  if (!v6Fails && !v4Fails) return std::nullopt;
  const std::string fam = v6Fails ? "IPv6" : "IPv4";
  const std::string other = v6Fails ? "IPv4" : "IPv6";

  FamilyFallback out;
  std::set<Verdict> how;
  std::vector<std::string> evidence;
  for (const auto& p : probes) {
    if (p.host != app.host || p.address.isV4() != v4Fails) continue;
    if (std::find(out.covered.begin(), out.covered.end(), p.address) == out.covered.end())
      out.covered.push_back(p.address);
    if (p.port != app.port) continue;
    how.insert(p.verdict);
    std::string l = p.label() + " " + outcomeName(p.verdict) + " after " + ms(p.elapsedMs);
    if (!p.attempts.empty() && !p.attempts.back().detail.empty()) l += " (" + p.attempts.back().detail + ")";
    evidence.push_back(l);
    if (!p.socketEvidence.empty()) evidence.push_back("  " + p.socketEvidence);
    for (const auto& e : p.packetEvidence) evidence.push_back("  wire: " + e);
  }

  // The application's walk through getaddrinfo's order, up to the first address that opens.
  std::vector<std::string> order;
  for (const auto& a : app.system) order.push_back(a.toString());
  const bool orderKnown = !app.system.empty();
  double delayS = 0;
  int droppedFirst = 0, failedFirst = 0;
  bool reached = false;
  for (const auto& a : app.system) {
    const ProbeVerdict* p = probeOf(a);
    if (!p) continue;
    if (p->verdict == Verdict::Open) {
      reached = true;
      break;
    }
    ++failedFirst;
    if (p->verdict == Verdict::Dropped) {
      ++droppedFirst;
      delayS += wait.connectTimeoutS ? *wait.connectTimeoutS : wait.kernelSynTimeoutS;
    } else {
      delayS += p->elapsedMs / 1000.0;
    }
  }
  const std::string firstFamily = orderKnown ? familyName(app.system.front()) : "";
  evidence.push_back(orderKnown ? "getaddrinfo order (what libpq tries, /etc/gai.conf decides): " +
                                      util::join(order, ", ")
                                : "getaddrinfo order unknown (the system lookup gave nothing)");
  evidence.push_back(wait.connectTimeoutS ? "connect_timeout=" + std::to_string(*wait.connectTimeoutS) +
                                                " s, which libpq applies to each address in turn"
                                          : "no connect_timeout: libpq waits for the kernel, " +
                                                std::to_string(wait.kernelSynTimeoutS) +
                                                " s per unanswered address (net.ipv4.tcp_syn_retries)");

  char delay[64];
  std::snprintf(delay, sizeof delay, "%.1f s", delayS);
  std::string summary = app.host + ": " + fam + " fails on port " + std::to_string(app.port) + " (" +
                        util::join(
                            [&] {
                              std::vector<std::string> v;
                              for (Verdict x : how) v.push_back(outcomeName(x));
                              return v;
                            }(),
                            ", ") +
                        ") while " + other + " works";
  Severity sev = Severity::Warning;
  if (!orderKnown) {
    summary += "; which family the application tries first is unknown";
  } else if (!reached) {
    summary += "; getaddrinfo gives the application no " + other + " address that works";
    sev = Severity::Critical;
  } else if (failedFirst == 0) {
    summary += "; the application tries " + firstFamily +
               " first and connects at once, but a client that "
               "prefers " +
               fam + " (another gai.conf, Happy Eyeballs) would not";
  } else {
    summary += "; the application tries " + firstFamily + " first and waits " + std::string(delay) + " (" +
               std::to_string(failedFirst) + " " + fam + " address(es)) before " + other + " connects";
    if (droppedFirst > 0 && !wait.connectTimeoutS) {
      sev = Severity::Critical;
      summary +=
          ": without connect_timeout that is the kernel's SYN timeout per address, longer than "
          "applications and pools wait";
    }
  }
  out.finding = Finding{"tcp.family_fallback", sev, std::move(summary), std::move(evidence),
                        familyFix(v6Fails, how, app.port)};
  return out;
}

std::vector<Finding> findingsWithApp(const std::vector<AppResolution>& apps,
                                     const std::vector<ProbeVerdict>& probes, double timeoutSeconds,
                                     const AppWait& wait) {
  std::vector<Finding> out;
  std::vector<std::pair<std::string, net::IpAddress>> covered;
  for (const auto& app : apps) {
    if (auto ff = familyFallback(app, probes, wait)) {
      out.push_back(std::move(ff->finding));
      for (const auto& a : ff->covered) covered.emplace_back(app.host, a);
    }
  }
  for (const auto& app : apps) {
    auto f = appResolutionFinding(app, probes);
    if (!f) continue;
    // With several hosts, libpq moves on to the next one after connect_timeout: when
    // another host answers, the application connects, late. A warning, not the root cause.
    const ProbeVerdict* fallback = nullptr;
    for (const auto& p : probes) {
      if (p.host != app.host && p.verdict == Verdict::Open) {
        fallback = &p;
        break;
      }
    }
    if (fallback) {
      f->severity = Severity::Warning;
      f->summary += "; libpq then tries the next host, " + fallback->host + " (" + fallback->label() +
                    " answers), after connect_timeout";
    }
    out.push_back(std::move(*f));
    for (const auto& a : app.system) {
      if (std::find(app.dns.begin(), app.dns.end(), a) == app.dns.end()) covered.emplace_back(app.host, a);
    }
  }
  std::vector<ProbeVerdict> rest;
  for (const auto& p : probes) {
    if (std::find(covered.begin(), covered.end(), std::make_pair(p.host, p.address)) == covered.end())
      rest.push_back(p);
  }
  auto others = findingsFor(rest, timeoutSeconds);
  out.insert(out.end(), std::make_move_iterator(others.begin()), std::make_move_iterator(others.end()));
  return out;
}

}  // namespace pgreach::checks::tcp
