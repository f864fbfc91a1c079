#include "app/audit.h"
#include "app/run_target.h"

#include <algorithm>
#include <optional>

#include "app/outputs.h"
#include "cli/run_config.h"
#include "engine/cloud_facts.h"
#include "engine/codes.h"
#include "engine/registry.h"
#include "engine/scheduler.h"
#include "reports/render/render.h"
#include "target/target.h"
#include "util/atomic_file.h"
#include "util/redact.h"
#include "util/strings.h"

namespace pgreach::app {

constexpr int kUnknown = 3;

std::vector<std::string> auditSelection(const std::vector<std::string>& only) {
  std::vector<std::string> sel;
  for (const auto& s : only) {
    if (s == "cloud" || util::startsWith(s, "cloud.")) sel.push_back(s);
  }
  if (sel.empty()) sel.push_back("cloud");
  return sel;
}

namespace {
// Codes the audit command itself emits (not a check's).
engine::RegisterCodes registeredCodes{
    "app.audit",
    {
        {"cloud.nothing_evaluated", engine::Severity::Warning, "The audit evaluated nothing",
         "The audit could not evaluate a single step of any client-to-endpoint path, so it verified nothing.",
         "No export pgreach could read, exports that miss the path's resources, or no client or endpoint "
         "address.",
         "Give exports that cover the path (security groups, network ACLs, route tables, subnets, network "
         "interfaces and the VPC endpoint; Azure: NSGs, the private endpoint and its NIC) and the client's "
         "address "
         "(--client-ip, --client-eni or --imds)."},
    }};
}  // namespace

// An audit whose path checks evaluated no step (no usable export, no client or endpoint,
// or only `unknown` steps) has verified nothing: unless a check proved something broken,
// its verdict is UNKNOWN, never OK. The result names what was missing.
std::optional<engine::CheckResult> nothingEvaluated(const std::vector<engine::CheckResult>& results) {
  int evaluated = 0, steps = 0;
  std::vector<std::string> reasons;
  for (const auto& c : results) {
    if (c.status == engine::Status::Fail) return std::nullopt;
    if (c.status == engine::Status::Skip && !c.summary.empty()) reasons.push_back(c.id + ": " + c.summary);
    const auto* facts = c.factsAs<engine::CloudPathFacts>();
    if (!facts) continue;
    for (const auto& p : facts->paths) {
      for (const auto& step : p.steps) {
        ++steps;
        if (step.outcome == cloud::StepOutcome::Allowed || step.outcome == cloud::StepOutcome::Denied)
          ++evaluated;
        // What would settle it, each export once: the reader's next command.
        const std::string settle = "export: " + step.settleWith;
        if (step.outcome == cloud::StepOutcome::Unknown && !step.settleWith.empty() &&
            std::find(reasons.begin(), reasons.end(), settle) == reasons.end())
          reasons.push_back(settle);
      }
    }
  }
  if (evaluated > 0) return std::nullopt;
  engine::CheckResult r;
  r.id = "cloud.coverage";
  r.stage = engine::Stage::Cloud;
  r.status = engine::Status::Error;
  r.summary = steps == 0 ? "no client→endpoint path could be evaluated: nothing was verified"
                         : "every step of every client→endpoint path is unknown: nothing was verified";
  r.findings.push_back(
      {"cloud.nothing_evaluated", engine::Severity::Warning, r.summary, reasons,
       "Give exports that cover the path (security groups, network ACLs, route tables, subnets, "
       "network interfaces and the VPC endpoint; Azure: NSGs, the private endpoint and its NIC) "
       "and the client's address (--client-ip, --client-eni or --imds)."});
  return r;
}

namespace {
// A keyword/value conninfo value in single quotes, as libpq reads it: \\ and \' escaped.
std::string quotedConninfoValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}
}  // namespace

int runAudit(const cli::Options& opts, std::ostream& out, std::ostream& err, bool outIsTerminal) {
  util::Redactor redactor;
  auto parsed = target::Target::parse(opts.conninfo);
  // An audit of a named endpoint needs no host: without one, the endpoint (its id, else
  // its address) stands in for it in the report. The checks find the endpoint by id or
  // address; a host only adds its DNS name to the match. Only the host differs from the
  // first parse, so any other error in the environment is reported as before.
  if (!parsed && opts.conninfo.empty() && (!opts.endpointIds.empty() || !opts.endpointIps.empty())) {
    const std::string& standIn =
        opts.endpointIds.empty() ? opts.endpointIps.front() : opts.endpointIds.front();
    parsed = target::Target::parse("host=" + quotedConninfoValue(standIn));
  }
  if (!parsed) {
    err << "pgreach: " << redactor.apply(parsed.error()) << "\n";
    return kUnknown;
  }
  target::Target target = std::move(*parsed);
  for (const auto& s : target.secretValues()) redactor.addSecret(s);
  if (auto n = refuseSecretOutputNames(opts, redactor); !n) {
    err << "pgreach: " << n.error() << "\n";
    return kUnknown;
  }
  if (!opts.provider.empty()) {
    if (auto p = target::providerFromString(opts.provider))
      target.setProvider(*p);
    else {
      err << "pgreach: --provider: unknown provider \"" << redactor.apply(opts.provider) << "\"\n";
      return kUnknown;
    }
  }
  for (const auto& f : opts.formats) {
    if (!reports::render(reports::Report{}, f, {}).has_value()) {
      err << "pgreach: --format: unknown format \"" << f << "\"\n";
      return kUnknown;
    }
  }
  if (auto v = validateOutputPaths(opts); !v) {
    err << "pgreach: " << redactor.apply(v.error()) << "\n";
    return kUnknown;
  }
  cli::Options o = opts;
  o.only = auditSelection(opts.only);
  auto plan = engine::makePlan(engine::Registry::instance().createAll(), o.only, o.skip);
  if (!plan) {
    err << "pgreach: " << redactor.apply(plan.error()) << "\n";
    return kUnknown;
  }
  // No packets: whatever the selection pulled in, only cloud-stage checks may run.
  plan->checks.erase(std::remove_if(plan->checks.begin(), plan->checks.end(),
                                    [](const std::shared_ptr<engine::Check>& c) {
                                      return c->info().stage != engine::Stage::Cloud;
                                    }),
                     plan->checks.end());

  engine::SteadyClockSource clock;
  const auto started = clock.now();
  const std::string startedAt = reports::isoNowUtc();
  engine::RunSettings settings;
  settings.deadline = started + o.deadline;
  settings.maxParallel = o.maxParallel;
  settings.onCheckEvent = verboseProgress(o);
  const engine::RunConfig config = cli::runConfig(o);
  auto results = engine::runPlan(*plan, target, config, clock, settings);
  if (auto gap = nothingEvaluated(results)) results.push_back(std::move(*gap));
  const long long elapsedMs = engine::millisBetween(started, clock.now());
  applyTimeThresholds(results, elapsedMs, o);
  auto report = reports::buildReport(target, config, std::move(results), startedAt, elapsedMs);
  setThresholds(report, o);

  // The same output step as diagnose: -o, --output-dir, --bundle and --store all work.
  return writeReportOutputs(o, report, redactor, out, err, outIsTerminal);
}

}  // namespace pgreach::app
