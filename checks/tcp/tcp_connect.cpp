// tcp.connect: a non-blocking connect with a deadline to every address × port, all at
// once, telling open, refused, silently dropped and unreachable apart.
#include <map>

#include "checks/common/probe_targets.h"
#include "engine/registry.h"
#include "net/connect.h"
#include "util/strings.h"

namespace pgreach::checks::tcp {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;
using net::ConnectOutcome;

struct OutcomeText {
  const char* code;
  const char* what;
  const char* fix;
};

OutcomeText describe(ConnectOutcome o) {
  switch (o) {
    case ConnectOutcome::Refused:
      return {"tcp.refused", "refused the connection (TCP RST): the host answered but nothing listens on that port",
              "Check the port: the service (PostgreSQL or the provider's pooler) is not listening there. "
              "Security groups, NACLs and NSGs drop silently; they never refuse, so look at the port and the "
              "endpoint service, not the firewall."};
    case ConnectOutcome::TimedOut:
      return {"tcp.silently_dropped", "did not answer: the SYN was silently dropped",
              "A silent drop is a security group, network ACL or NSG rule (or a route to nowhere). Allow TCP to "
              "this port from the client's address on the endpoint's security group, and allow the return "
              "traffic to ephemeral ports 1024-65535 in stateless NACLs."};
    case ConnectOutcome::HostUnreachable:
      return {"tcp.icmp_host_unreachable", "answered with ICMP host unreachable (or administratively prohibited)",
              "A router or firewall on the path rejected the packet: check route tables and reject rules between "
              "the client and the endpoint subnet."};
    case ConnectOutcome::NetUnreachable:
      return {"tcp.icmp_net_unreachable", "answered with ICMP network unreachable",
              "A router on the path has no route to the endpoint's network: check the route tables."};
    case ConnectOutcome::NoRoute:
      return {"tcp.no_route", "has no route from this machine: nothing was sent",
              "This machine has no route to the address. If DNS returned a public address, the private path is "
              "not in use (enable private DNS on the endpoint); for an IPv6 answer, check IPv6 routing."};
    case ConnectOutcome::LocalError:
      return {"tcp.local_error", "could not be probed because of a local error",
              "Check local resource limits (open files) and permissions."};
    case ConnectOutcome::Open:
      break;
  }
  return {"tcp.open", "accepted the connection", ""};
}

class TcpConnect final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo{"tcp.connect", engine::Stage::Tcp,
                                         "Connect to every resolved address on every port the provider uses",
                                         {kDnsResolveId}, engine::Millis(10000)};
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    CheckResult r;
    const auto targets = probeTargets(ctx);
    if (targets.empty()) {
      r.status = engine::Status::Fail;
      r.summary = "no address to connect to";
      r.findings.push_back({"tcp.no_addresses", Severity::Critical, "the DNS stage produced no address to probe", {},
                            "Fix name resolution first (see the DNS section)."});
      return r;
    }
    std::vector<net::ConnectRequest> requests;
    for (const auto& t : targets) requests.push_back({t.address, t.port});
    auto results = net::connectAll(requests, ctx.probeTimeout());

    std::map<ConnectOutcome, std::vector<std::string>> byOutcome;
    int open = 0;
    r.data["probes"] = nlohmann::json::array();
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& res = results[i];
      const double ms = static_cast<double>(res.elapsed.count()) / 1000.0;
      r.data["probes"].push_back({{"host", targets[i].host},
                                  {"address", targets[i].address.toString()},
                                  {"port", targets[i].port},
                                  {"outcome", net::toString(res.outcome)},
                                  {"elapsed_ms", ms}});
      char line[160];
      if (res.outcome == ConnectOutcome::Open) {
        ++open;
        std::snprintf(line, sizeof line, "%s open in %.1f ms", targets[i].label().c_str(), ms);
      } else if (res.outcome == ConnectOutcome::TimedOut) {
        std::snprintf(line, sizeof line, "%s no reply within %.1f s", targets[i].label().c_str(), ms / 1000.0);
      } else {
        std::snprintf(line, sizeof line, "%s %s after %.1f ms (%s)", targets[i].label().c_str(),
                      std::string(net::toString(res.outcome)).c_str(), ms, res.detail.c_str());
      }
      byOutcome[res.outcome].push_back(line);
    }
    for (auto& [outcome, lines] : byOutcome) {
      if (outcome == ConnectOutcome::Open) continue;
      const auto text = describe(outcome);
      r.findings.push_back({text.code, Severity::Critical,
                            std::to_string(lines.size()) + " of " + std::to_string(results.size()) +
                                " address/port pair(s) " + text.what,
                            lines, text.fix});
    }
    if (open > 0) {
      r.findings.push_back({"tcp.open", Severity::Info,
                            std::to_string(open) + " of " + std::to_string(results.size()) + " address/port pair(s) open",
                            byOutcome[ConnectOutcome::Open], ""});
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary = std::to_string(open) + "/" + std::to_string(results.size()) + " open";
    return r;
  }
};

engine::RegisterCheck<TcpConnect> registered;

}  // namespace
}  // namespace pgreach::checks::tcp
