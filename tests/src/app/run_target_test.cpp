// -w/-c: the monitoring-plugin thresholds on the whole run's time.
#include "app/run_target.h"

#include <catch2/catch.hpp>

#include "reports/report/catalog.h"

using namespace pgreach;

TEST_CASE("-w/-c add a run.time result only when the run's time exceeds them", "[unit][app]") {
  cli::Options o;
  std::vector<engine::CheckResult> results;
  app::applyTimeThresholds(results, 5000, o);  // no thresholds: nothing
  CHECK(results.empty());

  o.warnTime = std::chrono::milliseconds(1000);
  o.critTime = std::chrono::milliseconds(2000);
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
