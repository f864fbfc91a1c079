// The DNS stage's network part against DNS servers on loopback (the test starts them).
#include "checks/dns/dns_stage.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "checks/dns/fake_dns.h"
#include "checks/dns/packets.h"

using namespace pgreach;
using namespace pgreach::checks::dns;
using pgreach::testing::FakeDnsServer;
namespace pkt = pgreach::testing::dnspkt;

namespace {

const std::string kHost = "db.pgreach.test";

struct Question {
  uint16_t id = 0;
  ldns_rr_type type = LDNS_RR_TYPE_A;
};

Question question(const std::vector<uint8_t>& q) {
  ldns_pkt* raw = nullptr;
  REQUIRE(ldns_wire2pkt(&raw, q.data(), q.size()) == LDNS_STATUS_OK);
  pgreach::net::LdnsPktPtr p(raw);
  return {ldns_pkt_id(p.get()), ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(p.get()), 0))};
}

// Answers A with `addr`, AAAA with nothing.
FakeDnsServer::Handler answering(const std::string& addr, bool truncateUdp = false) {
  return [addr, truncateUdp](const std::vector<uint8_t>& query,
                             bool tcp) -> std::optional<std::vector<uint8_t>> {
    auto q = question(query);
    std::vector<std::string> rrs;
    if (q.type == LDNS_RR_TYPE_A && (tcp || !truncateUdp)) rrs.push_back(kHost + ". 60 IN A " + addr);
    auto p = pkt::response(kHost, q.type, LDNS_RCODE_NOERROR, rrs, q.id);
    if (truncateUdp && !tcp) ldns_pkt_set_tc(p.get(), true);
    return pkt::wire(p.get());
  };
}

StageInput stage(std::vector<std::pair<std::string, ResolverRole>> servers,
                 std::chrono::milliseconds timeout) {
  StageInput in;
  in.hosts = {kHost};
  for (const auto& [spec, role] : servers) in.servers.push_back({*net::DnsServer::parse(spec), role});
  in.vpcCidrs.push_back(*net::Cidr::parse("10.40.0.0/16"));
  in.timeout = timeout;
  in.systemLookup = false;  // getaddrinfo would ask this machine's real resolver
  return in;
}

bool allRoutes(const net::IpAddress&) { return true; }

std::string firstCritical(const engine::CheckResult& r) {
  for (const auto& f : r.findings) {
    if (f.severity == engine::Severity::Critical) return f.code;
  }
  return "";
}

long long elapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

TEST_CASE("dns stage: a resolver on loopback answering inside the VPC passes", "[integration]") {
  FakeDnsServer server(answering("10.40.2.120"));
  auto r =
      runStage(stage({{server.spec(), ResolverRole::System}}, std::chrono::milliseconds(2000)), allRoutes);
  CHECK(r.status == engine::Status::Pass);
  REQUIRE(r.dataJson()["addresses"].size() == 1);
  CHECK(r.dataJson()["addresses"][0]["address"] == "10.40.2.120");
  CHECK(r.dataJson()["addresses"][0]["family"] == "ipv4");
  CHECK(r.dataJson()["resolvers"][0]["queries"][0]["rcode"] == "NOERROR");
  CHECK(server.queries() == 2);  // A and AAAA
}

TEST_CASE("dns stage: three silent resolvers cost one timeout, not three", "[integration]") {
  FakeDnsServer s1([](const std::vector<uint8_t>&, bool) { return std::nullopt; });
  FakeDnsServer s2([](const std::vector<uint8_t>&, bool) { return std::nullopt; });
  FakeDnsServer s3([](const std::vector<uint8_t>&, bool) { return std::nullopt; });
  const auto timeout = std::chrono::milliseconds(600);
  const auto start = std::chrono::steady_clock::now();
  auto r = runStage(stage({{s1.spec(), ResolverRole::System},
                           {s2.spec(), ResolverRole::System},
                           {s3.spec(), ResolverRole::Extra}},
                          timeout),
                    allRoutes);
  const auto ms = elapsedMs(start);
  INFO("elapsed " << ms << " ms");
  CHECK(ms >= 550);
  CHECK(ms < 600 + 500);
  CHECK(firstCritical(r) == "dns.timeout");
  CHECK(r.status == engine::Status::Fail);
  // Each silent server got the query and its one retransmission, for A and AAAA.
  CHECK(s1.queries() == 4);
}

TEST_CASE("dns stage: a truncated UDP answer is asked again over TCP", "[integration]") {
  FakeDnsServer server(answering("10.40.2.120", true));
  auto r =
      runStage(stage({{server.spec(), ResolverRole::System}}, std::chrono::milliseconds(2000)), allRoutes);
  CHECK(r.status == engine::Status::Pass);
  REQUIRE(r.dataJson()["addresses"].size() == 1);
  CHECK(r.dataJson()["resolvers"][0]["queries"][0]["via_tcp"].get<bool>());
  CHECK(r.dataJson()["resolvers"][0]["queries"][0]["truncated"].get<bool>());
  bool truncatedFinding = false;
  for (const auto& f : r.findings) truncatedFinding = truncatedFinding || f.code == "dns.truncated";
  CHECK(truncatedFinding);
}

