#include "app/run_target.h"

#include <cstdio>
#include <iostream>

#include "net/dns_exchange.h"

#include "app/outputs.h"
#include "cli/run_config.h"
#include "engine/clock.h"
#include "engine/registry.h"
#include "engine/scheduler.h"
#include "net/address.h"
#include "reports/render/render.h"
#include "target/provider.h"
#include "util/strings.h"

namespace pgreach::app {

Expected<reports::Report> runTarget(const cli::Options& opts, util::Redactor& redactor) {
  auto parsed = target::Target::parse(opts.conninfo);
  if (!parsed) return makeError(redactor.apply(parsed.error()));
  target::Target target = std::move(*parsed);
  for (const auto& s : target.secretValues()) redactor.addSecret(s);
  if (auto n = refuseSecretOutputNames(opts, redactor); !n) return makeError(n.error());
  if (!opts.provider.empty()) {
    auto p = target::providerFromString(opts.provider);
    if (!p) {
      return makeError("--provider: unknown provider \"" + redactor.apply(opts.provider) + "\" (" +
                       target::providerNames(", ") + ")");
    }
    target.setProvider(*p);
  }
  for (const auto& c : opts.vpcCidrs) {
    if (!net::Cidr::parse(c))
      return makeError("--vpc-cidr: \"" + redactor.apply(c) + "\" is not a CIDR block");
  }
  for (const auto& r : opts.resolvers) {
    if (!net::DnsServer::parse(r)) {
      return makeError("--resolver: \"" + redactor.apply(r) +
                       "\" is not an address (IP, IP#PORT or [IPv6]:PORT)");
    }
  }
  auto plan = engine::makePlan(engine::Registry::instance().createAll(), opts.only, opts.skip);
  if (!plan) return makeError(redactor.apply(plan.error()));
  engine::SteadyClockSource clock;
  const auto started = clock.now();
  const std::string startedAt = reports::isoNowUtc();
  engine::RunSettings settings;
  settings.deadline = started + opts.deadline;
  settings.maxParallel = opts.maxParallel;
  settings.onCheckEvent = verboseProgress(opts);
  const engine::RunConfig config = cli::runConfig(opts);
  auto results = engine::runPlan(*plan, target, config, clock, settings);
  const long long elapsedMs = engine::millisBetween(started, clock.now());
  applyTimeThresholds(results, elapsedMs, opts);
  auto report = reports::buildReport(target, config, std::move(results), startedAt, elapsedMs);
  report.timeWarnMs = opts.warnTime ? std::optional<long long>(opts.warnTime->count()) : std::nullopt;
  report.timeCritMs = opts.critTime ? std::optional<long long>(opts.critTime->count()) : std::nullopt;
  return report;
}

std::function<void(const engine::CheckEvent&)> verboseProgress(const cli::Options& opts) {
  if (opts.verbosity <= 0) return {};
  // One line per event, written whole; the scheduler calls this from its own thread only.
  return [](const engine::CheckEvent& e) {
    std::string line = "pgreach: " + e.id;
    if (e.finished)
      line += " " + std::string(engine::toString(e.status)) + " " + std::to_string(e.durationMs) + " ms\n";
    else
      line += " started\n";
    std::cerr << line << std::flush;
  };
}

namespace {
std::string secondsText(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ms) / 1000.0);
  return buf;
}
}  // namespace

void applyTimeThresholds(std::vector<engine::CheckResult>& results, long long elapsedMs,
                         const cli::Options& opts) {
  const bool critical = opts.critTime && elapsedMs > opts.critTime->count();
  const bool warning = !critical && opts.warnTime && elapsedMs > opts.warnTime->count();
  if (!critical && !warning) return;
  const long long limit = critical ? opts.critTime->count() : opts.warnTime->count();
  engine::CheckResult c;
  c.id = "run.time";
  // Not a hop of the path: it is reported after them, like the cloud audit.
  c.stage = engine::Stage::Cloud;
  c.status = critical ? engine::Status::Fail : engine::Status::Warn;
  c.durationMs = elapsedMs;
  c.summary = "the run took " + secondsText(elapsedMs) + ", over " +
              (critical ? "--critical " : "--warning ") + secondsText(limit);
  c.findings.push_back(
      {critical ? "engine.time_critical" : "engine.time_warning",
       critical ? engine::Severity::Critical : engine::Severity::Warning,
       c.summary,
       {"elapsed: " + std::to_string(elapsedMs) + " ms", "threshold: " + std::to_string(limit) + " ms"},
       "Find the slow step in the checks' times (-v shows each as it ends); raise the "
       "threshold if this time is normal for the path."});
  results.push_back(std::move(c));
}

namespace {

// What the app emits outside any check: a target that cannot be run (badInputReport).
engine::RegisterCodes registeredCodes{
    "app.run_target",
    {
        {"engine.bad_input", engine::Severity::Critical, "The target could not be read",
         "The target's connection string or options were rejected before any check ran.",
         "A malformed connection string or an invalid option in the configuration file.",
         "Fix the target's conninfo or option named in the message."},
        {"engine.time_warning", engine::Severity::Warning, "The run took longer than --warning",
         "The whole run (every check, start to end) took longer than the -w/--warning threshold, "
         "as a monitoring plugin's time threshold.",
         "A slow step on the path (DNS, a connect that waits for a retransmission, a slow TLS or "
         "PostgreSQL start-up), or a threshold below what this path normally takes.",
         "Find the slow step in the checks' times (-v shows each as it ends); raise -w if this time is "
         "normal."},
        {"engine.time_critical", engine::Severity::Critical, "The run took longer than --critical",
         "The whole run (every check, start to end) took longer than the -c/--critical threshold, "
         "as a monitoring plugin's time threshold.",
         "A step on the path that is slow enough to hurt clients, or a threshold below what this "
         "path normally takes.",
         "Find the slow step in the checks' times (-v shows each as it ends); raise -c if this time is "
         "normal."},
    }};

}  // namespace

reports::Report badInputReport(const std::string& name, const std::string& message,
                               const std::string& startedAt) {
  engine::CheckResult c;
  c.id = "engine.input";
  c.stage = engine::Stage::Dns;
  c.status = engine::Status::Error;
  c.summary = "the target could not be run: " + message;
  c.findings.push_back(
      {"engine.bad_input", engine::Severity::Critical, message, {}, "Fix the target's conninfo or options."});
  reports::TargetSummary t;
  t.host = name;
  t.provider = "generic";
  auto r = reports::assembleReport(t, {c}, startedAt, 0);
  r.verdict = reports::Verdict::Unknown;
  return r;
}

}  // namespace pgreach::app
