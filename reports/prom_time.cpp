#include "reports/prom_time.h"

#include <cstdio>
#include <ctime>

namespace pgreach::reports {

std::optional<long long> parseIsoUtc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char t = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &s) != 7) return std::nullopt;
  if ((t != 'T' && t != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
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
  for (const auto& c : r.checks) {
    if (c.id != "tls.handshake" || !c.data.is_object()) continue;
    const auto& d = c.data;
    if (d.contains("not_after_epoch") && d["not_after_epoch"].is_number()) return d["not_after_epoch"].get<long long>();
    for (const auto* holder : {&d, d.contains("cert") ? &d["cert"] : nullptr}) {
      if (!holder || !holder->is_object()) continue;
      auto it = holder->find("not_after");
      if (it != holder->end() && it->is_string()) {
        if (auto t = parseIsoUtc(it->get<std::string>())) return t;
      }
    }
  }
  return std::nullopt;
}

}  // namespace pgreach::reports
