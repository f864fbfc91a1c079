#pragma once
// What a check returns: a status and findings. Findings describe what the network or
// the server did, with a stable code that reports, `explain` and alerts key on.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts.h"
#include "util/result_state.h"

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
  // Typed facts for dependent checks and renderers (engine/facts.h); shared, never
  // copied, so a parsed export travels to every later check without a second parse.
  std::shared_ptr<const Facts> facts;
  // Untyped facts of checks not yet moved to a Facts type. Readers outside the check
  // that wrote them use typed facts only.
  nlohmann::json data = nlohmann::json::object();
  // Set by a check (or the scheduler) that knows better than its status tells, e.g. a
  // skip because a dependency failed is NotVerified, not NotApplicable. Unset: derived
  // by state() from the status and findings (deriveState).
  std::optional<util::ResultState> stateOverride;

  // What the JSON report shows as `state`: stateOverride, else deriveState().
  util::ResultState state() const;
  // A skip the check itself declared not applicable: it had nothing to look at here (no
  // documented roots, no known idle timeout), so it neither counts as "not run" in the
  // headline nor turns a stage that ran into a skip.
  bool nothingToCheck() const {
    return status == Status::Skip && stateOverride == util::ResultState::NotApplicable;
  }

  template <class T>
  const T* factsAs() const {
    const Facts* f = facts.get();
    if (const auto* shown = dynamic_cast<const ShownFacts*>(f)) f = shown->inner();
    return dynamic_cast<const T*>(f);
  }
  template <class T>
  void setFacts(T value) {
    facts = std::make_shared<const T>(std::move(value));
  }
  // What the JSON report shows as `data`: the typed facts' serialisation, else `data`.
  nlohmann::json dataJson() const;

  // The worst severity among the findings, or nullopt when there are none.
  std::optional<Severity> worstSeverity() const;
};

// Status implied by findings: any critical → Fail, any warning → Warn, else Pass.
Status statusFromFindings(const std::vector<Finding>& findings);

// The one place a state follows from a status when no check set it: Pass and Warn
// looked and saw evidence (Passed), Fail is Failed, Error could not decide
// (NotVerified), Skip had nothing to do (NotApplicable). Verdicts still come from the
// status; this only names the state.
util::ResultState deriveState(Status status, const std::vector<Finding>& findings);

// Ranks for "worst of": Pass < Skip < Warn < Error < Fail.
int statusRank(Status s);

}  // namespace pgreach::engine
