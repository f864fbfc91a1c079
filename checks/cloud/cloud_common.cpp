#include "checks/cloud/cloud_common.h"

#include <algorithm>
#include <map>

#include "checks/common/probe_targets.h"
#include "engine/dns_facts.h"
#include "util/strings.h"

namespace pgreach::checks::cloud {

engine::Finding toFinding(pgreach::cloud::AuditFinding f) {
  engine::Severity severity = engine::Severity::Info;
  switch (f.severity) {
    case pgreach::cloud::AuditSeverity::Info:
      severity = engine::Severity::Info;
      break;
    case pgreach::cloud::AuditSeverity::Warning:
      severity = engine::Severity::Warning;
      break;
    case pgreach::cloud::AuditSeverity::Critical:
      severity = engine::Severity::Critical;
      break;
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
  const auto* dns = r ? r->factsAs<engine::DnsResolveFacts>() : nullptr;
  if (!dns) return out;
  for (const auto& a : dns->addresses) {
    if (auto ip = net::IpAddress::parse(a.address)) {
      if (std::find(out.begin(), out.end(), *ip) == out.end()) out.push_back(*ip);
    }
  }
  return out;
}

pgreach::cloud::EndpointQuery endpointQuery(const engine::CheckContext& ctx, const ClientInfo& client) {
  pgreach::cloud::EndpointQuery q;
  q.ids = ctx.config().cloud.endpointIds;
  q.addresses = endpointIpOptions(ctx);
  if (q.addresses.empty()) q.addresses = resolvedAddresses(ctx);
  q.host = util::toLower(util::trimTrailingDot(ctx.target().primary().name()));
  q.client = client.ip;
  return q;
}

std::vector<uint16_t> auditPorts(const engine::CheckContext& ctx) {
  return portsFor(ctx, ctx.target().primary().port);
}

namespace {

std::vector<std::string> stepEvidence(const pgreach::cloud::PathVerdict& v) {
  std::vector<std::string> evidence;
  for (const auto& s : v.steps) {
    evidence.push_back(s.component + ": " + std::string(pgreach::cloud::toString(s.outcome)) +
                       (s.decidedBy.empty() ? "" : " by " + s.decidedBy) +
                       (s.note.empty() ? "" : " (" + s.note + ")"));
  }
  return evidence;
}

void addOnce(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

engine::CheckResult pathResult(const engine::CheckContext& ctx, const std::vector<net::IpAddress>& endpoints,
                               const PathEvaluator& evaluate, bool noteAppliances, const FamilyGap& gap) {
  using engine::Severity;
  namespace pc = pgreach::cloud;
  engine::CheckResult r;
  engine::CloudPathFacts facts;
  int reachable = 0, blocked = 0, total = 0;
  // What the paths that are neither proved reachable nor blocked miss: the unknown steps
  // (with why) and the exports that would settle them, each once.
  std::vector<std::string> unverifiedPaths, unknownWhy, settle;
  const std::vector<uint16_t> ports = auditPorts(ctx);
  // A dual-stack run names the family of every path it judges; per family: reachable, total.
  const bool bothFamilies =
      std::any_of(endpoints.begin(), endpoints.end(), [](const net::IpAddress& a) { return a.isV4(); }) &&
      std::any_of(endpoints.begin(), endpoints.end(), [](const net::IpAddress& a) { return !a.isV4(); });
  std::map<std::string, std::pair<int, int>> perFamily;
  for (const auto& ep : endpoints) {
    const std::string family = pc::familyName(ep);
    const std::string prefix = bothFamilies ? family + ": " : "";
    for (uint16_t port : ports) {
      const pc::PathVerdict& v = facts.paths.emplace_back(evaluate(ep, port));
      ++total;
      ++perFamily[family].second;
      if (const pc::PathStep* b = v.firstBlock()) {
        ++blocked;
        r.findings.push_back({b->code, Severity::Critical, prefix + v.summary(), stepEvidence(v), b->fix});
        continue;
      }
      if (v.state() == pc::PathState::NotVerified) {
        unverifiedPaths.push_back(prefix + v.summary());
        for (const pc::PathStep* u : v.unknownSteps()) {
          addOnce(unknownWhy, u->component + ": " + (u->note.empty() ? "no data" : u->note));
          addOnce(settle, u->settleWith);
        }
        continue;
      }
      ++reachable;
      ++perFamily[family].first;
      for (const auto& s : v.steps) {
        if (noteAppliances && util::startsWith(s.note, "traffic goes through the appliance")) {
          r.findings.push_back(
              {"cloud.route_via_appliance", Severity::Info, v.summary() + ": " + s.note, {s.decidedBy}, ""});
        }
      }
    }
  }
  // The endpoint's addresses of a family the client has none of.
  std::string gapNote;
  int gapUnverified = 0;  // paths (addresses x ports) with the client's address unknown
  if (!gap.endpoints.empty()) {
    const std::string family = pc::familyName(gap.endpoints.front());
    std::vector<std::string> addrs;
    for (const auto& a : gap.endpoints) addrs.push_back(a.toString());
    if (gap.absent && endpoints.empty()) {
      r.findings.push_back(
          {"cloud.client_family_missing",
           Severity::Critical,
           "the endpoint answers on " + family + " only (" + util::join(addrs, ", ") +
               ") and the client has no " + family + " address: no path of a family both have",
           {"endpoint addresses: " + util::join(addrs, ", "),
            "the client's interface in the export lists no " + family + " address"},
           "Give the client an " + family + " address (a " + family +
               " range on its subnet and an address on its interface), or make the endpoint answer on the "
               "client's family too (dual-stack)."});
    } else if (gap.absent) {
      gapNote = "; " + family + " paths not taken: the client has no " + family + " address";
    } else {
      const std::string why = "the client's " + family + " address is unknown";
      for (const auto& a : addrs)
        unverifiedPaths.push_back(family + ": paths to " + a + " not evaluated: " + why);
      gapUnverified = static_cast<int>(gap.endpoints.size() * ports.size());
      total += gapUnverified;
      addOnce(unknownWhy,
              "client " + family + " address: " + why + " (the export does not list the client's interface)");
      addOnce(settle,
              "the client's network interface (its addresses of both families), or run pgreach on the "
              "client");
    }
  }
  const int unverified = static_cast<int>(unverifiedPaths.size()) + gapUnverified -
                         (gapUnverified > 0 ? static_cast<int>(gap.endpoints.size()) : 0);
  if (unverified > 0) {
    std::vector<std::string> evidence = unverifiedPaths;
    for (const auto& w : unknownWhy) evidence.push_back("not evaluated: " + w);
    for (const auto& c : settle) evidence.push_back("export: " + c);
    r.findings.push_back(
        {"cloud.path_not_verified", Severity::Warning,
         std::to_string(unverified) + " of " + std::to_string(total) +
             " client→endpoint paths not verified: " + std::to_string(unknownWhy.size()) +
             " step(s) could not be evaluated from the exports" +
             (settle.empty() ? std::string() : "; export " + util::join(settle, "; ")),
         evidence,
         settle.empty()
             ? std::string("Add exports that cover the steps named in the evidence, then audit again.")
             : "Add these read-only exports to the folder, then audit again: " + util::join(settle, "; ")});
  }
  r.setFacts(std::move(facts));
  r.status = engine::statusFromFindings(r.findings);
  // Not blocked, but not proved reachable either: asked for and could not decide.
  if (blocked == 0 && unverified > 0) r.stateOverride = util::ResultState::NotVerified;
  r.summary = std::to_string(reachable) + " of " + std::to_string(total) + " client→endpoint paths reachable";
  if (bothFamilies) {
    std::vector<std::string> parts;
    for (const auto& [family, counts] : perFamily)
      parts.push_back(family + " " + std::to_string(counts.first) + " of " + std::to_string(counts.second));
    r.summary += " (" + util::join(parts, ", ") + ")";
  }
  if (unverified > 0) r.summary += ", " + std::to_string(unverified) + " not verified (exports missing)";
  r.summary += gapNote;
  if (gap.absent && endpoints.empty() && !gap.endpoints.empty()) {
    r.summary = "no client→endpoint path: the endpoint answers on " +
                std::string(pc::familyName(gap.endpoints.front())) +
                " only, which the client has no address of";
  }
  return r;
}

engine::CheckResult CloudPathCheck::run(engine::CheckContext& ctx) {
  const engine::CloudContextFacts* cloud = contextFacts(ctx);
  const pgreach::cloud::CloudNetwork* network = cloud ? cloud->network(spec_.kind) : nullptr;
  if (!network) return skipped(spec_.noConfig);
  const ClientInfo& client = cloud->client;
  if (!client.ip) return skipped(spec_.clientUnknown);
  std::vector<net::IpAddress> endpoints = endpointIpOptions(ctx);
  std::string hint;  // why a selected endpoint has no address, when one has none
  if (endpoints.empty()) {
    for (const auto& e : network->selectEndpoints(endpointQuery(ctx, client))) {
      endpoints.insert(endpoints.end(), e.addresses.begin(), e.addresses.end());
      if (hint.empty()) hint = e.noAddressHint;
    }
  }
  if (endpoints.empty()) endpoints = resolvedAddresses(ctx);
  if (endpoints.empty() && !hint.empty()) {
    // The export names the endpoint but lacks what holds its address: asked for and not
    // decided, with the export that would settle it.
    engine::CheckResult r = skipped(hint);
    r.stateOverride = util::ResultState::NotVerified;
    r.findings.push_back({"cloud.path_not_verified",
                          engine::Severity::Warning,
                          "no client→endpoint path evaluated: " + hint,
                          {},
                          hint});
    return r;
  }
  if (endpoints.empty()) return skipped(spec_.noEndpoint);
  // Each family from the client's address of that family; the endpoint's addresses of a
  // family the client has none of are a gap (none there, or unknown).
  std::vector<net::IpAddress> sameFamily;
  FamilyGap gap;
  gap.absent = client.interfaceListed;
  for (const auto& ep : endpoints) (client.addressFor(ep) ? sameFamily : gap.endpoints).push_back(ep);
  return pathResult(
      ctx, sameFamily,
      [&](const net::IpAddress& ep, uint16_t port) {
        pgreach::cloud::PathQuery q;
        q.client = *client.addressFor(ep);
        q.endpoint = ep;
        q.port = port;
        q.clientGroups = client.securityGroups;
        q.clientSubnetId = client.subnetId;
        return network->evaluatePath(q);
      },
      spec_.noteAppliances, gap);
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
