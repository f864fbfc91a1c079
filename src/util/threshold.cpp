#include "util/threshold.h"

#include <cstdio>

namespace pgreach::util {

ThresholdRange ThresholdRange::above(double ms) {
  ThresholdRange r;
  r.endMs = ms;
  return r;
}

bool ThresholdRange::alerts(double ms) const {
  const bool in = (!startMs || ms >= *startMs) && (!endMs || ms <= *endMs);
  return inside ? in : !in;
}

std::string thresholdSeconds(double ms) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6f", ms / 1000.0);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string ThresholdRange::perfdata() const {
  std::string s = inside ? "@" : "";
  const bool plain = !inside && startMs && *startMs == 0.0 && endMs;
  if (plain) return thresholdSeconds(*endMs);
  s += startMs ? thresholdSeconds(*startMs) : "~";
  s += ":";
  if (endMs) s += thresholdSeconds(*endMs);
  return s;
}

namespace {
std::string secs(double ms) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f s", ms / 1000.0);
  return buf;
}
}  // namespace

std::string ThresholdRange::describe(const std::string& option) const {
  const std::string lo = startMs ? secs(*startMs) : std::string("-inf");
  const std::string hi = endMs ? secs(*endMs) : std::string("inf");
  if (inside) return "inside " + option + " " + lo + ".." + hi;
  const bool noLow = !startMs || *startMs == 0.0;
  if (noLow && endMs) return "over " + option + " " + hi;
  if (!endMs && startMs) return "under " + option + " " + lo;
  return "outside " + option + " " + lo + ".." + hi;
}

}  // namespace pgreach::util
