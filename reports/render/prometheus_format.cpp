// Prometheus textfile-collector output (node_exporter): pgreach_ metrics, base units,
// low-cardinality labels (target host, fleet name, port, dbname, check id, stage, and the
// finding codes and severities the catalogue declares), never error text in a label;
// every check has its series whatever its status. The same text is what `pgreach serve`
// answers on /probe.
// Written through -o/--output-dir, which replace the file atomically.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <sstream>
#include <vector>

#include "reports/render/prom_time.h"
#include "reports/render/render.h"
#include "reports/report/catalog.h"

namespace pgreach::reports {
namespace {

std::string labelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// One metric family: its HELP once, then the samples of every report (a fleet in one
// file or stream must not repeat HELP/TYPE: promtool and node_exporter reject that).
struct Family {
  const char* name;
  const char* help;
  std::function<std::string(const Report&, const std::string& labels)> samples;
};

// Labels that tell targets apart in a fleet: the [target.NAME] (when there is one), host,
// port and database. `target` stays the host, as before, for existing dashboards.
std::string targetLabels(const Report& r) {
  std::string l = "target=\"" + labelValue(r.target.host) + "\"";
  if (!r.name.empty()) l += ",name=\"" + labelValue(r.name) + "\"";
  l += ",port=\"" + std::to_string(r.target.port) + "\",dbname=\"" + labelValue(r.target.dbname) + "\"";
  return l;
}

// A check's status as one stable value: the series exists for every check, skipped or not.
int checkStatusValue(const engine::CheckResult& c) {
  const bool notVerified = c.state() == util::ResultState::NotVerified;
  switch (c.status) {
    case engine::Status::Pass:
      return notVerified ? 5 : 0;
    case engine::Status::Warn:
      return notVerified ? 5 : 1;
    case engine::Status::Fail:
      return 2;
    case engine::Status::Error:
      return 3;
    case engine::Status::Skip:
      return 4;
  }
  return 3;
}

// A finding code as a label value: only a code the catalogue declares (engine/codes.h), so
// a label never carries text a peer or an input file chose, and the values are bounded by
// the catalogue. Anything else is "" (Prometheus reads an empty label as no label).
std::string declaredCode(const std::string& code) { return lookupCode(code) ? code : std::string(); }

// The findings of a check as one series per declared code, with the worst severity seen:
// a code reported twice by one check (two public addresses) must not repeat a label set.
std::vector<std::pair<std::string, engine::Severity>> declaredFindings(const engine::CheckResult& c) {
  std::vector<std::pair<std::string, engine::Severity>> out;
  for (const auto& f : c.findings) {
    const std::string code = declaredCode(f.code);
    if (code.empty()) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == code; });
    if (it == out.end())
      out.emplace_back(code, f.severity);
    else if (static_cast<int>(f.severity) > static_cast<int>(it->second))
      it->second = f.severity;
  }
  return out;
}

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies{
      {"pgreach_up", "1 when every check on the path passed (verdict ok or warning), else 0.",
       [](const Report& r, const std::string& t) {
         return "pgreach_up{" + t + "} " +
                ((r.verdict == Verdict::Ok || r.verdict == Verdict::Warning) ? "1" : "0") + "\n";
       }},
      {"pgreach_verdict",
       "The verdict as the monitoring-plugin exit code: 0 ok, 1 warning (also: not verified), 2 critical, "
       "3 unknown.",
       [](const Report& r, const std::string& t) {
         return "pgreach_verdict{" + t + "} " + std::to_string(exitCode(r.verdict)) + "\n";
       }},
      {"pgreach_check_success",
       "1 when the check passed on evidence (or only warned), 0 when it failed, errored, was skipped or "
       "could "
       "not verify.",
       [](const Report& r, const std::string& t) {
         std::string out;
         for (const auto& c : r.checks) {
           const bool ok = (c.status == engine::Status::Pass || c.status == engine::Status::Warn) &&
                           c.state() != util::ResultState::NotVerified;
           out += "pgreach_check_success{" + t + ",check=\"" + labelValue(c.id) + "\",stage=\"" +
                  std::string(engine::toString(c.stage)) + "\"} " + (ok ? "1" : "0") + "\n";
         }
         return out;
       }},
      {"pgreach_check_status",
       "The check's status: 0 pass, 1 warn, 2 fail, 3 error, 4 skipped, 5 not verified (one series per "
       "check, whatever its status).",
       [](const Report& r, const std::string& t) {
         std::string out;
         for (const auto& c : r.checks) {
           out += "pgreach_check_status{" + t + ",check=\"" + labelValue(c.id) + "\",stage=\"" +
                  std::string(engine::toString(c.stage)) + "\"} " + std::to_string(checkStatusValue(c)) +
                  "\n";
         }
         return out;
       }},
      {"pgreach_root_cause",
       "1 for the root cause of a run that found the path broken: the first failed check along dns, tcp, "
       "tls, postgres, cloud and its finding code (pgreach explain CODE); no series when nothing failed.",
       [](const Report& r, const std::string& t) {
         if (!r.rootCause) return std::string();
         return "pgreach_root_cause{" + t + ",check=\"" + labelValue(r.rootCause->checkId) + "\",stage=\"" +
                std::string(engine::toString(r.rootCause->stage)) + "\",code=\"" +
                labelValue(declaredCode(r.rootCause->code)) + "\"} 1\n";
       }},
      {"pgreach_finding",
       "1 for each finding code a check reported in this run, with its severity (info, warning, critical); "
       "codes are the catalogue's (pgreach explain CODE).",
       [](const Report& r, const std::string& t) {
         std::string out;
         for (const auto& c : r.checks) {
           for (const auto& [code, severity] : declaredFindings(c)) {
             out += "pgreach_finding{" + t + ",check=\"" + labelValue(c.id) + "\",stage=\"" +
                    std::string(engine::toString(c.stage)) + "\",code=\"" + labelValue(code) +
                    "\",severity=\"" + std::string(engine::toString(severity)) + "\"} 1\n";
           }
         }
         return out;
       }},
      {"pgreach_stage_duration_seconds", "Time the slowest check of the stage took.",
       [](const Report& r, const std::string& t) {
         std::string out;
         for (auto st : {engine::Stage::Dns, engine::Stage::Tcp, engine::Stage::Tls, engine::Stage::Postgres,
                         engine::Stage::Cloud}) {
           long long ms = -1;
           for (const auto& c : r.checks) {
             if (c.stage == st && c.status != engine::Status::Skip) ms = std::max(ms, c.durationMs);
           }
           if (ms < 0) continue;
           out += "pgreach_stage_duration_seconds{" + t + ",stage=\"" + std::string(engine::toString(st)) +
                  "\"} " + number(static_cast<double>(ms) / 1000.0) + "\n";
         }
         return out;
       }},
      {"pgreach_tls_cert_expiry_timestamp_seconds", "notAfter of the server certificate (Unix time).",
       [](const Report& r, const std::string& t) {
         auto expiry = certExpiry(r);
         return expiry
                    ? "pgreach_tls_cert_expiry_timestamp_seconds{" + t + "} " + std::to_string(*expiry) + "\n"
                    : std::string();
       }},
      {"pgreach_last_run_timestamp_seconds", "When this run started (Unix time).",
       [](const Report& r, const std::string& t) {
         auto started = parseIsoUtc(r.startedAt);
         return started ? "pgreach_last_run_timestamp_seconds{" + t + "} " + std::to_string(*started) + "\n"
                        : std::string();
       }},
  };
  return kFamilies;
}

std::string renderPrometheusAll(const std::vector<const Report*>& reports, const RenderOptions&) {
  std::string out;
  for (const auto& family : families()) {
    std::string samples;
    for (const auto* r : reports) samples += family.samples(*r, targetLabels(*r));
    if (samples.empty()) continue;
    out += std::string("# HELP ") + family.name + " " + family.help + "\n# TYPE " + family.name + " gauge\n";
    out += samples;
  }
  return out;
}

std::string renderPrometheus(const Report& r, const RenderOptions& o) { return renderPrometheusAll({&r}, o); }

RegisterFormat registered{"prometheus", &renderPrometheus, "prom", &renderPrometheusAll};

}  // namespace
}  // namespace pgreach::reports
