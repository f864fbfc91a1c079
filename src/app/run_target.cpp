#include "app/run_target.h"

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
  const engine::RunConfig config = cli::runConfig(opts);
  auto results = engine::runPlan(*plan, target, config, clock, settings);
  return reports::buildReport(target, config, std::move(results), startedAt,
                              engine::millisBetween(started, clock.now()));
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
