// The monitoring-plugin line: `PGREACH CRITICAL - <summary> | 'dns'=0.004s;;;0; ...`.
// One line, status word matching the exit code, perfdata after `|` in seconds.
#include <algorithm>
#include <cstdio>
#include <map>

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

std::string seconds(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string renderNagios(const Report& r, const RenderOptions&) {
  std::string line = verdictLine(r);
  for (auto& c : line) {
    if (c == '|') c = '/';
    if (c == '\n' || c == '\r') c = ' ';
  }
  std::vector<std::string> perf;
  auto stageMs = [&](engine::Stage st) {
    long long ms = -1;
    for (const auto& c : r.checks) {
      if (c.stage == st && c.status != engine::Status::Skip) ms = std::max(ms, c.durationMs);
    }
    return ms;
  };
  if (auto ms = stageMs(engine::Stage::Dns); ms >= 0)
    perf.push_back(label("dns") + "=" + seconds(ms) + ";;;0;");
  // One value per port: the slowest probe on it (a dropped port shows its timeout).
  std::map<long long, long long> portMs;
  for (const auto& c : r.checks) {
    const auto* tcp = c.id == "tcp.connect" ? c.factsAs<engine::TcpConnectFacts>() : nullptr;
    if (!tcp) continue;
    for (const auto& p : tcp->probes) {
      const auto ms = static_cast<long long>(p.elapsedMs);  // whole milliseconds, as before
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
  perf.push_back(label("time") + "=" + seconds(r.durationMs) + ";;;0;");
  return line + " | " + util::join(perf, " ") + "\n";
}

RegisterFormat registered{"nagios", &renderNagios, "nagios"};

}  // namespace
}  // namespace pgreach::reports
