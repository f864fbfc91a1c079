// cloud.correlate: sets what the probes saw against what the configuration says. DNS
// answers that are not the endpoint's interfaces, a TCP drop the audit explains with a
// rule, and disagreements (the audit blocks a path the probe connected over, or the
// reverse) that mean the export is stale or something unmodelled is on the path.
#include <map>

#include "checks/cloud/cloud_common.h"
#include "checks/cloud/codes.h"
#include "checks/common/probe_targets.h"
#include "cloud/registry.h"
#include "engine/registry.h"
#include "engine/tcp_facts.h"
#include "util/strings.h"

namespace pgreach::checks::cloud {
namespace {

using engine::CheckResult;
using engine::Finding;
using engine::Severity;

// Each registered cloud's audit check with this suffix ("endpoint": cloud.aws.endpoint,
// cloud.azure.endpoint), in kind order; a cloud without one is simply not there to read.
std::vector<std::string> cloudCheckIds(const char* suffix) {
  std::vector<std::string> out;
  for (const auto* kind : pgreach::cloud::cloudsInOrder())
    out.push_back("cloud." + kind->kind + "." + suffix);
  return out;
}

// What cloud.correlate waits for: the context, every cloud's endpoint and path checks,
// the DNS answers and the TCP probes.
std::vector<std::string> correlateAfter() {
  std::vector<std::string> out{kContextId};
  for (const auto* kind : pgreach::cloud::cloudsInOrder()) {
    out.push_back("cloud." + kind->kind + ".endpoint");
    out.push_back("cloud." + kind->kind + ".path");
  }
  out.push_back(kDnsResolveId);
  out.push_back("tcp.connect");
  return out;
}

struct PathFact {
  bool reachable = false;  // on evidence: every step evaluated
  bool blocked = false;    // a step denies
  std::string decidedBy, code, fix, component;
};

class CloudCorrelate final : public engine::Check {
 public:
  const engine::CheckInfo& info() const override {
    static const engine::CheckInfo kInfo = engine::withCodes(
        {kCorrelateId,
         engine::Stage::Cloud,
         "Compare DNS answers and TCP probes with the audited configuration",
         {},
         engine::Millis(2000),
         correlateAfter()},
        engine::pickCodes(cloudCodes(), {"cloud.dns_endpoint_mismatch", "cloud.drop_explained",
                                         "cloud.probe_disagreement"}));
    return kInfo;
  }

  CheckResult run(engine::CheckContext& ctx) override {
    // Endpoint interface addresses and path verdicts from the audit checks.
    std::vector<std::string> endpointAddrs;
    std::map<std::pair<std::string, int>, PathFact> paths;
    for (const auto& id : cloudCheckIds("endpoint")) {
      const CheckResult* r = ctx.dependency(id);
      const auto* facts = r ? r->factsAs<engine::CloudEndpointFacts>() : nullptr;
      if (!facts) continue;
      for (auto& a : facts->addresses()) endpointAddrs.push_back(std::move(a));
    }
    for (const auto& id : cloudCheckIds("path")) {
      const CheckResult* r = ctx.dependency(id);
      const auto* facts = r ? r->factsAs<engine::CloudPathFacts>() : nullptr;
      if (!facts) continue;
      for (const auto& p : facts->paths) {
        PathFact f;
        f.reachable = p.reachable();
        f.blocked = p.blocked();
        if (const pgreach::cloud::PathStep* s = p.firstBlock()) {
          f.decidedBy = s->decidedBy;
          f.code = s->code;
          f.fix = s->fix;
          f.component = s->component;
        }
        paths[{p.endpoint, p.port}] = f;
      }
    }
    const CheckResult* dns = ctx.dependency(kDnsResolveId);
    const CheckResult* tcp = ctx.dependency("tcp.connect");
    if ((!dns || dns->status == engine::Status::Skip) && (!tcp || tcp->status == engine::Status::Skip)) {
      return skipped("no DNS or TCP results to compare (the audit alone sends no packets)");
    }
    if (endpointAddrs.empty() && paths.empty()) return skipped("no audited endpoint to compare with");

    CheckResult r;
    if (!endpointAddrs.empty()) {
      std::vector<std::string> outside;
      for (const auto& a : resolvedAddresses(ctx)) {
        const std::string s = a.toString();
        if (std::find(endpointAddrs.begin(), endpointAddrs.end(), s) == endpointAddrs.end())
          outside.push_back(s);
      }
      if (!outside.empty()) {
        r.findings.push_back(
            {"cloud.dns_endpoint_mismatch",
             Severity::Critical,
             "DNS answers " + util::join(outside, ", ") + " are not the endpoint's interfaces (" +
                 util::join(endpointAddrs, ", ") + ")",
             {"the name resolves elsewhere: private DNS is off, the zone is not linked, or a stale record"},
             "Enable private DNS on the endpoint (AWS) or link the privatelink zone to the VNet (Azure)."});
      }
    }
    if (const auto* probes = tcp ? tcp->factsAs<engine::TcpConnectFacts>() : nullptr) {
      for (const auto& p : probes->probes) {
        const std::string& addr = p.address;
        const int port = p.port;
        const std::string& outcome = p.outcome;
        auto it = paths.find({addr, port});
        if (it == paths.end()) continue;
        const PathFact& f = it->second;
        const std::string where = addr + ":" + std::to_string(port);
        if (outcome == "timeout" && f.blocked) {
          r.findings.push_back(
              {"cloud.drop_explained",
               Severity::Info,
               "the silent drop at " + where + " is explained by " + f.component + ": " + f.decidedBy,
               {"tcp.connect: timeout", "audit: " + f.code},
               f.fix});
        } else if (outcome == "open" && f.blocked) {
          r.findings.push_back(
              {"cloud.probe_disagreement",
               Severity::Warning,
               "the probe connected to " + where + " but the audit finds it blocked (" + f.decidedBy + ")",
               {"the export may be stale, or the client is not where the audit placed it"},
               "Re-export the configuration and check --client-ip."});
        } else if (outcome == "timeout" && f.reachable) {
          r.findings.push_back(
              {"cloud.probe_disagreement",
               Severity::Warning,
               "the probe to " + where + " was dropped but the audit finds the path open",
               {"something the export does not show drops it: an appliance, a host firewall, a stale export, "
                "or the endpoint service itself"},
               "Re-export the configuration; check host firewalls and the provider's side."});
        }
      }
    }
    r.status = engine::statusFromFindings(r.findings);
    r.summary =
        r.findings.empty() ? "probes and configuration agree" : "probes compared with the configuration";
    return r;
  }
};

engine::RegisterCheck<CloudCorrelate> registered;

}  // namespace
}  // namespace pgreach::checks::cloud
