// The operator files in contrib/ for pgreach serve: the alert rules pass promtool, the
// scrape config is a valid Prometheus config, the dashboard is JSON that queries only
// metric names pgreach emits.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/process.h"

using namespace pgreach;
using namespace std::chrono_literals;

TEST_CASE("serve: contrib alert rules pass promtool's checks and unit tests, the scrape config its check",
          "[integration][serve]") {
  const std::string dir = std::string(PGREACH_SOURCE_DIR) + "/contrib/prometheus/";
  auto rules = testing::runProcess({"promtool", "check", "rules", dir + "pgreach-alerts.yml"}, 30s);
  INFO(rules.out << rules.err);
  CHECK(rules.exitCode == 0);
  CHECK(rules.out.find("SUCCESS: 6 rules found") != std::string::npos);
  // promtool's unit tests of the rules: the DNS-answer alert fires on the codes that say
  // the answer is not the private endpoint, and not on a SERVFAIL.
  auto unit = testing::runProcess({"promtool", "test", "rules", dir + "pgreach-alerts.test.yml"}, 30s);
  INFO(unit.out << unit.err);
  CHECK(unit.exitCode == 0);
  CHECK(unit.out.find("SUCCESS") != std::string::npos);
  auto config = testing::runProcess({"promtool", "check", "config", dir + "prometheus.yml"}, 30s);
  INFO(config.out << config.err);
  CHECK(config.exitCode == 0);
}

TEST_CASE("serve: the Grafana dashboard is JSON over pgreach's metric names", "[unit][serve]") {
  std::ifstream in(std::string(PGREACH_SOURCE_DIR) + "/contrib/grafana/pgreach-dashboard.json");
  std::stringstream s;
  s << in.rdbuf();
  auto d = nlohmann::json::parse(s.str(), nullptr, false);
  REQUIRE_FALSE(d.is_discarded());
  REQUIRE(d["panels"].size() >= 6);
  for (const auto& p : d["panels"]) {
    for (const auto& t : p["targets"]) {
      const std::string e = t["expr"];
      CHECK((e.find("pgreach_") != std::string::npos || e.find("probe_") != std::string::npos ||
             e.find("process_") != std::string::npos));
    }
  }
}
