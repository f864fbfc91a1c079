#pragma once
// Orders checks by their dependencies, runs independent ones concurrently, gives each a
// deadline, enforces the overall deadline, and skips dependents of a broken check.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/check.h"
#include "util/expected.h"

namespace pgreach::engine {

// A validated, ordered set of checks for one run.
struct Plan {
  std::vector<std::shared_ptr<Check>> checks;  // topological order, registration order kept where free
  std::set<std::string> skippedByUser;         // ids in `checks` that --skip removed: reported as `skip`
};

// Validates the checks (unknown dependency ids and cycles are errors) and applies
// --only (ids or stages; their dependencies come along) and --skip (ids or stages).
Expected<Plan> makePlan(std::vector<std::unique_ptr<Check>> checks, const std::vector<std::string>& only,
                        const std::vector<std::string>& skip);

// A check starting or ending, as the scheduler sees it (for `-v`): ids, status and time only.
struct CheckEvent {
  std::string id;
  bool finished = false;         // false: started
  Status status = Status::Pass;  // when finished
  long long durationMs = 0;      // when finished
};

struct RunSettings {
  TimePoint deadline;        // the whole run must be over by then
  int maxParallel = 16;      // checks running at once
  Millis overrunGrace{500};  // how long past its own deadline a check may take before it is given up
  // Called on runPlan's own thread, when a check is started and when its result is taken
  // (finished, or given up at its deadline); checks skipped without running get no event.
  // Default: nothing.
  std::function<void(const CheckEvent&)> onCheckEvent;
};

// Runs the plan. Results come back in plan order, one per check. Never throws for what a check does.
// A finding whose code the check does not declare (CheckInfo::codes) gets a companion
// `engine.undeclared_code` warning on the same check; the check's status is left as it was.
std::vector<CheckResult> runPlan(const Plan& plan, const target::Target& target, const RunConfig& config,
                                 const ClockSource& clock, const RunSettings& settings);

}  // namespace pgreach::engine
