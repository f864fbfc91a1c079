#include "reports/report/path.h"
#include "engine/cloud_facts.h"
#include "engine/dns_facts.h"
#include "engine/tcp_facts.h"
#include "util/json_dump.h"

#include <algorithm>

namespace pgreach::reports {

using engine::Stage;
using engine::Status;

std::string statusMark(Status s) {
  switch (s) {
    case Status::Pass:
      return "ok";
    case Status::Warn:
      return "WARN";
    case Status::Fail:
      return "FAIL";
    case Status::Error:
      return "ERROR";
    case Status::Skip:
      return "skip";
  }
  return "?";
}

bool shownNotVerified(Status s, util::ResultState state) {
  return state == util::ResultState::NotVerified && s != Status::Fail && s != Status::Error;
}

std::string markOf(Status s, util::ResultState state) {
  return shownNotVerified(s, state) ? "not verified" : statusMark(s);
}

std::string hopMark(const Hop& h) { return h.reason.empty() ? markOf(h.status, h.state) : "n/a"; }

Status colourOf(Status s, util::ResultState state) { return shownNotVerified(s, state) ? Status::Warn : s; }

namespace {

const engine::CheckResult* findCheck(const Report& r, std::string_view id) {
  for (const auto& c : r.checks) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void stageHop(const Report& r, Stage stage, Hop& hop) {
  hop.status = stageStatus(r.checks, stage);
  for (const auto& c : r.checks) {
    if (c.stage == stage && c.status != Status::Skip) hop.details.push_back(c.id + ": " + c.summary);
  }
  // Nothing ran: say why (the first skipped check's reason, e.g. "blocked by tcp.connect").
  for (const auto& c : r.checks) {
    if (!hop.details.empty()) break;
    if (c.stage == stage && !c.summary.empty()) hop.details.push_back(c.id + ": " + c.summary);
  }
}

}  // namespace

std::vector<Hop> buildPath(const Report& r) {
  std::vector<Hop> hops;

  Hop client{"client", Status::Pass, {}, util::ResultState::NotApplicable, {}};
  if (const auto* ctx = findCheck(r, "cloud.context")) {
    if (const auto* cloud = ctx->factsAs<engine::CloudContextFacts>()) {
      std::string line = cloud->client.ip ? cloud->client.ip->toString() : "";
      if (!cloud->client.subnetId.empty()) line += " in " + cloud->client.subnetId;
      if (!line.empty()) client.details.push_back(line);
    }
  }
  if (client.details.empty()) client.details.push_back("this host");
  hops.push_back(std::move(client));

  const auto* dns = findCheck(r, "dns.resolve");
  const auto* dnsFacts = dns ? dns->factsAs<engine::DnsResolveFacts>() : nullptr;
  std::vector<std::string> addresses;
  if (dnsFacts) {
    for (const auto& a : dnsFacts->addresses) {
      std::string line = a.address;
      if (!a.family.empty()) line += " (" + a.family + ")";
      if (!line.empty()) addresses.push_back(line);
    }
  }
  const Status dnsStatus = stageStatus(r.checks, Stage::Dns);
  Hop resolver{"resolver", Status::Skip, {}, util::ResultState::NotApplicable, {}};
  Hop addrHop{"addresses", Status::Skip, {}, util::ResultState::NotApplicable, {}};
  if (dns || dnsStatus != Status::Skip) {
    // A resolver that produced addresses did its job; whether they are the right ones
    // (private, in the VPC) is the addresses hop's mark.
    resolver.status = addresses.empty() ? dnsStatus : Status::Pass;
    if (dnsFacts) {
      // dns.resolve records one entry per (resolver, host): {server, role, state}.
      for (const auto& v : dnsFacts->resolvers) {
        std::string line = v.server;
        if (!line.empty() && !v.role.empty()) line += " (" + v.role + ")";
        if (!line.empty() && !v.state.empty()) line += ": " + v.state;
        if (!line.empty() &&
            std::find(resolver.details.begin(), resolver.details.end(), line) == resolver.details.end()) {
          resolver.details.push_back(line);
        }
      }
    }
    if (resolver.details.empty()) resolver.details.push_back("system resolver");
    if (!addresses.empty()) {
      addrHop.status = dnsStatus;
      addrHop.details = addresses;
    } else if (dns && dns->status != Status::Skip && (!dnsFacts || dnsFacts->given.empty())) {
      addrHop.details.push_back("no addresses");
    }
  }
  // Addresses the target gave as such: nothing to resolve, which is neither a skip nor a
  // pass on evidence. With no name at all, the resolver had nothing to do either.
  if (dnsFacts && !dnsFacts->given.empty()) {
    for (const auto& a : dnsFacts->given) addrHop.details.push_back(a + " (given as an address)");
    if (addresses.empty()) {
      addrHop.status = Status::Skip;
      addrHop.reason = "given as an address";
    }
    if (dnsFacts->resolvers.empty() && addresses.empty() && dns->status == Status::Pass) {
      resolver.status = Status::Skip;
      resolver.reason = "nothing to resolve";
      resolver.details = {"nothing to resolve: the target gives addresses"};
    }
  }
  hops.push_back(std::move(resolver));
  hops.push_back(std::move(addrHop));

  Hop ports{"ports", stageStatus(r.checks, Stage::Tcp), {}, util::ResultState::NotApplicable, {}};
  const auto* tcp = findCheck(r, "tcp.connect");
  if (const auto* tcpFacts = tcp ? tcp->factsAs<engine::TcpConnectFacts>() : nullptr) {
    for (const auto& p : tcpFacts->probes) {
      // Numbers as the JSON report writes them (1.2, 3000.0), so both read the same.
      ports.details.push_back(p.address + ":" + std::to_string(p.port) + " " + p.outcome + " (" +
                              util::dumpJson(nlohmann::json(p.elapsedMs)) + " ms)");
    }
  }
  if (ports.details.empty())
    stageHop(r, Stage::Tcp, ports);
  else
    ports.status = stageStatus(r.checks, Stage::Tcp);
  hops.push_back(std::move(ports));

  Hop tls{"TLS", Status::Skip, {}, util::ResultState::NotApplicable, {}};
  stageHop(r, Stage::Tls, tls);
  hops.push_back(std::move(tls));
  Hop pg{"Postgres", Status::Skip, {}, util::ResultState::NotApplicable, {}};
  stageHop(r, Stage::Postgres, pg);
  hops.push_back(std::move(pg));

  // Each hop's state: its stage's checks' (worst first), so a hop whose checks could not
  // decide shows "not verified", never "ok".
  for (auto& h : hops) {
    h.state = engine::deriveState(h.status, {});
    if (!h.reason.empty()) {
      h.state = util::ResultState::NotApplicable;
      continue;
    }
    util::ResultState st = util::ResultState::NotApplicable;
    if (h.name == "resolver" || h.name == "addresses")
      st = stageState(r.checks, Stage::Dns);
    else if (h.name == "ports")
      st = stageState(r.checks, Stage::Tcp);
    else if (h.name == "TLS")
      st = stageState(r.checks, Stage::Tls);
    else if (h.name == "Postgres")
      st = stageState(r.checks, Stage::Postgres);
    if (st == util::ResultState::NotVerified && h.state != util::ResultState::Failed) h.state = st;
  }
  // Hops after the first broken one were not reached: say so rather than leave them blank.
  bool broken = false;
  for (auto& h : hops) {
    if (broken && h.status == Status::Skip && h.details.empty()) h.details.push_back("not reached");
    if (h.status == Status::Fail) broken = true;
  }
  return hops;
}

}  // namespace pgreach::reports
