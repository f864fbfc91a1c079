#include "engine/result.h"

#include <algorithm>

namespace pgreach::engine {

std::string_view toString(Status s) {
  switch (s) {
    case Status::Pass:
      return "pass";
    case Status::Warn:
      return "warn";
    case Status::Fail:
      return "fail";
    case Status::Skip:
      return "skip";
    case Status::Error:
      return "error";
  }
  return "error";
}

std::string_view toString(Severity s) {
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Critical:
      return "critical";
  }
  return "critical";
}

std::string_view toString(Stage s) {
  switch (s) {
    case Stage::Dns:
      return "dns";
    case Stage::Tcp:
      return "tcp";
    case Stage::Tls:
      return "tls";
    case Stage::Postgres:
      return "postgres";
    case Stage::Cloud:
      return "cloud";
  }
  return "cloud";
}

std::optional<Stage> stageFromString(std::string_view s) {
  for (Stage st : {Stage::Dns, Stage::Tcp, Stage::Tls, Stage::Postgres, Stage::Cloud}) {
    if (toString(st) == s) return st;
  }
  return std::nullopt;
}

std::optional<Status> statusFromString(std::string_view s) {
  for (Status st : {Status::Pass, Status::Warn, Status::Fail, Status::Skip, Status::Error}) {
    if (toString(st) == s) return st;
  }
  return std::nullopt;
}

std::optional<Severity> severityFromString(std::string_view s) {
  for (Severity sv : {Severity::Info, Severity::Warning, Severity::Critical}) {
    if (toString(sv) == s) return sv;
  }
  return std::nullopt;
}

util::ResultState deriveState(Status status, const std::vector<Finding>& findings) {
  (void)findings;  // the honest-verdicts rules will look at them (e.g. a Pass on no evidence)
  switch (status) {
    case Status::Pass:
    case Status::Warn:
      return util::ResultState::Passed;
    case Status::Fail:
      return util::ResultState::Failed;
    case Status::Error:
      return util::ResultState::NotVerified;
    case Status::Skip:
      return util::ResultState::NotApplicable;
  }
  return util::ResultState::NotVerified;
}

util::ResultState CheckResult::state() const {
  return stateOverride ? *stateOverride : deriveState(status, findings);
}

nlohmann::json CheckResult::dataJson() const { return facts ? facts->toJson() : data; }

std::optional<Severity> CheckResult::worstSeverity() const {
  std::optional<Severity> worst;
  for (const auto& f : findings) {
    if (!worst || static_cast<int>(f.severity) > static_cast<int>(*worst)) worst = f.severity;
  }
  return worst;
}

Status statusFromFindings(const std::vector<Finding>& findings) {
  Status st = Status::Pass;
  for (const auto& f : findings) {
    if (f.severity == Severity::Critical) return Status::Fail;
    if (f.severity == Severity::Warning) st = Status::Warn;
  }
  return st;
}

int statusRank(Status s) {
  switch (s) {
    case Status::Pass:
      return 0;
    case Status::Skip:
      return 1;
    case Status::Warn:
      return 2;
    case Status::Error:
      return 3;
    case Status::Fail:
      return 4;
  }
  return 4;
}

}  // namespace pgreach::engine
