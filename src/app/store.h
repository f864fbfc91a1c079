#pragma once
// --store DSN: appends each run's JSON report to a table in a central PostgreSQL
// (pgreach_runs, created if missing: one row per target per run, indexed by time and
// target). Uses PQexecParams only. Errors never carry the DSN's password.
#include <string>
#include <vector>

#include "util/expected.h"

namespace pgreach::app {

struct StoredRun {
  std::string target;      // the fleet's target name, or the host
  std::string startedAt;   // ISO 8601
  std::string verdict;
  std::string reportJson;  // already redacted
};

// The DSN's password (if any), so the caller's Redactor can mask it.
std::vector<std::string> storeSecrets(const std::string& dsn);
Expected<bool> storeRuns(const std::string& dsn, const std::vector<StoredRun>& runs, int connectTimeoutSeconds = 10);

}  // namespace pgreach::app
