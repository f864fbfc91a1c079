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
#include "util/threshold.h"

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
  setThresholds(report, opts);
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
// "1.200 s"; under a millisecond to the microsecond ("0.00013 s"), as the perfdata is.
std::string secondsText(double ms) {
  if (ms > 0 && ms < 1) return util::thresholdSeconds(ms) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", ms / 1000.0);
  return buf;
}

// One threshold pair on one measured time: a result `id` with the warning or critical
// code when the time is outside a range (critical first), nothing otherwise.
struct ThresholdKind {
  const char* id;
  const char *warnOption, *critOption, *warnCode, *critCode, *fix;
};

void applyOne(std::vector<engine::CheckResult>& results, const ThresholdKind& k,
              const std::vector<std::pair<std::string, double>>& measured,
              const std::optional<util::ThresholdRange>& warn,
              const std::optional<util::ThresholdRange>& crit, long long durationMs) {
  engine::CheckResult c;
  c.id = k.id;
  // Not a hop of the path: it is reported after them, like the cloud audit.
  c.stage = engine::Stage::Cloud;
  c.status = engine::Status::Pass;
  c.durationMs = durationMs;
  for (const auto& [what, ms] : measured) {
    const bool critical = crit && crit->alerts(ms);
    if (!critical && !(warn && warn->alerts(ms))) continue;
    const auto& range = critical ? *crit : *warn;
    const std::string summary =
        what + " " + secondsText(ms) + ", " + range.describe(critical ? k.critOption : k.warnOption);
    c.findings.push_back({critical ? k.critCode : k.warnCode,
                          critical ? engine::Severity::Critical : engine::Severity::Warning,
                          summary,
                          {"measured: " + util::thresholdSeconds(ms) + " s", "range: " + range.perfdata()},
                          k.fix});
    if (critical)
      c.status = engine::Status::Fail;
    else if (c.status != engine::Status::Fail)
      c.status = engine::Status::Warn;
  }
  if (c.findings.empty()) return;
  c.summary = c.findings.front().summary;
  for (size_t i = 1; i < c.findings.size(); ++i) c.summary += "; " + c.findings[i].summary;
  results.push_back(std::move(c));
}

const char* kSlowFix =
    "Find the slow step in the checks' times (-v shows each as it ends); change the range if this "
    "time is normal for the path.";

}  // namespace

void applyTimeThresholds(std::vector<engine::CheckResult>& results, long long elapsedMs,
                         const cli::Options& opts) {
  // Measured before any threshold result is added: those are not stage times.
  std::vector<std::pair<std::string, double>> connect;
  for (const auto& [port, ms] : reports::connectTimesMs(results))
    connect.push_back({"the TCP connect to port " + std::to_string(port) + " took", ms});
  std::vector<std::pair<std::string, double>> handshake;
  if (auto ms = reports::stageTimeMs(results, engine::Stage::Tls))
    handshake.push_back({"the TLS stage took", *ms});
  applyOne(results,
           {"run.connect_time", "--warning-connect", "--critical-connect", "engine.connect_time_warning",
            "engine.connect_time_critical", kSlowFix},
           connect, opts.warnConnect, opts.critConnect, elapsedMs);
  applyOne(results,
           {"run.handshake_time", "--warning-handshake", "--critical-handshake",
            "engine.handshake_time_warning", "engine.handshake_time_critical", kSlowFix},
           handshake, opts.warnHandshake, opts.critHandshake, elapsedMs);
  applyOne(results,
           {"run.time", "--warning", "--critical", "engine.time_warning", "engine.time_critical", kSlowFix},
           {{"the run took", static_cast<double>(elapsedMs)}}, opts.warnTime, opts.critTime, elapsedMs);
}

void setThresholds(reports::Report& report, const cli::Options& opts) {
  report.timeThresholds = {opts.warnTime, opts.critTime};
  report.connectThresholds = {opts.warnConnect, opts.critConnect};
  report.handshakeThresholds = {opts.warnHandshake, opts.critHandshake};
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
        {"engine.time_warning", engine::Severity::Warning, "The run's time is outside --warning",
         "The whole run (every check, start to end) took a time outside the -w/--warning range "
         "(a plain number: longer than it), as a monitoring plugin's time threshold.",
         "A slow step on the path (DNS, a connect that waits for a retransmission, a slow TLS or "
         "PostgreSQL start-up), or a threshold below what this path normally takes.",
         "Find the slow step in the checks' times (-v shows each as it ends); raise -w if this time is "
         "normal."},
        {"engine.time_critical", engine::Severity::Critical, "The run's time is outside --critical",
         "The whole run (every check, start to end) took a time outside the -c/--critical range "
         "(a plain number: longer than it), as a monitoring plugin's time threshold.",
         "A step on the path that is slow enough to hurt clients, or a threshold below what this "
         "path normally takes.",
         "Find the slow step in the checks' times (-v shows each as it ends); raise -c if this time is "
         "normal."},
        {"engine.connect_time_warning", engine::Severity::Warning,
         "A TCP connect time is outside --warning-connect",
         "The slowest TCP connect to a port (tcp.connect's probes, the nagios tcp_<port> value) took a "
         "time outside the --warning-connect range.",
         "A slow network path or a SYN that was retransmitted (a first SYN lost costs about a "
         "second), or a range below what this path normally takes.",
         "Compare the probes' times in the tcp.connect evidence; look for loss on the path (--repeat "
         "shows whether it recurs); change the range if this time is normal."},
        {"engine.connect_time_critical", engine::Severity::Critical,
         "A TCP connect time is outside --critical-connect",
         "The slowest TCP connect to a port (tcp.connect's probes, the nagios tcp_<port> value) took a "
         "time outside the --critical-connect range.",
         "A slow or lossy network path, or a range below what this path normally takes.",
         "Compare the probes' times in the tcp.connect evidence; look for loss on the path (--repeat "
         "shows whether it recurs); change the range if this time is normal."},
        {"engine.handshake_time_warning", engine::Severity::Warning,
         "The TLS handshake time is outside --warning-handshake",
         "The TLS stage (SSLRequest and handshake, the nagios tls value) took a time outside the "
         "--warning-handshake range.",
         "A slow server or proxy during TLS start-up, a long certificate chain, a lossy path, or a "
         "range below what this path normally takes.",
         "Look at the tls checks' times and the handshake evidence; change the range if this time "
         "is normal."},
        {"engine.handshake_time_critical", engine::Severity::Critical,
         "The TLS handshake time is outside --critical-handshake",
         "The TLS stage (SSLRequest and handshake, the nagios tls value) took a time outside the "
         "--critical-handshake range.",
         "A server or proxy slow enough to hurt clients during TLS start-up, a lossy path, or a "
         "range below what this path normally takes.",
         "Look at the tls checks' times and the handshake evidence; change the range if this time "
         "is normal."},
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
