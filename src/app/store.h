#pragma once
// --store DSN: appends each run's JSON report to a table in a central PostgreSQL
// (pgreach_runs, created if missing: one row per target per run, indexed by time and
// target). Uses PQexecParams only. Errors never carry the DSN's password.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "util/expected.h"

namespace pgreach::app {

struct StoredRun {
  std::string target;     // the fleet's target name, or the host
  std::string startedAt;  // ISO 8601
  std::string verdict;
  std::string reportJson;  // already redacted
};

// The DSN's password (if any), so the caller's Redactor can mask it.
std::vector<std::string> storeSecrets(const std::string& dsn);
// Connects and writes without blocking; gives up when `budget` is spent (the caller passes
// what is left of the run's --deadline), so a silent store never holds the run.
Expected<bool> storeRuns(const std::string& dsn, const std::vector<StoredRun>& runs,
                         std::chrono::milliseconds budget);

// What is left of a run's --deadline after `elapsed`, plus the 0.4 s every run may take
// past it to write its outputs.
inline std::chrono::milliseconds storeBudget(std::chrono::milliseconds deadline,
                                             std::chrono::milliseconds elapsed) {
  return std::max(deadline - elapsed, std::chrono::milliseconds(0)) + std::chrono::milliseconds(400);
}

}  // namespace pgreach::app
