#pragma once
// --store DSN: appends each run's JSON report to a table in a central PostgreSQL, one row
// per target per run (docs/store.md has the schema, two queries and the Grafana view).
//
// The schema is versioned by the table's comment ("pgreach schema 2"). A run whose table
// is current executes no DDL at all, so nothing is printed and no lock is taken; an
// older table (pgreach before schema 2: no comment) or none at all is migrated once, in
// one transaction under an advisory lock. Uses PQexecParams-style parameters only.
// Errors never carry the DSN's password.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "reports/report/report.h"
#include "util/expected.h"

namespace pgreach::app {

struct StoredRun {
  std::string target;     // storeTarget(): host:port/dbname, the same rule in a fleet and a single run
  std::string name;       // the fleet's [target.NAME]; "" (stored as NULL) in a single run
  std::string startedAt;  // ISO 8601
  reports::Verdict verdict = reports::Verdict::Unknown;
  std::string reportJson;  // already redacted
};

// What the `target` column holds for a report: "host:port/dbname" (dbname may be empty).
// The same database is the same series whether a fleet or a single run diagnosed it.
std::string storeTarget(const reports::TargetSummary& target);

// The SQL that brings the table to the current schema (for tests and docs/store.md).
const char* storeMigrationSql();

// The DSN's password (if any), so the caller's Redactor can mask it.
std::vector<std::string> storeSecrets(const std::string& dsn);
// Connects and writes without blocking; gives up when `budget` is spent (the caller passes
// what is left of the run's --deadline), so a silent store never holds the run.
// With `retention`, rows whose run_at is older are deleted afterwards, at most
// kRetentionBatch per run (a long backlog goes over the next runs).
Expected<bool> storeRuns(const std::string& dsn, const std::vector<StoredRun>& runs,
                         std::chrono::milliseconds budget,
                         std::optional<std::chrono::hours> retention = std::nullopt);
constexpr int kRetentionBatch = 10000;

// What is left of a run's --deadline after `elapsed`, plus the 0.4 s every run may take
// past it to write its outputs.
inline std::chrono::milliseconds storeBudget(std::chrono::milliseconds deadline,
                                             std::chrono::milliseconds elapsed) {
  return std::max(deadline - elapsed, std::chrono::milliseconds(0)) + std::chrono::milliseconds(400);
}

}  // namespace pgreach::app
