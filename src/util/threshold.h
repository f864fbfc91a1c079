#pragma once
// A monitoring-plugin threshold range (Monitoring Plugins Development Guidelines,
// "Threshold and ranges"), on a time in milliseconds:
//   "10"     alert outside 0..10 (above 10, or below 0)
//   "10:"    alert below 10
//   "~:10"   alert above 10 (no lower end)
//   "10:20"  alert outside 10..20
//   "@10:20" alert inside 10..20 (ends included)
// The ends are inclusive: a value equal to an end does not alert (unless "@").
#include <optional>
#include <string>

namespace pgreach::util {

struct ThresholdRange {
  std::optional<double> startMs = 0.0;  // unset: "~", minus infinity
  std::optional<double> endMs;          // unset: plus infinity
  bool inside = false;                  // "@": alert when the value is inside the range

  // A plain "N": alert above N (the check_tcp -w/-c meaning).
  static ThresholdRange above(double ms);
  bool alerts(double ms) const;
  // The range in the guidelines' syntax, in seconds (the unit of pgreach's perfdata):
  // "2", "0.5:", "~:2", "@1:2". What the warn and crit fields of a perfdata value carry.
  std::string perfdata() const;
  // For a message, with the option that gave it: "over --warning 2.000 s", "under
  // --warning 0.500 s", "outside --warning 0.100 s..2.000 s", "inside --warning 1.000 s..2.000 s".
  std::string describe(const std::string& option) const;
};

// Seconds as perfdata writes a threshold: "2", "0.5", "0.0125" (no trailing zeros).
std::string thresholdSeconds(double ms);

}  // namespace pgreach::util
