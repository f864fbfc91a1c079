#include "reports/report/report.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "engine/tcp_facts.h"
#include "reports/report/catalog.h"
#include "reports/report/playbook.h"
#include "target/provider.h"
#include "target/provider_profile.h"
#include "util/strings.h"

namespace pgreach::reports {

using engine::Stage;
using engine::Status;

std::string_view toString(Verdict v) {
  switch (v) {
    case Verdict::Ok:
      return "ok";
    case Verdict::Warning:
      return "warning";
    case Verdict::Critical:
      return "critical";
    case Verdict::Unknown:
      return "unknown";
  }
  return "unknown";
}

Status verdictStatus(Verdict v) {
  switch (v) {
    case Verdict::Ok:
      return Status::Pass;
    case Verdict::Warning:
      return Status::Warn;
    case Verdict::Critical:
      return Status::Fail;
    case Verdict::Unknown:
      return Status::Error;
  }
  return Status::Error;
}

int exitCode(Verdict v) {
  switch (v) {
    case Verdict::Ok:
      return 0;
    case Verdict::Warning:
      return 1;
    case Verdict::Critical:
      return 2;
    case Verdict::Unknown:
      return 3;
  }
  return 3;
}

Verdict computeVerdict(const std::vector<engine::CheckResult>& checks) {
  bool warn = false, error = false, ran = false;
  for (const auto& c : checks) {
    if (c.status == Status::Fail) return Verdict::Critical;
    if (c.status == Status::Error) error = true;
    if (c.status == Status::Warn) warn = true;
    // A requested check that was skipped with a warning (not started before --deadline)
    // is a step nobody verified: never OK.
    if (c.status == Status::Skip && c.worstSeverity() && *c.worstSeverity() != engine::Severity::Info)
      warn = true;
    if (c.status != Status::Skip) ran = true;
  }
  if (error || !ran) return Verdict::Unknown;
  return warn ? Verdict::Warning : Verdict::Ok;
}

namespace {
const engine::Finding* firstBySeverity(const engine::CheckResult& c, engine::Severity min) {
  for (const auto& f : c.findings) {
    if (f.severity == engine::Severity::Critical) return &f;
  }
  for (const auto& f : c.findings) {
    if (static_cast<int>(f.severity) >= static_cast<int>(min)) return &f;
  }
  return nullptr;
}
}  // namespace

std::optional<RootCause> findRootCause(const std::vector<engine::CheckResult>& checks) {
  std::vector<Stage> order(std::begin(engine::kPathStages), std::end(engine::kPathStages));
  order.push_back(Stage::Cloud);
  for (Stage stage : order) {
    for (const auto& c : checks) {
      if (c.stage != stage || c.status != Status::Fail) continue;
      RootCause rc;
      rc.stage = stage;
      rc.checkId = c.id;
      if (const auto* f = firstBySeverity(c, engine::Severity::Warning)) {
        rc.code = f->code;
        rc.summary = f->summary;
        rc.fix = f->fix;
      } else {
        rc.code = c.id + ".failed";
        rc.summary = c.summary;
      }
      if (stage != Stage::Cloud) {
        for (const auto& other : checks) {
          if (other.stage != Stage::Cloud) continue;
          for (const auto& f : other.findings) {
            if (f.severity != engine::Severity::Info) rc.related.push_back(f);
          }
        }
      }
      return rc;
    }
  }
  return std::nullopt;
}

std::vector<Section> genericSections(const std::vector<engine::CheckResult>& checks) {
  struct Def {
    Stage stage;
    const char* title;
  };
  static const Def kDefs[] = {{Stage::Dns, "DNS resolution"},
                              {Stage::Tcp, "Network reachability (TCP)"},
                              {Stage::Tls, "TLS"},
                              {Stage::Postgres, "PostgreSQL"},
                              {Stage::Cloud, "Cloud configuration"}};
  std::vector<Section> out;
  for (const auto& d : kDefs) {
    Section s;
    s.title = d.title;
    for (const auto& c : checks) {
      if (c.stage == d.stage) s.checkIds.push_back(c.id);
    }
    if (s.checkIds.empty()) continue;
    s.status = stageStatus(checks, d.stage);
    s.state = stageState(checks, d.stage);
    out.push_back(std::move(s));
  }
  return out;
}

TargetSummary summarizeTarget(const target::Target& t, const engine::RunConfig& config) {
  TargetSummary s;
  s.host = t.primary().name();
  s.port = t.primary().port;
  s.ports =
      config.tcp.ports.empty() ? target::defaultPorts(t.provider(), t.primary().port) : config.tcp.ports;
  s.provider = std::string(target::toString(t.provider()));
  s.dbname = t.dbname();
  s.user = t.user();
  s.conninfo = t.printable();
  return s;
}

Report buildReport(const target::Target& t, const engine::RunConfig& config,
                   std::vector<engine::CheckResult> checks, std::string startedAt, long long durationMs) {
  return assembleReport(summarizeTarget(t, config), std::move(checks), std::move(startedAt), durationMs);
}

namespace {
// Check and finding texts quote what peers and files said (a server's error message, a
// certificate subject, an export value). Control characters there are escaped once, here,
// before any renderer or the root cause copies them: every format shows `\x1b`, never a
// raw escape sequence or a line break a hostile peer chose.
void escapeControlText(std::string& s) {
  if (std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
      })) {
    s = util::escapeControl(s);
  }
}

void escapeControlText(TargetSummary& t, std::vector<engine::CheckResult>& checks) {
  for (auto* s : {&t.host, &t.dbname, &t.user, &t.conninfo, &t.provider}) escapeControlText(*s);
  for (auto& c : checks) {
    escapeControlText(c.summary);
    for (auto& f : c.findings) {
      escapeControlText(f.summary);
      escapeControlText(f.fix);
      for (auto& e : f.evidence) escapeControlText(e);
    }
  }
}
}  // namespace

