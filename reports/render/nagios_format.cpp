// The monitoring-plugin line: `PGREACH CRITICAL - <summary> | 'dns'=0.004s;;;0; ...`.
// One line, status word matching the exit code, perfdata after `|` in seconds.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "engine/tcp_facts.h"
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

// warn;crit of a perfdata value (in its unit, seconds), empty when not given.
std::string thresholdText(const std::optional<long long>& ms) {
  if (!ms) return "";
  std::string s = seconds(static_cast<double>(*ms));
  s.pop_back();  // the unit is the value's
  // "2.000" reads as the 2 the user typed.
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string renderNagios(const Report& r, const RenderOptions&) {
  std::string line = verdictLine(r);
  for (auto& c : line) {
    if (c == '|') c = '/';
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::vector<std::string> perf;
  auto stageMs = [&](engine::Stage st) -> double {
    long long ms = -1;
    for (const auto& c : r.checks) {
      // run.time (the -w/-c result) is the run itself, shown as 'time'.
      if (c.stage == st && c.status != engine::Status::Skip && c.id != "run.time")
        ms = std::max(ms, c.durationMs);
    }
    return static_cast<double>(ms);
  };
  if (auto ms = stageMs(engine::Stage::Dns); ms >= 0)
    perf.push_back(label("dns") + "=" + seconds(ms) + ";;;0;");
  // One value per port: the slowest probe on it (a dropped port shows its timeout).
  std::map<long long, double> portMs;
  for (const auto& c : r.checks) {
    const auto* tcp = c.id == "tcp.connect" ? c.factsAs<engine::TcpConnectFacts>() : nullptr;
    if (!tcp) continue;
    for (const auto& p : tcp->probes) {
      const double ms = p.elapsedMs;
      auto& slot = portMs[p.port];
      slot = std::max(slot, ms);
    }
  }
  for (const auto& [port, ms] : portMs)
    perf.push_back(label("tcp_" + std::to_string(port)) + "=" + seconds(ms) + ";;;0;");
  if (portMs.empty()) {
    if (auto ms = stageMs(engine::Stage::Tcp); ms >= 0)
      perf.push_back(label("tcp") + "=" + seconds(ms) + ";;;0;");
  }
  if (auto ms = stageMs(engine::Stage::Tls); ms >= 0)
    perf.push_back(label("tls") + "=" + seconds(ms) + ";;;0;");
  if (auto ms = stageMs(engine::Stage::Postgres); ms >= 0)
    perf.push_back(label("postgres") + "=" + seconds(ms) + ";;;0;");
  perf.push_back(label("time") + "=" + seconds(static_cast<double>(r.durationMs)) + ";" +
                 thresholdText(r.timeWarnMs) + ";" + thresholdText(r.timeCritMs) + ";0;");
  return line + " | " + util::join(perf, " ") + "\n";
}

RegisterFormat registered{"nagios", &renderNagios, "nagios"};

}  // namespace
}  // namespace pgreach::reports
