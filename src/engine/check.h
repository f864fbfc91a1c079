#pragma once
// The check interface. A check is a plugin: it declares what it is, registers itself
// from its own .cpp (see registry.h), and returns findings. It never prints.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.h"
#include "engine/codes.h"
#include "engine/result.h"
#include "engine/run_config.h"
#include "target/target.h"

namespace pgreach::engine {

struct CheckInfo {
  std::string id;                      // "tcp.connect"
  Stage stage;                         // where it sits on the path
  std::string summary;                 // one line, for `pgreach checks` and reports
  std::vector<std::string> dependsOn;  // hard: a failed/skipped dependency skips this check
  Millis timeout{10000};               // default per-check budget (capped by --deadline)
  std::vector<std::string> after =
      {};  // soft: wait for these if present and selected, run whatever they returned
  // Run even when a hard dependency *failed* (not when it was skipped or errored): for
  // checks that work on the part that succeeded, e.g. TLS on the ports TCP found open
  // while another port was dropped.
  bool runAfterFailedDependency = false;
  // Every finding code the check can emit, with its texts (engine/codes.h). The scheduler
  // flags a code missing here; `explain`, the reports' default fixes, findings.json and the
  // JSON Schema are built from these.
  std::vector<CodeDecl> codes = {};
};

// `info` with its declared codes: `static const CheckInfo kInfo = withCodes({...}, pickCodes(...));`
inline CheckInfo withCodes(CheckInfo info, std::vector<CodeDecl> codes) {
  info.codes = std::move(codes);
  return info;
}

// Everything a check may read while it runs. Handed in by the scheduler; no globals.
class CheckContext {
 public:
  CheckContext(const target::Target& target, const RunConfig& config, const ClockSource& clock,
               TimePoint deadline, std::map<std::string, CheckResult> dependencies)
      : target_(target),
        config_(config),
        clock_(clock),
        deadline_(deadline),
        deps_(std::move(dependencies)) {}

  const target::Target& target() const { return target_; }
  // The run's configuration (timeouts, selection and each area's settings).
  const RunConfig& config() const { return config_; }
  const ClockSource& clock() const { return clock_; }
  TimePoint now() const { return clock_.now(); }
  // The check must return by this time point; the scheduler has already capped it by
  // the run's overall deadline.
  TimePoint deadline() const { return deadline_; }
  Millis remaining() const {
    auto left = std::chrono::duration_cast<Millis>(deadline_ - clock_.now());
    return left.count() > 0 ? left : Millis(0);
  }
  // The per-probe timeout (--timeout), never beyond the check's deadline.
  Millis probeTimeout() const { return std::min(config_.probeTimeout, remaining()); }

  // The result of a dependency (hard or soft) that has run, or nullptr.
  const CheckResult* dependency(std::string_view id) const {
    auto it = deps_.find(std::string(id));
    return it == deps_.end() ? nullptr : &it->second;
  }

 private:
  const target::Target& target_;
  const RunConfig& config_;
  const ClockSource& clock_;
  TimePoint deadline_;
  std::map<std::string, CheckResult> deps_;
};

class Check {
 public:
  virtual ~Check() = default;
  // Called once at registration and whenever the engine or `pgreach checks` needs the
  // metadata; must be cheap and constant.
  virtual const CheckInfo& info() const = 0;
  // Called at most once per run, on a worker thread, after every dependency finished.
  // Must return by ctx.deadline(). Target misbehaviour is a Finding, not an exception;
  // an exception means a bug and becomes status `error`.
  // The returned result's id, stage and duration are filled in by the engine.
  virtual CheckResult run(CheckContext& ctx) = 0;
};

}  // namespace pgreach::engine