Report assembleReport(TargetSummary target, std::vector<engine::CheckResult> checks, std::string startedAt,
                      long long durationMs) {
  escapeControlText(target, checks);
  Report r;
  r.toolVersion = PGREACH_VERSION;
  r.startedAt = std::move(startedAt);
  r.durationMs = durationMs;
  r.target = std::move(target);
  r.checks = std::move(checks);
  r.verdict = computeVerdict(r.checks);
  r.rootCause = findRootCause(r.checks);
  if (r.rootCause && r.rootCause->fix.empty()) {
    if (auto info = lookupCode(r.rootCause->code)) r.rootCause->fix = info->fix;
  }
  // The provider's playbook (named by its profile) shapes the sections; genericSections
  // stays the fallback.
  const auto provider = target::providerFromString(r.target.provider);
  const std::string playbookName =
      provider ? std::string(target::profileOf(*provider).playbook) : r.target.provider;
  if (auto playbook = playbookFor(playbookName)) {
    r.sections = applyPlaybook(*playbook, r.checks);
    r.playbook = {playbook->provider, playbook->title, playbook->source};
  } else {
    r.sections = genericSections(r.checks);
    r.playbook = {r.target.provider, "", ""};
  }
  if (r.rootCause) {
    for (const auto& sec : r.sections) {
      if (sec.status != Status::Fail) continue;
      if (std::find(sec.checkIds.begin(), sec.checkIds.end(), r.rootCause->checkId) != sec.checkIds.end()) {
        r.rootCause->sections.push_back(sec.title);
      }
    }
  }
  return r;
}

namespace {
void redactFinding(engine::Finding& f, const util::Redactor& redactor) {
  f.summary = redactor.apply(std::move(f.summary));
  f.fix = redactor.apply(std::move(f.fix));
  for (auto& e : f.evidence) e = redactor.apply(std::move(e));
}
}  // namespace

void redactReport(Report& r, const util::Redactor& redactor) {
  auto& t = r.target;
  for (auto* s : {&t.host, &t.dbname, &t.user, &t.conninfo, &t.provider}) *s = redactor.apply(std::move(*s));
  for (auto& c : r.checks) {
    c.summary = redactor.apply(std::move(c.summary));
    for (auto& f : c.findings) redactFinding(f, redactor);
    // Typed facts are shared and immutable: when their JSON holds a secret, the report
    // shows a masked copy and typed readers keep the facts (addresses, ports, dates).
    nlohmann::json shown = c.dataJson();
    nlohmann::json masked = shown;
    redactor.applyToStrings(masked);
    if (masked == shown) continue;
    if (c.facts)
      c.facts = std::make_shared<engine::ShownFacts>(c.facts, std::move(masked));
    else
      c.data = std::move(masked);
  }
  if (r.rootCause) {
    r.rootCause->summary = redactor.apply(std::move(r.rootCause->summary));
    r.rootCause->fix = redactor.apply(std::move(r.rootCause->fix));
    for (auto& f : r.rootCause->related) redactFinding(f, redactor);
  }
  for (auto& sec : r.sections) {
    sec.manual = redactor.apply(std::move(sec.manual));
    sec.fix = redactor.apply(std::move(sec.fix));
    for (auto& e : sec.evidence) e = redactor.apply(std::move(e));
  }
}

engine::Status stageStatus(const std::vector<engine::CheckResult>& checks, Stage stage) {
  bool any = false;
  Status worst = Status::Skip;
  for (const auto& c : checks) {
    if (c.stage != stage) continue;
    if (c.nothingToCheck()) continue;
    if (!any || engine::statusRank(c.status) > engine::statusRank(worst)) worst = c.status;
    any = true;
  }
  return worst;
}

util::ResultState worseState(util::ResultState a, util::ResultState b) {
  auto rank = [](util::ResultState s) {
    switch (s) {
      case util::ResultState::NotApplicable:
        return 0;
      case util::ResultState::Passed:
        return 1;
      case util::ResultState::NotVerified:
        return 2;
      case util::ResultState::Failed:
        return 3;
    }
    return 2;
  };
  return rank(a) >= rank(b) ? a : b;
}

util::ResultState stageState(const std::vector<engine::CheckResult>& checks, Stage stage) {
  util::ResultState st = util::ResultState::NotApplicable;
  for (const auto& c : checks) {
    if (c.stage == stage) st = worseState(st, c.state());
  }
  return st;
}

std::optional<double> stageTimeMs(const std::vector<engine::CheckResult>& checks, engine::Stage stage) {
  std::optional<double> ms;
  for (const auto& c : checks) {
    if (c.stage != stage || c.status == engine::Status::Skip || util::startsWith(c.id, "run.")) continue;
    ms = std::max(ms.value_or(0.0), static_cast<double>(c.durationMs));
  }
  return ms;
}

std::map<uint16_t, double> connectTimesMs(const std::vector<engine::CheckResult>& checks) {
  std::map<uint16_t, double> ports;
  for (const auto& c : checks) {
    const auto* tcp = c.id == "tcp.connect" ? c.factsAs<engine::TcpConnectFacts>() : nullptr;
    if (!tcp) continue;
    for (const auto& p : tcp->probes) {
      auto& slot = ports[static_cast<uint16_t>(p.port)];
      slot = std::max(slot, p.elapsedMs);
    }
  }
  return ports;
}

std::string isoNowUtc() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", buf, static_cast<long long>(ms));
  return out;
}

}  // namespace pgreach::reports
