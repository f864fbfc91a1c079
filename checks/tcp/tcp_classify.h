#pragma once
// The pure half of tcp.connect: from the repeated connect outcomes of each address:port
// (and the packet evidence when there is some) to one verdict per probe and to findings
// whose fix names the likely cause. No network here; unit-tested directly.
#include <optional>
#include <string>
#include <vector>

#include "engine/result.h"
#include "net/connect.h"
#include "net/handshake_evidence.h"

namespace pgreach::checks::tcp {

enum class Verdict {
  Open,
  Refused,          // RST
  Dropped,          // no answer
  HostUnreachable,  // ICMP host unreachable
  NetUnreachable,   // ICMP net unreachable
  PortUnreachable,  // ICMP port unreachable (the kernel reports it as ECONNREFUSED)
  AdminProhibited,  // ICMP 3/9, 3/10, 3/13 (the kernel reports EHOSTUNREACH)
  NoRoute,          // nothing sent
  LocalError,
};

// The data.probes[].outcome value (contract: open, refused, timeout, host_unreachable,
// net_unreachable, admin_prohibited, no_route, local_error; port-unreachable is "refused").
const char* outcomeName(Verdict v);
// The finding code ("tcp.silently_dropped"...).
const char* findingCode(Verdict v);

struct Attempt {
  net::ConnectOutcome outcome = net::ConnectOutcome::LocalError;
  double elapsedMs = 0;
  std::string detail;
  std::optional<net::IcmpReport> icmp;  // from the socket's error queue, when one aborted it
};

struct ProbeVerdict {
  std::string host;
  net::IpAddress address;
  uint16_t port = 0;
  std::vector<Attempt> attempts;
  Verdict verdict = Verdict::LocalError;
  bool flaky = false;  // some attempts open, some not
  int openCount = 0;
  // Connect time over the open attempts (ms); nullopt when none opened.
  std::optional<double> minMs, medianMs, maxMs;
  double elapsedMs = 0;                     // median of open attempts, else the last attempt's elapsed time
  std::vector<std::string> packetEvidence;  // from the capture, when there was one
  std::string socketEvidence;               // the ICMP error the socket reported, "" if none
  std::string clientAddress;                // our source address toward it ("" if unknown)
  std::string label() const;
};

// Decides one probe from its attempts, refined first by the ICMP error the socket's error
// queue reported (unprivileged), then by the wire: an ICMP admin-prohibited from either
// names what the kernel calls "No route to host".
ProbeVerdict decide(const std::string& host, const net::IpAddress& address, uint16_t port,
                    const std::vector<Attempt>& attempts, const net::evidence::FlowEvidence* evidence);

// Findings for the whole set, with fixes that follow the pattern: a drop on one port but
// not another names that port's security group/NACL rule; drops everywhere point at
// routing, NACLs or the endpoint's state; a refusal names the service on the port.
std::vector<engine::Finding> findingsFor(const std::vector<ProbeVerdict>& probes, double timeoutSeconds);

}  // namespace pgreach::checks::tcp
