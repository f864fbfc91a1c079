#pragma once
// One diagnose run up to the report, without output: what a fleet runs per target.
// (app.cpp's diagnose() does the same inline; this copy returns the Report instead of
// printing it, so concurrent fleet runs share nothing but the registry.)
#include "cli/options.h"
#include "reports/report/report.h"
#include "util/expected.h"
#include "util/redact.h"

namespace pgreach::app {

// Bad input (conninfo, provider, options) is an Error whose text is already redacted.
Expected<reports::Report> runTarget(const cli::Options& opts, util::Redactor& redactor);

// The report of a target that could not run: verdict unknown, one engine.bad_input finding.
reports::Report badInputReport(const std::string& name, const std::string& message,
                               const std::string& startedAt);

}  // namespace pgreach::app
