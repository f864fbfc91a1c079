#pragma once
// What a check returns: a status and findings. Findings describe what the network or
// the server did, with a stable code that reports, `explain` and alerts key on.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::engine {

enum class Status { Pass, Warn, Fail, Skip, Error };
enum class Severity { Info, Warning, Critical };
enum class Stage { Dns, Tcp, Tls, Postgres, Cloud };

std::string_view toString(Status s);
std::string_view toString(Severity s);
std::string_view toString(Stage s);
std::optional<Stage> stageFromString(std::string_view s);
std::optional<Status> statusFromString(std::string_view s);
std::optional<Severity> severityFromString(std::string_view s);

// The order in which a connection crosses the stages; the root cause is the first
// broken one along this path.
inline constexpr Stage kPathStages[] = {Stage::Dns, Stage::Tcp, Stage::Tls, Stage::Postgres};

struct Finding {
  std::string code;  // stable, greppable: "tcp.silently_dropped"
  Severity severity = Severity::Info;
  std::string summary;                // one line
  std::vector<std::string> evidence;  // what was observed, as a reader would check it
  std::string fix;                    // what to change; empty when nothing needs changing
};

struct CheckResult {
  std::string id;
  Stage stage = Stage::Tcp;
  Status status = Status::Skip;
  long long durationMs = 0;
  std::string summary;  // one line: what the check concluded
  std::vector<Finding> findings;
  // Structured facts for dependent checks and for machines (e.g. resolved addresses).
  nlohmann::json data = nlohmann::json::object();

  // The worst severity among the findings, or nullopt when there are none.
  std::optional<Severity> worstSeverity() const;
};

// Status implied by findings: any critical → Fail, any warning → Warn, else Pass.
Status statusFromFindings(const std::vector<Finding>& findings);

// Ranks for "worst of": Pass < Skip < Warn < Error < Fail.
int statusRank(Status s);

}  // namespace pgreach::engine
