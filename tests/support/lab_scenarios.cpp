#include "support/lab_scenarios.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <sstream>

#include "support/lab.h"
#include "support/process.h"

namespace pgreach::testing {

std::vector<LabScenario> parseLabScenarios(const std::string& tsv, std::vector<std::string>& errors) {
  std::vector<LabScenario> out;
  std::istringstream in(tsv);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::string::size_type start = 0;
    for (int i = 0; i < 3; ++i) {
      const auto tab = line.find('\t', start);
      if (tab == std::string::npos) break;
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    if (fields.size() != 3) {
      errors.push_back("not NAME<TAB>STAGE<TAB>CODE<TAB>FAULT: " + line);
      continue;
    }
    out.push_back({fields[0], fields[1], fields[2], line.substr(start)});
  }
  return out;
}

const std::vector<LabScenario>& labScenarios() {
  static std::mutex mu;
  static std::vector<LabScenario> rows;
  std::lock_guard<std::mutex> lock(mu);
  if (rows.empty()) {
    auto r = runProcess({"bash", labScript(), "scenarios", "--tsv"}, std::chrono::seconds(10));
    INFO("lab.sh scenarios --tsv stdout:\n" << r.out << "\nstderr:\n" << r.err);
    REQUIRE(r.exitCode == 0);
    std::vector<std::string> errors;
    rows = parseLabScenarios(r.out, errors);
    INFO("unreadable lines: " << errors.size());
    REQUIRE(errors.empty());
    REQUIRE_FALSE(rows.empty());
  }
  return rows;
}

const LabScenario& labScenarioRow(const std::string& name) {
  for (const auto& row : labScenarios()) {
    if (row.name == name) return row;
  }
  FAIL("scenario " << name << " is not in the lab's table (tests/lab/lab.sh SCENARIOS)");
  static const LabScenario none;
  return none;
}

}  // namespace pgreach::testing
