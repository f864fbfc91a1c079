// The lab's dual-stack scenarios (issue 21): every provider name answers A and AAAA (ULA
// fd40::/48), the servers listen on both families, and one family is broken at a time.
// Expected codes come from the lab's scenario table; these tests add what the table
// cannot say: which family the finding names, the delay it gives, its severity.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/lab.h"
#include "support/lab_scenarios.h"

using namespace pgreach::testing;
using nlohmann::json;

namespace {

struct Run {
  json j;
  int exitCode = 0;
};

Run diagnose(const std::string& scenario, const std::string& extraConninfo,
             const std::vector<std::string>& extra = {}) {
  labScenario(scenario);
  std::vector<std::string> args{
      "diagnose",   "host=" + labEnv("LAB_HOST_NEON") + " user=app dbname=appdb " + extraConninfo,
      "--only",     "dns,tcp",
      "--vpc-cidr", labEnv("LAB_VPC_CIDR"),
      "--vpc-cidr", labEnv("LAB_VPC6_CIDR"),
      "--timeout",  "2s",
      "--format",   "json",
      "--ports",    "5432"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = pgreachInClient(args);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE_FALSE(r.timedOut);
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return {j, r.exitCode};
}

const json* finding(const json& j, const std::string& code) {
  for (const auto& c : j["checks"]) {
    for (const auto& f : c["findings"]) {
      if (f["code"] == code) return &f;
    }
  }
  return nullptr;
}

std::string dump(const json* f) { return f ? f->dump() : std::string(); }

}  // namespace

TEST_CASE("lab dual-stack healthy: A and AAAA inside the VPC's two ranges, all four addresses open, ok",
          "[lab][ipv6]") {
  auto r = diagnose("healthy", "");
  INFO(r.j.dump(1));
  CHECK(r.j["verdict"] == "ok");
  CHECK(r.exitCode == 0);
  size_t v4 = 0, v6 = 0;
  for (const auto& c : r.j["checks"]) {
    if (c["id"] != "tcp.connect") continue;
    for (const auto& p : c["data"]["probes"]) {
      CHECK(p["outcome"] == "open");
      (p["address"].get<std::string>().find(':') == std::string::npos ? v4 : v6) += 1;
    }
  }
  CHECK(v4 == 2);
  CHECK(v6 == 2);
  CHECK(finding(r.j, "dns.answer_in_vpc"));
  CHECK_FALSE(finding(r.j, "dns.answer_public"));
}

TEST_CASE("lab v6-no-route: AAAA with no IPv6 route is a warning naming IPv6; IPv4 connects", "[lab][ipv6]") {
  auto r = diagnose("v6-no-route", "");
  INFO(r.j.dump(1));
  CHECK(r.j["verdict"] == "warning");
  const auto* dns = finding(r.j, expectedCode("v6-no-route"));
  REQUIRE(dns);
  CHECK((*dns)["severity"] == "warning");
  const auto* fam = finding(r.j, "tcp.family_fallback");
  REQUIRE(fam);
  CHECK(dump(fam).find("IPv6 fails on port 5432 (no_route) while IPv4 works") != std::string::npos);
  CHECK(dump(fam).find("Add the IPv6 route") != std::string::npos);
  CHECK_FALSE(finding(r.j, "tcp.no_route"));
}

TEST_CASE(
    "lab v6-dropped: IPv6 tried first and dropped; critical without connect_timeout, a warning with "
    "the delay with one",
    "[lab][ipv6]") {
  auto none = diagnose("v6-dropped", "");
  INFO(none.j.dump(1));
  CHECK(none.j["verdict"] == "critical");
  CHECK(none.j["root_cause"]["code"] == expectedCode("v6-dropped"));
  CHECK(none.j["root_cause"]["stage"] == expectedStage("v6-dropped"));
  CHECK(none.j["root_cause"]["summary"].get<std::string>().find("tries IPv6 first") != std::string::npos);
  CHECK(none.j["root_cause"]["fix"].get<std::string>().find("Ipv6Ranges") != std::string::npos);

  auto timed = diagnose("v6-dropped", "connect_timeout=3");
  INFO(timed.j.dump(1));
  CHECK(timed.j["verdict"] == "warning");
  const auto* f = finding(timed.j, "tcp.family_fallback");
  REQUIRE(f);
  CHECK((*f)["severity"] == "warning");
  CHECK(dump(f).find("waits 6.0 s (2 IPv6 address(es)) before IPv4 connects") != std::string::npos);
  CHECK_FALSE(finding(timed.j, "tcp.silently_dropped"));
}

TEST_CASE("lab v6-refused: the IPv6 refusal costs no timeout, a warning naming the listener", "[lab][ipv6]") {
  auto r = diagnose("v6-refused", "");
  INFO(r.j.dump(1));
  CHECK(r.j["verdict"] == "warning");
  const auto* f = finding(r.j, expectedCode("v6-refused"));
  REQUIRE(f);
  CHECK(dump(f).find("IPv6 fails on port 5432 (refused)") != std::string::npos);
  CHECK(dump(f).find("listen_addresses") != std::string::npos);
}

TEST_CASE("lab v6-admin-prohibited: the ICMPv6 1/1 is the evidence, the family named", "[lab][ipv6]") {
  auto r = diagnose("v6-admin-prohibited", "");
  INFO(r.j.dump(1));
  CHECK(r.j["verdict"] == "warning");
  const auto* f = finding(r.j, expectedCode("v6-admin-prohibited"));
  REQUIRE(f);
  CHECK(dump(f).find("IPv6 fails on port 5432 (admin_prohibited)") != std::string::npos);
  CHECK(dump(f).find("fd40:0:0:1::1") != std::string::npos);  // the router that sent the ICMPv6
  // and the packet itself on the wire (root has a capture): a snaplen of 96 used to cut it
  CHECK(dump(f).find("wire: ICMPv6 type 1 code 1 (administratively prohibited)") != std::string::npos);
}

TEST_CASE("lab v6-only-endpoint: AAAA only, reached over IPv6: ok", "[lab][ipv6]") {
  auto r = diagnose("v6-only-endpoint", "");
  INFO(r.j.dump(1));
  CHECK(expectedCode("v6-only-endpoint") == kVerdictOk);
  CHECK(r.j["verdict"] == "ok");
}

TEST_CASE("lab aaaa-only-no-route: AAAA only and no IPv6 route is critical at the DNS stage", "[lab][ipv6]") {
  auto r = diagnose("aaaa-only-no-route", "");
  INFO(r.j.dump(1));
  CHECK(r.j["verdict"] == "critical");
  CHECK(r.j["root_cause"]["code"] == expectedCode("aaaa-only-no-route"));
  CHECK(r.j["root_cause"]["stage"] == expectedStage("aaaa-only-no-route"));
  labScenario("healthy");
}

TEST_CASE("lab v6-dropped-prefer-v4: with the gai.conf fix the application tries IPv4 first and pays nothing",
          "[lab][ipv6]") {
  auto r = diagnose("v6-dropped-prefer-v4", "");
  INFO(r.j.dump(1));
  CHECK(r.j["verdict"] == "warning");
  const auto* f = finding(r.j, expectedCode("v6-dropped-prefer-v4"));
  REQUIRE(f);
  CHECK((*f)["severity"] == "warning");
  CHECK(dump(f).find("tries IPv4 first and connects at once") != std::string::npos);
  labScenario("healthy");
}