TEST_CASE("dns stage: a truncated answer whose TCP retry gets nothing is named, not called NODATA (issue 17)",
          "[integration]") {
  // UDP: TC set, with the A record in it; TCP: no answer at all (the server stays silent).
  FakeDnsServer server(
      [](const std::vector<uint8_t>& query, bool tcp) -> std::optional<std::vector<uint8_t>> {
        if (tcp) return std::nullopt;
        auto q = question(query);
        std::vector<std::string> rrs;
        if (q.type == LDNS_RR_TYPE_A) rrs.push_back(kHost + ". 60 IN A 10.40.2.120");
        auto p = pkt::response(kHost, q.type, LDNS_RCODE_NOERROR, rrs, q.id);
        ldns_pkt_set_tc(p.get(), true);
        return pkt::wire(p.get());
      });
  auto r =
      runStage(stage({{server.spec(), ResolverRole::System}}, std::chrono::milliseconds(1500)), allRoutes);
  CHECK(firstCritical(r) == "dns.tcp_fallback_failed");
  bool noData = false;
  for (const auto& f : r.findings) noData = noData || f.code == "dns.no_address";
  CHECK_FALSE(noData);
}

TEST_CASE("dns stage: hostile answers become dns.malformed_answer", "[integration]") {
  FakeDnsServer server([](const std::vector<uint8_t>& query, bool) -> std::optional<std::vector<uint8_t>> {
    auto w = pkt::header(static_cast<uint16_t>((query[0] << 8) | query[1]), 1, 0xFFFF);
    pkt::append(w, {0xC0, 0x0C, 0, 1, 0, 1});  // pointer loop, and 65535 answers that are not there
    return w;
  });
  auto r =
      runStage(stage({{server.spec(), ResolverRole::System}}, std::chrono::milliseconds(2000)), allRoutes);
  CHECK(firstCritical(r) == "dns.malformed_answer");
  CHECK(r.dataJson()["addresses"].empty());
}

TEST_CASE("dns stage: answers with the wrong id are ignored until the deadline", "[integration]") {
  FakeDnsServer server([](const std::vector<uint8_t>& query, bool) -> std::optional<std::vector<uint8_t>> {
    auto q = question(query);
    return pkt::responseWire(kHost, q.type, LDNS_RCODE_NOERROR, {kHost + ". 60 IN A 203.0.113.66"},
                             static_cast<uint16_t>(q.id + 1));
  });
  auto r =
      runStage(stage({{server.spec(), ResolverRole::System}}, std::chrono::milliseconds(400)), allRoutes);
  CHECK(firstCritical(r) == "dns.timeout");
  CHECK(r.dataJson()["addresses"].empty());
}

TEST_CASE("dns stage: a closed port answers at once with ICMP, not after the timeout", "[integration]") {
  uint16_t closedPort = 0;
  {
    FakeDnsServer gone([](const std::vector<uint8_t>&, bool) { return std::nullopt; });
    closedPort = gone.port();
  }
  const auto start = std::chrono::steady_clock::now();
  auto r = runStage(stage({{"127.0.0.1#" + std::to_string(closedPort), ResolverRole::System}},
                          std::chrono::milliseconds(3000)),
                    allRoutes);
  CHECK(elapsedMs(start) < 1000);
  CHECK(firstCritical(r) == "dns.timeout");
  CHECK(r.dataJson()["resolvers"][0]["state"] == "unreachable");
}

TEST_CASE("dns stage: split horizon between loopback resolvers", "[integration]") {
  FakeDnsServer good(answering("10.40.2.120"));
  FakeDnsServer stale(answering("10.40.2.57"));
  auto r = runStage(stage({{good.spec(), ResolverRole::System}, {stale.spec(), ResolverRole::Extra}},
                          std::chrono::milliseconds(2000)),
                    allRoutes);
  CHECK(firstCritical(r) == "dns.resolvers_disagree");
  REQUIRE(r.dataJson()["addresses"].size() == 1);
  CHECK(r.dataJson()["addresses"][0]["address"] == "10.40.2.120");
}

TEST_CASE("dns stage: localhost names never go to DNS", "[unit]") {
  CHECK(isLocalhostName("localhost"));
  CHECK(isLocalhostName("LOCALHOST."));
  CHECK(isLocalhostName("db.localhost"));
  CHECK_FALSE(isLocalhostName("notlocalhost"));
  CHECK_FALSE(isLocalhostName("localhost.example"));
}
