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
  uint16_t localPort = 0;               // the attempt's source port (0: none), to find it on the wire
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
  std::vector<net::evidence::FlowEvidence::End> wireEnds;  // the attempts as the capture saw them
  std::string label() const;
};

// Decides one probe from its attempts, refined first by the ICMP error the socket's error
// queue reported (unprivileged), then by the wire: an ICMP admin-prohibited from either
// names what the kernel calls "No route to host".
ProbeVerdict decide(const std::string& host, const net::IpAddress& address, uint16_t port,
                    const std::vector<Attempt>& attempts, const net::evidence::FlowEvidence* evidence);

// A connect that took this long had a SYN or SYN-ACK retransmitted (Linux's initial
// retransmission timeout is 1 s): the attempt succeeded, a packet was lost.
inline constexpr double kRetransmittedConnectMs = 900;

// Loss and delay of one address:port over its attempts. `lost`: attempts that failed, or
// opened only after a retransmission. RTT from the attempts that opened at once.
// An attempt the capture saw (its source port among `wire`) is judged by the wire: lost
// when its SYN went out more than once, its RTT the kernel's SYN -> SYN-ACK time. Only
// attempts the capture did not see fall back to the prober's clock, which a loaded
// machine stretches past the 900 ms mark without any packet being lost.
struct Stability {
  size_t attempts = 0, lost = 0;
  double lossPercent = 0;
  std::optional<double> rttMin, rttAvg, rttMax, jitter;  // ms; jitter: mean |difference| of consecutive RTTs
  // Azure Network Watcher connection monitor's defaults: more than 10 % failed, or RTT
  // over 750 ms. A path that never opened is blocked, not unstable.
  bool unstable(int openCount) const;
  std::string describe() const;  // "10 connects, 3 lost or retransmitted (30 %), RTT min/avg/max ..."
};
Stability stabilityOf(const std::vector<Attempt>& attempts,
                      const std::vector<net::evidence::FlowEvidence::End>& wire = {});

// Signs of a lossy path in the attempts so far (one list per address:port): a connect that
// opened only after a retransmission, or an address:port that opened once and not another time.
bool showsLoss(const std::vector<std::vector<Attempt>>& perTarget);

// The tcp.unstable finding for the probes whose path is unstable, or nullopt.
std::optional<engine::Finding> unstableFinding(const std::vector<ProbeVerdict>& probes);

// Findings for the whole set, with fixes that follow the pattern: a drop on one port but
// not another names that port's security group/NACL rule; drops everywhere point at
// routing, NACLs or the endpoint's state; a refusal names the service on the port.
std::vector<engine::Finding> findingsFor(const std::vector<ProbeVerdict>& probes, double timeoutSeconds);

// How the application resolves one host (getaddrinfo: /etc/hosts, nsswitch, caches, as
// libpq does), beside what the resolvers answered.
struct AppResolution {
  std::string host;
  uint16_t port = 5432;                 // the connection string's port: where libpq connects
  std::vector<net::IpAddress> system;   // getaddrinfo's addresses, in its order
  std::vector<net::IpAddress> dns;      // the resolvers' answers
  std::vector<std::string> hostsLines;  // "/etc/hosts line 3: 10.40.2.57 db.example"
  std::string nsswitchHosts;            // "hosts: files dns", "" when unknown
};

// tcp.app_address_unreachable, when getaddrinfo gives the application addresses DNS does
// not, and every one of them fails on the connection's port: the application cannot
// connect whatever DNS says, and the finding names where its addresses came from (the
// /etc/hosts line, the nsswitch order) and the DNS answer they hide. nullopt otherwise
// (the two agree, one of the application's addresses answers, or one was not probed).
std::optional<engine::Finding> appResolutionFinding(const AppResolution& app,
                                                    const std::vector<ProbeVerdict>& probes);

// What a dropped connect costs libpq before it moves on to the next address.
struct AppWait {
  // connect_timeout from the connection string, in seconds as libpq applies it (values of
  // 1 are raised to 2); nullopt when unset or 0: libpq then waits for the kernel.
  std::optional<int> connectTimeoutS;
  // How long the kernel retries an unanswered SYN (net.ipv4.tcp_syn_retries, which IPv6
  // uses too): 127 s with the default of 6 retries.
  int kernelSynTimeoutS = 127;
};

// libpq's connect_timeout as it applies it: unset, 0 or negative = wait for the kernel;
// 1 is raised to 2 (fe-connect.c). nullopt for no timeout or text that is not a number.
std::optional<int> libpqConnectTimeout(const std::string& value);
// The kernel's SYN timeout for `retries` SYN retransmissions (1 s initial RTO, doubled):
// 2^(retries+1) - 1 seconds.
int synTimeoutSeconds(int retries);

// tcp.family_fallback, for one host on the connection's port: every address of one family
// (IPv4 or IPv6) fails and one of the other family opens. The application walks
// getaddrinfo's order (app.system, which /etc/gai.conf decides) and pays for every failing
// address it meets before a working one: connect_timeout per silently dropped address (the
// kernel's SYN timeout without one), next to nothing for a refusal, an ICMP error or a
// missing route. Warning, naming the family and that delay; critical when no
// connect_timeout is set and a dropped address comes first (a wait of minutes, which the
// application's own timeout or its pool's gives up before). `covered` lists the failing
// family's addresses, which the finding judges (with their wire evidence) instead of the
// per-address findings. nullopt when both families work, both fail, or there is one.
struct FamilyFallback {
  engine::Finding finding;
  std::vector<net::IpAddress> covered;
};
std::optional<FamilyFallback> familyFallback(const AppResolution& app,
                                             const std::vector<ProbeVerdict>& probes, const AppWait& wait);

// The findings of the whole set: appResolutionFinding's first (what the application would
// hit is the root cause), then findingsFor() over the other probes. The addresses an
// application finding covers (getaddrinfo's, which DNS does not give) are judged there
// only, with their wire evidence, so no endpoint-interface fix is given for a stale pin.
std::vector<engine::Finding> findingsWithApp(const std::vector<AppResolution>& apps,
                                             const std::vector<ProbeVerdict>& probes, double timeoutSeconds,
                                             const AppWait& wait = {});

}  // namespace pgreach::checks::tcp
