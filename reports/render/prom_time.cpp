#include "reports/render/prom_time.h"

#include <cstdio>
#include <ctime>

#include "engine/tls_facts.h"

namespace pgreach::reports {

std::optional<long long> parseIsoUtc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char t = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &s) != 7)
    return std::nullopt;
  if ((t != 'T' && t != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<long long>(timegm(&tm));
}

std::optional<long long> certExpiry(const Report& r) {
  // The earliest leaf notAfter among the probed addresses (two ENIs may serve two certs).
  std::optional<long long> earliest;
  for (const auto& c : r.checks) {
    const auto* hs = c.id == "tls.handshake" ? c.factsAs<engine::HandshakeFacts>() : nullptr;
    if (!hs) continue;
    for (const auto& p : hs->probes) {
      if (p.chain.empty()) continue;
      // From the ISO text the report shows, so the metric and the report agree.
      const auto t = parseIsoUtc(p.chain.front().notAfter);
      if (t && (!earliest || *t < *earliest)) earliest = t;
    }
  }
  return earliest;
}

}  // namespace pgreach::reports
