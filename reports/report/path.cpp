#include "reports/report/path.h"
#include "engine/facts/cloud.h"
#include "util/json_dump.h"

#include <algorithm>

namespace pgreach::reports {

using engine::Stage;
using engine::Status;

std::string statusMark(Status s) {
  switch (s) {
    case Status::Pass: return "ok";
    case Status::Warn: return "WARN";
    case Status::Fail: return "FAIL";
    case Status::Error: return "ERROR";
    case Status::Skip: return "skip";
  }
  return "?";
}

namespace {

const engine::CheckResult* findCheck(const Report& r, std::string_view id) {
  for (const auto& c : r.checks) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::string str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return util::dumpJson(*it);
  return "";
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

  Hop client{"client", Status::Pass, {}};
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
  std::vector<std::string> addresses;
  if (dns && dns->data.is_object()) {
    auto it = dns->data.find("addresses");
    if (it != dns->data.end() && it->is_array()) {
      for (const auto& a : *it) {
        if (!a.is_object()) continue;
        std::string line = str(a, "address");
        if (auto fam = str(a, "family"); !fam.empty()) line += " (" + fam + ")";
        if (!line.empty()) addresses.push_back(line);
      }
    }
  }
  const Status dnsStatus = stageStatus(r.checks, Stage::Dns);
  Hop resolver{"resolver", Status::Skip, {}};
  Hop addrHop{"addresses", Status::Skip, {}};
  if (dns || dnsStatus != Status::Skip) {
    // A resolver that produced addresses did its job; whether they are the right ones
    // (private, in the VPC) is the addresses hop's mark.
    resolver.status = addresses.empty() ? dnsStatus : Status::Pass;
    if (dns && dns->data.is_object()) {
      auto it = dns->data.find("resolvers");
      if (it != dns->data.end() && it->is_array()) {
        for (const auto& v : *it) {
          // dns.resolve records one entry per (resolver, host): {server, role, state}.
          std::string line = v.is_string() ? v.get<std::string>() : "";
          if (v.is_object()) {
            line = !str(v, "server").empty() ? str(v, "server") : str(v, "address");
            if (!line.empty() && !str(v, "role").empty()) line += " (" + str(v, "role") + ")";
            if (!line.empty() && !str(v, "state").empty()) line += ": " + str(v, "state");
          }
          if (!line.empty() && std::find(resolver.details.begin(), resolver.details.end(), line) == resolver.details.end()) {
            resolver.details.push_back(line);
          }
        }
      }
    }
    if (resolver.details.empty()) resolver.details.push_back("system resolver");
    if (!addresses.empty()) {
      addrHop.status = dnsStatus;
      addrHop.details = addresses;
    } else if (dns && dns->status != Status::Skip) {
      addrHop.details.push_back("no addresses");
    }
  }
  hops.push_back(std::move(resolver));
  hops.push_back(std::move(addrHop));

  Hop ports{"ports", stageStatus(r.checks, Stage::Tcp), {}};
  if (const auto* tcp = findCheck(r, "tcp.connect"); tcp && tcp->data.is_object()) {
    auto it = tcp->data.find("probes");
    if (it != tcp->data.end() && it->is_array()) {
      for (const auto& p : *it) {
        if (!p.is_object()) continue;
        std::string line = str(p, "address") + ":" + str(p, "port") + " " + str(p, "outcome");
        if (auto ms = str(p, "elapsed_ms"); !ms.empty()) line += " (" + ms + " ms)";
        ports.details.push_back(line);
      }
    }
  }
  if (ports.details.empty()) stageHop(r, Stage::Tcp, ports);
  else ports.status = stageStatus(r.checks, Stage::Tcp);
  hops.push_back(std::move(ports));

  Hop tls{"TLS", Status::Skip, {}};
  stageHop(r, Stage::Tls, tls);
  hops.push_back(std::move(tls));
  Hop pg{"Postgres", Status::Skip, {}};
  stageHop(r, Stage::Postgres, pg);
  hops.push_back(std::move(pg));

  // Hops after the first broken one were not reached: say so rather than leave them blank.
  bool broken = false;
  for (auto& h : hops) {
    if (broken && h.status == Status::Skip && h.details.empty()) h.details.push_back("not reached");
    if (h.status == Status::Fail) broken = true;
  }
  return hops;
}

}  // namespace pgreach::reports
