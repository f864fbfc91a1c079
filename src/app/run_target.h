#pragma once
// One diagnose run up to the report, without output: what a fleet runs per target.
// (app.cpp's diagnose() does the same inline; this copy returns the Report instead of
// printing it, so concurrent fleet runs share nothing but the registry.)
#include <functional>

#include "cli/options.h"
#include "engine/scheduler.h"
#include "reports/report/report.h"
#include "util/expected.h"
#include "util/redact.h"

namespace pgreach::app {

// Bad input (conninfo, provider, options) is an Error whose text is already redacted.
Expected<reports::Report> runTarget(const cli::Options& opts, util::Redactor& redactor);

// `-v`: each check's start and end on stderr (id, status, ms; nothing from the target).
// Empty when opts.verbosity is 0.
std::function<void(const engine::CheckEvent&)> verboseProgress(const cli::Options& opts);

// -w/-c (monitoring-plugin thresholds on the whole run's time): when exceeded, a `run.time`
// result with engine.time_warning (warn) or engine.time_critical (fail) is appended, so the
// verdict, the headline and `explain` know it. Nothing when no threshold is given.
void applyTimeThresholds(std::vector<engine::CheckResult>& results, long long elapsedMs,
                         const cli::Options& opts);

// The report of a target that could not run: verdict unknown, one engine.bad_input finding.
reports::Report badInputReport(const std::string& name, const std::string& message,
                               const std::string& startedAt);

}  // namespace pgreach::app
