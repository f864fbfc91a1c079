#pragma once
// The finding codes of the DNS checks (dns.resolve, dns.system), declared once: severity,
// title, meaning, why and fix.
// Each check names the ones it can emit in its CheckInfo::codes (engine/codes.h); `pgreach
// explain`, the reports, reports/findings.json and the JSON Schema all come from them.
#include <vector>

#include "engine/codes.h"

namespace pgreach::checks::dns {

const std::vector<engine::CodeDecl>& dnsCodes();

}  // namespace pgreach::checks::dns
