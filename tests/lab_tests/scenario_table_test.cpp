// The lab's scenario table as the C++ lab tests read it (tests/support/lab_scenarios.h).
// Runs `lab.sh scenarios --tsv`, which needs neither root nor a running lab, so this is a
// unit test: a scenario added to the table without a stage and a declared code, or a
// table the reader cannot parse, fails here before any lab run.
#include <catch2/catch.hpp>
#include <set>

#include "reports/report/catalog.h"
#include "support/lab_scenarios.h"

using namespace pgreach;
using testing::LabScenario;

TEST_CASE("every lab scenario has a stage and an expected code the catalogue knows", "[unit][lab-table]") {
  const auto& rows = testing::labScenarios();
  CHECK(rows.size() >= 18);
  std::set<std::string> names;
  for (const LabScenario& s : rows) {
    INFO("scenario " << s.name << ": stage '" << s.stage << "', code '" << s.code << "'");
    CHECK(names.insert(s.name).second);
    CHECK_FALSE(s.fault.empty());
    REQUIRE_FALSE(s.code.empty());
    if (s.code == testing::kVerdictOk) {
      CHECK(s.stage == "-");
    } else {
      CHECK(std::set<std::string>{"dns", "tcp", "tls", "postgres"}.count(s.stage) == 1);
      CHECK(reports::lookupCode(s.code).has_value());
      // The code's area names the stage it is reported in ("pg." for postgres).
      CHECK(s.code.rfind(s.stage == "postgres" ? std::string("pg.") : s.stage + ".", 0) == 0);
    }
  }
  CHECK(names.count("healthy") == 1);
  CHECK(testing::expectedCode("refused-5433") == "tcp.refused");
  CHECK(testing::expectedStage("dns-public") == "dns");
}

TEST_CASE("the scenario table reader rejects lines it cannot read", "[unit][lab-table]") {
  std::vector<std::string> errors;
  const std::string tsv = "a\ttcp\ttcp.refused\tsome fault\twith\ttabs\n\nbroken line\nb\t-\n";
  auto rows = testing::parseLabScenarios(tsv, errors);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].name == "a");
  CHECK(rows[0].stage == "tcp");
  CHECK(rows[0].code == "tcp.refused");
  CHECK(rows[0].fault == "some fault\twith\ttabs");
  CHECK(errors.size() == 2);
}
