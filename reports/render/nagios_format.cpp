// The monitoring-plugin line: `PGREACH CRITICAL - <summary> | 'dns'=0.004s;;;0; ...`.
// One line, status word matching the exit code, perfdata after `|` in seconds.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "reports/render/render.h"
#include "util/strings.h"

namespace pgreach::reports {

std::string verdictLine(const Report& r);

namespace {

// Perfdata labels are quoted with '; a label may not hold ' or =, the text part not |.
std::string label(std::string s) {
  for (auto& c : s) {
    if (c == '\'' || c == '=' || c == '|' || c == '\n' || c == '\r') c = '_';
  }
  return "'" + s + "'";
}

// Seconds with up to microsecond precision: a 0.17 ms loopback connect is 0.00017s, not
// 0.000s. Whole milliseconds keep three decimals (0.004s), as before.
std::string seconds(double ms) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6f", ms / 1000.0);
  std::string s = buf;
  const auto dot = s.find('.');
  while (s.size() > dot + 4 && s.back() == '0') s.pop_back();
  return s + "s";
}

// ";warn;crit;0;" of a perfdata value: the ranges given, in the guidelines' syntax and the
// value's unit (seconds); empty fields when not given.
std::string thresholdFields(const Report::Thresholds& t) {
  return ";" + (t.warn ? t.warn->perfdata() : "") + ";" + (t.crit ? t.crit->perfdata() : "") + ";0;";
}

std::string renderNagios(const Report& r, const RenderOptions&) {
  std::string line = verdictLine(r);
  for (auto& c : line) {
    if (c == '|') c = '/';
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::vector<std::string> perf;
  const Report::Thresholds none;
  if (auto ms = stageTimeMs(r.checks, engine::Stage::Dns))
    perf.push_back(label("dns") + "=" + seconds(*ms) + thresholdFields(none));
  // One value per port: the slowest probe on it (a dropped port shows its timeout), judged
  // by --warning-connect/--critical-connect.
  const auto portMs = connectTimesMs(r.checks);
  for (const auto& [port, ms] : portMs)
    perf.push_back(label("tcp_" + std::to_string(port)) + "=" + seconds(ms) +
                   thresholdFields(r.connectThresholds));
  if (portMs.empty()) {
    if (auto ms = stageTimeMs(r.checks, engine::Stage::Tcp))
      perf.push_back(label("tcp") + "=" + seconds(*ms) + thresholdFields(r.connectThresholds));
  }
  if (auto ms = stageTimeMs(r.checks, engine::Stage::Tls))
    perf.push_back(label("tls") + "=" + seconds(*ms) + thresholdFields(r.handshakeThresholds));
  if (auto ms = stageTimeMs(r.checks, engine::Stage::Postgres))
    perf.push_back(label("postgres") + "=" + seconds(*ms) + thresholdFields(none));
  perf.push_back(label("time") + "=" + seconds(static_cast<double>(r.durationMs)) +
                 thresholdFields(r.timeThresholds));
  return line + " | " + util::join(perf, " ") + "\n";
}

RegisterFormat registered{"nagios", &renderNagios, "nagios"};

}  // namespace
}  // namespace pgreach::reports
