#include "app/audit.h"

#include <algorithm>

#include "cli/run_config.h"
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

int runAudit(const cli::Options& opts, std::ostream& out, std::ostream& err, bool outIsTerminal) {
  util::Redactor redactor;
  auto parsed = target::Target::parse(opts.conninfo);
  if (!parsed) {
    err << "pgreach: " << redactor.apply(parsed.error()) << "\n";
    return kUnknown;
  }
  target::Target target = std::move(*parsed);
  for (const auto& s : target.secretValues()) redactor.addSecret(s);
  if (!opts.provider.empty()) {
    if (auto p = target::providerFromString(opts.provider)) target.setProvider(*p);
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
  cli::Options o = opts;
  o.only = auditSelection(opts.only);
  auto plan = engine::makePlan(engine::Registry::instance().createAll(), o.only, o.skip);
  if (!plan) {
    err << "pgreach: " << redactor.apply(plan.error()) << "\n";
    return kUnknown;
  }
  // No packets: whatever the selection pulled in, only cloud-stage checks may run.
  plan->checks.erase(std::remove_if(plan->checks.begin(), plan->checks.end(),
                                    [](const std::shared_ptr<engine::Check>& c) { return c->info().stage != engine::Stage::Cloud; }),
                     plan->checks.end());

  engine::SteadyClockSource clock;
  const auto started = clock.now();
  const std::string startedAt = reports::isoNowUtc();
  engine::RunSettings settings;
  settings.deadline = started + o.deadline;
  settings.maxParallel = o.maxParallel;
  const engine::RunConfig config = cli::runConfig(o);
  auto results = engine::runPlan(*plan, target, config, clock, settings);
  auto report = reports::buildReport(target, config, std::move(results), startedAt, engine::millisBetween(started, clock.now()));

  reports::RenderOptions ro;
  ro.color = o.color && outIsTerminal && o.output.empty();
  std::string text;
  for (const auto& f : o.formats) text += *reports::render(report, f, ro);
  text = redactor.apply(std::move(text));
  if (o.output.empty()) {
    out << text << std::flush;
  } else if (auto w = util::writeFileAtomically(o.output, text); !w) {
    err << "pgreach: " << w.error() << "\n";
    out << text << std::flush;
    return kUnknown;
  }
  return reports::exitCode(report.verdict);
}

}  // namespace pgreach::app
