#include "engine/dns_facts.h"

namespace pgreach::engine {
namespace {

nlohmann::json addressesJson(const std::vector<ResolvedAddress>& addresses) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : addresses)
    out.push_back({{"host", a.host}, {"address", a.address}, {"family", a.family}});
  return out;
}

nlohmann::json queryJson(const DnsQueryFacts& q) {
  nlohmann::json j{{"type", q.type},
                   {"transport", q.transport},
                   {"response_ms", q.responseMs},
                   {"via_tcp", q.viaTcp},
                   {"truncated", q.truncated}};
  if (q.answered) {
    j["rcode"] = q.rcode;
    j["ad"] = q.ad;
    j["aa"] = q.aa;
    j["cname_chain"] = q.cnameChain;
    j["cname_ttls"] = q.cnameTtls;
    j["answers"] = q.answers;
    nlohmann::json addrs = nlohmann::json::array();
    for (const auto& a : q.addresses) addrs.push_back({{"address", a.address}, {"ttl", a.ttl}});
    j["addresses"] = addrs;
    if (q.malformed) j["malformed"] = *q.malformed;
  } else {
    j["detail"] = q.detail;
  }
  return j;
}

}  // namespace

nlohmann::json DnsResolveFacts::toJson() const {
  nlohmann::json resolversJson = nlohmann::json::array();
  for (const auto& r : resolvers) {
    nlohmann::json queries = nlohmann::json::array();
    for (const auto& q : r.queries) queries.push_back(queryJson(q));
    resolversJson.push_back(
        {{"host", r.host}, {"server", r.server}, {"role", r.role}, {"state", r.state}, {"queries", queries}});
  }
  nlohmann::json systemJson = nlohmann::json::object();
  for (const auto& [host, s] : system) {
    systemJson[host] = {{"finished", s.finished},
                        {"error", s.error},
                        {"addresses", s.addresses},
                        {"elapsed_ms", s.elapsedMs}};
  }
  nlohmann::json answers = nlohmann::json::object();
  for (const auto& [host, a] : dnsAnswers) answers[host] = a;
  nlohmann::json j{{"addresses", addressesJson(addresses)},
                   {"resolvers", resolversJson},
                   {"system", systemJson},
                   {"dns_answers", answers},
                   {"vpc_cidrs", vpcCidrs},
                   {"vpc_source", vpcSource}};
  // Only when the target gave addresses: the data of a run with names stays as it was.
  if (!given.empty()) j["given"] = given;
  if (exchanges) j["exchanges"] = *exchanges;
  if (elapsedMs) j["elapsed_ms"] = *elapsedMs;
  return j;
}

nlohmann::json DnsSystemFacts::toJson() const { return {{"addresses", addressesJson(addresses)}}; }

}  // namespace pgreach::engine
