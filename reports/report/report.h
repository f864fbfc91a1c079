#pragma once
// The report model every renderer reads: one run's results, its verdict, the root
// cause along dns → tcp → tls → postgres, and the sections a reader walks through.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/result.h"
#include "engine/run_config.h"
#include "target/target.h"
#include "util/redact.h"
#include "util/threshold.h"

namespace pgreach::reports {

// 2: every check has `state` (passed, failed, not_verified, not_applicable) and the
// schema describes each check's `data` per check id.
inline constexpr int kSchemaVersion = 2;

enum class Verdict { Ok, Warning, Critical, Unknown };
std::string_view toString(Verdict v);
// The check status a verdict reads as (for colours and marks): ok → pass ... unknown → error.
engine::Status verdictStatus(Verdict v);
// Monitoring-plugin exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int exitCode(Verdict v);

struct TargetSummary {
  std::string host;
  uint16_t port = 5432;
  std::vector<uint16_t> ports;
  std::string provider;
  std::string dbname;
  std::string user;
  std::string conninfo;  // redacted
};

struct RootCause {
  engine::Stage stage = engine::Stage::Dns;
  std::string checkId;
  std::string code;
  std::string summary;
  std::string fix;
  std::vector<engine::Finding> related;  // cloud findings that explain it
  std::vector<std::string> sections;     // the failed playbook sections that cover it
};

struct Section {
  std::string title;
  engine::Status status = engine::Status::Skip;
  // The four states (util/result_state.h): passed when its checks looked and found it
  // working, failed when one found it broken, not_verified when one was asked for and
  // could not decide (an unknown path step, a cut deadline), not_applicable when none
  // ran. A section is never shown as ok on a check that did not verify it.
  util::ResultState state = util::ResultState::NotApplicable;
  std::vector<std::string> checkIds;
  std::string manual;                 // what to check by hand when pgreach cannot verify it
  std::string fix;                    // in the provider's terms; set when the section failed or warned
  std::vector<std::string> evidence;  // "code: summary" and evidence lines of its findings
};

// The provider document a report's sections follow (reports/playbooks/<provider>.json).
struct PlaybookRef {
  std::string provider;
  std::string title;
  std::string source;  // the document's address
};

struct Report {
  // The [target.NAME] of a fleet run (--config with sections); empty for a single target.
  // Renderers put it where a monitoring system tells targets apart (labels, suite names).
  std::string name;
  std::string toolVersion;
  std::string startedAt;  // ISO 8601 UTC
  long long durationMs = 0;
  TargetSummary target;
  std::vector<engine::CheckResult> checks;
  Verdict verdict = Verdict::Unknown;
  std::optional<RootCause> rootCause;
  std::vector<Section> sections;
  PlaybookRef playbook;
  // The monitoring-plugin thresholds given (-w/-c and the connect and handshake ones): the
  // warn;crit fields of the nagios `time`, `tcp_<port>` and `tls` perfdata.
  struct Thresholds {
    std::optional<util::ThresholdRange> warn, crit;
  };
  Thresholds timeThresholds, connectThresholds, handshakeThresholds;
};

Verdict computeVerdict(const std::vector<engine::CheckResult>& checks);
std::optional<RootCause> findRootCause(const std::vector<engine::CheckResult>& checks);
// One section per stage that has checks: the generic layout.
std::vector<Section> genericSections(const std::vector<engine::CheckResult>& checks);
TargetSummary summarizeTarget(const target::Target& t, const engine::RunConfig& config);

Report buildReport(const target::Target& t, const engine::RunConfig& config,
                   std::vector<engine::CheckResult> checks, std::string startedAt, long long durationMs);
// The same from an already summarised target (tests and fleet runs build reports this way).
Report assembleReport(TargetSummary target, std::vector<engine::CheckResult> checks, std::string startedAt,
                      long long durationMs);

// Masks every secret the redactor knows in every string of the report (target, check
// summaries, findings, facts JSON, root cause, sections), before any renderer escapes
// them for its format: a password with `"`, `\` or a tab that a server echoed is found
// as the peer sent it. The commands do this before rendering and still pass every
// rendered byte through the redactor as a second net.
void redactReport(Report& r, const util::Redactor& redactor);

// The worst status among a stage's checks (Skip when it has none): one hop of the path.
engine::Status stageStatus(const std::vector<engine::CheckResult>& checks, engine::Stage stage);

// Folds the states of the checks behind a section or a hop: failed beats not_verified
// beats passed beats not_applicable (a section with one unverified check is not verified).
util::ResultState worseState(util::ResultState a, util::ResultState b);
util::ResultState stageState(const std::vector<engine::CheckResult>& checks, engine::Stage stage);

// The times the nagios perfdata shows and the threshold options judge, from the checks'
// results: a stage's longest check (unset when none of its checks ran), and per port the
// slowest tcp.connect probe (a dropped port counts its timeout). The -w/-c result itself
// (run.time and its kin, stage Cloud) is not a stage time.
std::optional<double> stageTimeMs(const std::vector<engine::CheckResult>& checks, engine::Stage stage);
std::map<uint16_t, double> connectTimesMs(const std::vector<engine::CheckResult>& checks);

// Current UTC time as ISO 8601 with milliseconds.
std::string isoNowUtc();

}  // namespace pgreach::reports
