// Prometheus textfile-collector output (node_exporter): pgreach_ metrics, base units,
// low-cardinality labels (target host, check id, stage), never error text in a label.
// Written through -o/--output-dir, which replace the file atomically.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "reports/render/prom_time.h"
#include "reports/render/render.h"

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

void header(std::ostringstream& out, const char* name, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
}

std::string renderPrometheus(const Report& r, const RenderOptions&) {
  std::ostringstream out;
  const std::string target = "target=\"" + labelValue(r.target.host) + "\"";
  header(out, "pgreach_up", "1 when every check on the path passed (verdict ok or warning), else 0.");
  out << "pgreach_up{" << target << "} "
      << ((r.verdict == Verdict::Ok || r.verdict == Verdict::Warning) ? 1 : 0) << "\n";
  header(out, "pgreach_verdict",
         "The verdict as the monitoring-plugin exit code: 0 ok, 1 warning (also: not verified), 2 critical, "
         "3 unknown.");
  out << "pgreach_verdict{" << target << "} " << exitCode(r.verdict) << "\n";
  header(out, "pgreach_check_success",
         "1 when the check passed on evidence (or only warned), 0 when it failed, errored or could not "
         "verify.");
  for (const auto& c : r.checks) {
    if (c.status == engine::Status::Skip) continue;
    const bool ok = (c.status == engine::Status::Pass || c.status == engine::Status::Warn) &&
                    c.state() != util::ResultState::NotVerified;
    out << "pgreach_check_success{" << target << ",check=\"" << labelValue(c.id) << "\",stage=\""
        << engine::toString(c.stage) << "\"} " << (ok ? 1 : 0) << "\n";
  }
  header(out, "pgreach_stage_duration_seconds", "Time the slowest check of the stage took.");
  for (auto st : {engine::Stage::Dns, engine::Stage::Tcp, engine::Stage::Tls, engine::Stage::Postgres,
                  engine::Stage::Cloud}) {
    long long ms = -1;
    for (const auto& c : r.checks) {
      if (c.stage == st && c.status != engine::Status::Skip) ms = std::max(ms, c.durationMs);
    }
    if (ms < 0) continue;
    out << "pgreach_stage_duration_seconds{" << target << ",stage=\"" << engine::toString(st) << "\"} "
        << number(static_cast<double>(ms) / 1000.0) << "\n";
  }
  if (auto expiry = certExpiry(r)) {
    header(out, "pgreach_tls_cert_expiry_timestamp_seconds",
           "notAfter of the server certificate (Unix time).");
    out << "pgreach_tls_cert_expiry_timestamp_seconds{" << target << "} " << *expiry << "\n";
  }
  if (auto started = parseIsoUtc(r.startedAt)) {
    header(out, "pgreach_last_run_timestamp_seconds", "When this run started (Unix time).");
    out << "pgreach_last_run_timestamp_seconds{" << target << "} " << *started << "\n";
  }
  return out.str();
}

RegisterFormat registered{"prometheus", &renderPrometheus, "prom"};

}  // namespace
}  // namespace pgreach::reports
