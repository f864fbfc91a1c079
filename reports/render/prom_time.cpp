#include "reports/render/prom_time.h"

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
  // The earliest leaf notAfter among the probed addresses (two ENIs may serve two certs).
  std::optional<long long> earliest;
  auto consider = [&](const nlohmann::json& cert) {
    if (!cert.is_object()) return;
    std::optional<long long> t;
    if (cert.contains("not_after_epoch") && cert["not_after_epoch"].is_number()) t = cert["not_after_epoch"].get<long long>();
    else if (cert.contains("not_after") && cert["not_after"].is_string()) t = parseIsoUtc(cert["not_after"].get<std::string>());
    if (t && (!earliest || *t < *earliest)) earliest = t;
  };
  for (const auto& c : r.checks) {
    if (c.id != "tls.handshake" || !c.data.is_object()) continue;
    consider(c.data);
    auto probes = c.data.find("probes");
    if (probes == c.data.end() || !probes->is_array()) continue;
    for (const auto& p : *probes) {
      if (!p.is_object() || !p.contains("chain") || !p["chain"].is_array() || p["chain"].empty()) continue;
      consider(p["chain"][0]);
    }
  }
  return earliest;
}

}  // namespace pgreach::reports
