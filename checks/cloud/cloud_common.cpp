#include "checks/cloud/cloud_common.h"

#include <algorithm>

#include "checks/common/probe_targets.h"
#include "util/strings.h"

namespace pgreach::checks::cloud {

using pgreach::cloud::AwsAccount;
using pgreach::cloud::AzureNetwork;

engine::Finding toFinding(pgreach::cloud::AuditFinding f) {
  engine::Severity severity = engine::Severity::Info;
  switch (f.severity) {
    case pgreach::cloud::AuditSeverity::Info: severity = engine::Severity::Info; break;
    case pgreach::cloud::AuditSeverity::Warning: severity = engine::Severity::Warning; break;
    case pgreach::cloud::AuditSeverity::Critical: severity = engine::Severity::Critical; break;
  }
  return {std::move(f.code), severity, std::move(f.summary), std::move(f.evidence), std::move(f.fix)};
}

const engine::CloudContextFacts* contextFacts(const engine::CheckContext& ctx) {
  const engine::CheckResult* r = ctx.dependency(kContextId);
  return r ? r->factsAs<engine::CloudContextFacts>() : nullptr;
}

std::vector<net::IpAddress> endpointIpOptions(const engine::CheckContext& ctx) {
  std::vector<net::IpAddress> out;
  for (const auto& t : ctx.config().cloud.endpointIps) {
    if (auto a = net::IpAddress::parse(t)) out.push_back(*a);
  }
  return out;
}

std::vector<net::IpAddress> resolvedAddresses(const engine::CheckContext& ctx) {
  std::vector<net::IpAddress> out;
  const engine::CheckResult* r = ctx.dependency(kDnsResolveId);
  if (!r || !r->data.contains("addresses") || !r->data["addresses"].is_array()) return out;
  for (const auto& a : r->data["addresses"]) {
    if (!a.is_object() || !a.contains("address") || !a["address"].is_string()) continue;
    if (auto ip = net::IpAddress::parse(a["address"].get<std::string>())) {
      if (std::find(out.begin(), out.end(), *ip) == out.end()) out.push_back(*ip);
    }
  }
  return out;
}

std::vector<const pgreach::cloud::VpcEndpoint*> selectAwsEndpoints(const engine::CheckContext& ctx, const AwsAccount& acc,
                                                                   const ClientInfo& client) {
  std::vector<const pgreach::cloud::VpcEndpoint*> out;
  auto add = [&](const pgreach::cloud::VpcEndpoint* e) {
    if (e && std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  };
  for (const auto& id : ctx.config().cloud.endpointIds) add(acc.endpoint(id));
  if (!out.empty()) return out;
  std::vector<net::IpAddress> addrs = endpointIpOptions(ctx);
  if (addrs.empty()) addrs = resolvedAddresses(ctx);
  for (const auto& a : addrs) {
    const auto* eni = acc.interfaceByAddress(a);
    if (!eni) continue;
    for (const auto& e : acc.endpoints) {
      if (std::find(e.networkInterfaceIds.begin(), e.networkInterfaceIds.end(), eni->id) != e.networkInterfaceIds.end()) add(&e);
    }
  }
  if (!out.empty()) return out;
  const std::string host = util::toLower(util::trimTrailingDot(ctx.target().primary().name()));
  for (const auto& e : acc.endpoints) {
    for (const auto& n : e.dnsNames) {
      if (!host.empty() && util::toLower(util::trimTrailingDot(n)) == host) add(&e);
    }
  }
  if (!out.empty()) return out;
  std::string vpc;
  if (client.ip) {
    if (const auto* eni = acc.interfaceByAddress(*client.ip)) vpc = eni->vpcId;
    else if (const auto* s = acc.subnetContaining(*client.ip)) vpc = s->vpcId;
  }
  for (const auto& e : acc.endpoints) {
    if (util::toLower(e.type) == "interface" && (vpc.empty() || e.vpcId == vpc)) add(&e);
  }
  return out;
}

std::vector<const pgreach::cloud::PrivateEndpoint*> selectAzureEndpoints(const engine::CheckContext& ctx,
                                                                         const AzureNetwork& net) {
  std::vector<const pgreach::cloud::PrivateEndpoint*> out;
  for (const auto& pe : net.privateEndpoints) {
    const auto& ids = ctx.config().cloud.endpointIds;
    if (ids.empty() || std::find(ids.begin(), ids.end(), pe.name) != ids.end() ||
        std::any_of(ids.begin(), ids.end(), [&](const std::string& i) { return pgreach::cloud::sameAzureId(i, pe.id); }))
      out.push_back(&pe);
  }
  return out;
}

std::vector<uint16_t> auditPorts(const engine::CheckContext& ctx) { return portsFor(ctx, ctx.target().primary().port); }

engine::CheckResult pathResult(const engine::CheckContext& ctx, const std::vector<net::IpAddress>& endpoints,
                               const PathEvaluator& evaluate, bool noteAppliances) {
  using engine::Severity;
  namespace pc = pgreach::cloud;
  engine::CheckResult r;
  engine::CloudPathFacts facts;
  int reachable = 0, total = 0;
  const std::vector<uint16_t> ports = auditPorts(ctx);
  for (const auto& ep : endpoints) {
    for (uint16_t port : ports) {
      const pc::PathVerdict& v = facts.paths.emplace_back(evaluate(ep, port));
      ++total;
      const pc::PathStep* b = v.firstBlock();
      if (!b) {
        ++reachable;
        for (const auto& s : v.steps) {
          if (noteAppliances && util::startsWith(s.note, "traffic goes through the appliance")) {
            r.findings.push_back({"cloud.route_via_appliance", Severity::Info, v.summary() + ": " + s.note, {s.decidedBy}, ""});
          }
        }
        continue;
      }
      std::vector<std::string> evidence;
      for (const auto& s : v.steps) {
        evidence.push_back(s.component + ": " + std::string(pc::toString(s.outcome)) +
                           (s.decidedBy.empty() ? "" : " by " + s.decidedBy) + (s.note.empty() ? "" : " (" + s.note + ")"));
      }
      r.findings.push_back({b->code, Severity::Critical, v.summary(), evidence, b->fix});
    }
  }
  r.setFacts(std::move(facts));
  r.status = engine::statusFromFindings(r.findings);
  r.summary = std::to_string(reachable) + " of " + std::to_string(total) + " client→endpoint paths reachable";
  return r;
}

engine::CheckResult skipped(std::string reason) {
  engine::CheckResult r;
  r.status = engine::Status::Skip;
  r.summary = std::move(reason);
  return r;
}

engine::CheckResult failedInput(std::string message) {
  engine::CheckResult r;
  r.status = engine::Status::Error;
  r.summary = std::move(message);
  return r;
}

}  // namespace pgreach::checks::cloud
