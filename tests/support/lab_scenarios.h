#pragma once
// The lab's scenario table (SCENARIOS in tests/lab/lab.sh), read from
// `lab.sh scenarios --tsv`, so the C++ lab tests take the expected stage and code of a
// scenario from the one place that defines the scenario. Listing needs neither root nor
// a running lab.
#include <string>
#include <vector>

namespace pgreach::testing {

struct LabScenario {
  std::string name;
  std::string stage;  // "dns", "tcp", "tls", "postgres"; "-" when nothing fails
  std::string code;   // the root cause's code, or kVerdictOk
  std::string fault;  // what the scenario breaks, in words
};

// The table's code for a scenario where nothing fails.
inline constexpr const char* kVerdictOk = "verdict ok";

// Parses `lab.sh scenarios --tsv` output; a malformed line is skipped and reported in `errors`.
std::vector<LabScenario> parseLabScenarios(const std::string& tsv, std::vector<std::string>& errors);

// The table, read once per test run; REQUIREs that lab.sh listed it.
const std::vector<LabScenario>& labScenarios();

// The row for `name`; FAILs the test when the table has no such scenario.
const LabScenario& labScenarioRow(const std::string& name);

// Shorthands for what a test asserts about a scenario's report.
inline std::string expectedCode(const std::string& name) { return labScenarioRow(name).code; }
inline std::string expectedStage(const std::string& name) { return labScenarioRow(name).stage; }

}  // namespace pgreach::testing
