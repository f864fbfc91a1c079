#pragma once
// Times the Prometheus output needs, read from the report.
#include <optional>
#include <string>

#include "reports/report/report.h"

namespace pgreach::reports {

// "2026-11-21T23:21:29.123Z" (or without fraction) → Unix seconds; nullopt if malformed.
std::optional<long long> parseIsoUtc(const std::string& iso);
// The leaf certificate's notAfter from tls.handshake data, if the check recorded one:
// data.probes[].chain[0].not_after (ISO 8601) or .not_after_epoch; the earliest wins.
std::optional<long long> certExpiry(const Report& r);

}  // namespace pgreach::reports
