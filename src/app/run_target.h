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

// The monitoring-plugin thresholds (plugin-guideline ranges), called once the checks are
// done and before the report is built: -w/-c on the whole run's time add a `run.time` result
// (engine.time_warning / engine.time_critical), --warning-connect/--critical-connect on each
// port's slowest connect a `run.connect_time` (engine.connect_time_*), --warning-handshake/
// --critical-handshake on the TLS stage's time a `run.handshake_time` (engine.handshake_time_*):
// warn or fail, so the verdict, the headline and `explain` know them. Nothing is added for a
// threshold not given or not crossed.
void applyTimeThresholds(std::vector<engine::CheckResult>& results, long long elapsedMs,
                         const cli::Options& opts);

// Puts the ranges given into the report: the warn;crit fields of the nagios perfdata.
void setThresholds(reports::Report& report, const cli::Options& opts);

// The report of a target that could not run: verdict unknown, one engine.bad_input finding.
reports::Report badInputReport(const std::string& name, const std::string& message,
                               const std::string& startedAt);

}  // namespace pgreach::app
