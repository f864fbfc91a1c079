// The foundation's one real check against the lab's real servers. Expected stages and
// codes come from the lab's scenario table (tests/support/lab_scenarios.h).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/lab.h"
#include "support/lab_scenarios.h"

using namespace pgreach::testing;
using nlohmann::json;

namespace {
json diagnoseTcp(const std::string& host) {
  auto r =
      pgreachInClient({"diagnose", "host=" + host + " user=app dbname=appdb", "--only", "tcp", "--format",
                       "json", "--timeout", "2s", "--provider", "planetscale", "--ports", "5432,5433,6432"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE_FALSE(r.timedOut);
  REQUIRE(!r.out.empty());
  auto j = json::parse(r.out);
  j["exit_code"] = r.exitCode;
  return j;
}
}  // namespace

TEST_CASE("lab healthy: every endpoint address is open on every port", "[lab]") {
  labScenario("healthy");
  REQUIRE(expectedCode("healthy") == kVerdictOk);
  auto j = diagnoseTcp(labEnv("LAB_HOST_PLANETSCALE"));
  CHECK(j["exit_code"] == 0);
  CHECK(j["verdict"] == "ok");
  size_t open = 0;
  for (const auto& c : j["checks"]) {
    if (c["id"] != "tcp.connect") continue;
    for (const auto& p : c["data"]["probes"]) open += p["outcome"] == "open";
  }
  CHECK(open == 12);  // 4 addresses (2 IPv4, 2 IPv6) × 3 ports
}

TEST_CASE("lab refused-5433: the table's root cause", "[lab]") {
  labScenario("refused-5433");
  auto j = diagnoseTcp(labEnv("LAB_HOST_PLANETSCALE"));
  CHECK(j["exit_code"] == 2);
  CHECK(j["root_cause"]["stage"] == expectedStage("refused-5433"));
  CHECK(j["root_cause"]["code"] == expectedCode("refused-5433"));
  labScenario("healthy");
}

TEST_CASE("lab sg-missing-6432: the table's root cause within one probe timeout", "[lab]") {
  labScenario("sg-missing-6432");
  auto r = pgreachInClient({"diagnose", "host=" + labEnv("LAB_HOST_PLANETSCALE") + " user=app", "--only",
                            "tcp", "--format", "json", "--timeout", "2s"});
  INFO(r.out << r.err);
  auto j = json::parse(r.out);
  CHECK(r.exitCode == 2);
  CHECK(j["root_cause"]["code"] == expectedCode("sg-missing-6432"));
  CHECK(r.elapsed < std::chrono::milliseconds(2000 + 1500));  // one timeout, not one per address × port
  labScenario("healthy");
}
