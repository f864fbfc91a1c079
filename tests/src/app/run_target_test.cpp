// -w/-c: the monitoring-plugin thresholds on the whole run's time.
#include "app/run_target.h"

#include <catch2/catch.hpp>

#include "engine/tcp_facts.h"
#include "reports/report/catalog.h"

using namespace pgreach;

TEST_CASE("-w/-c add a run.time result only when the run's time exceeds them", "[unit][app]") {
  cli::Options o;
  std::vector<engine::CheckResult> results;
  app::applyTimeThresholds(results, 5000, o);  // no thresholds: nothing
  CHECK(results.empty());

  o.warnTime = util::ThresholdRange::above(1000);
  o.critTime = util::ThresholdRange::above(2000);
  app::applyTimeThresholds(results, 1000, o);  // at the threshold is not over it
  CHECK(results.empty());

  app::applyTimeThresholds(results, 1500, o);
  REQUIRE(results.size() == 1);
  CHECK(results[0].id == "run.time");
  CHECK(results[0].status == engine::Status::Warn);
  REQUIRE(results[0].findings.size() == 1);
  CHECK(results[0].findings[0].code == "engine.time_warning");
  CHECK(results[0].summary.find("--warning 1.000 s") != std::string::npos);
  CHECK(reports::computeVerdict(results) == reports::Verdict::Warning);

  results.clear();
  app::applyTimeThresholds(results, 2500, o);
  REQUIRE(results.size() == 1);
  CHECK(results[0].status == engine::Status::Fail);
  CHECK(results[0].findings[0].code == "engine.time_critical");
  CHECK(reports::computeVerdict(results) == reports::Verdict::Critical);
  // explain knows both codes.
  CHECK(reports::lookupCode("engine.time_warning").has_value());
  CHECK(reports::lookupCode("engine.time_critical").has_value());
}

namespace {
engine::CheckResult tcpWith(std::vector<std::pair<uint16_t, double>> probes) {
  engine::CheckResult c;
  c.id = "tcp.connect";
  c.stage = engine::Stage::Tcp;
  c.status = engine::Status::Pass;
  engine::TcpConnectFacts f;
  for (const auto& [port, ms] : probes) {
    engine::TcpProbeFacts p;
    p.address = "10.40.2.120";
    p.port = port;
    p.outcome = "open";
    p.elapsedMs = ms;
    f.probes.push_back(p);
  }
  c.setFacts(std::move(f));
  return c;
}
}  // namespace

TEST_CASE("connect and handshake thresholds judge each port's slowest connect and the TLS stage",
          "[unit][app]") {
  cli::Options o;
  o.warnConnect = util::ThresholdRange::above(100);
  o.critConnect = util::ThresholdRange::above(1000);
  std::vector<engine::CheckResult> results{tcpWith({{5432, 20}, {5432, 150}, {6432, 30}})};
  engine::CheckResult tls;
  tls.id = "tls.handshake";
  tls.stage = engine::Stage::Tls;
  tls.status = engine::Status::Pass;
  tls.durationMs = 400;
  results.push_back(tls);
  app::applyTimeThresholds(results, 600, o);
  REQUIRE(results.size() == 3);
  const auto& connect = results.back();
  CHECK(connect.id == "run.connect_time");
  CHECK(connect.status == engine::Status::Warn);
  REQUIRE(connect.findings.size() == 1);  // 6432 at 30 ms is inside the range
  CHECK(connect.findings[0].code == "engine.connect_time_warning");
  CHECK(connect.findings[0].summary ==
        "the TCP connect to port 5432 took 0.150 s, over --warning-connect 0.100 s");
  CHECK(reports::computeVerdict(results) == reports::Verdict::Warning);

  // Critical wins; a handshake range "@0.3:0.5" alerts inside it.
  results.resize(2);
  results[0] = tcpWith({{5432, 1200}});
  o.warnHandshake = util::ThresholdRange{};
  o.warnHandshake->inside = true;
  o.warnHandshake->startMs = 300.0;
  o.warnHandshake->endMs = 500.0;
  app::applyTimeThresholds(results, 1700, o);
  REQUIRE(results.size() == 4);
  CHECK(results[2].id == "run.connect_time");
  CHECK(results[2].findings[0].code == "engine.connect_time_critical");
  CHECK(results[3].id == "run.handshake_time");
  CHECK(results[3].findings[0].code == "engine.handshake_time_warning");
  CHECK(results[3].findings[0].summary.find("inside --warning-handshake 0.300 s..0.500 s") !=
        std::string::npos);
  CHECK(reports::computeVerdict(results) == reports::Verdict::Critical);
  for (const char* code : {"engine.connect_time_warning", "engine.connect_time_critical",
                           "engine.handshake_time_warning", "engine.handshake_time_critical"})
    CHECK(reports::lookupCode(code).has_value());
}
