#pragma once
// The finding codes of the TLS checks (tls.sslrequest, tls.handshake, tls.direct), declared
// once: severity, title, meaning, why and fix. The PostgreSQL checks take the tls.* codes that
// libpq reports from here too.
// Each check names the ones it can emit in its CheckInfo::codes (engine/codes.h); `pgreach
// explain`, the reports, reports/findings.json and the JSON Schema all come from them.
#include <vector>

#include "engine/codes.h"

namespace pgreach::checks::tls {

const std::vector<engine::CodeDecl>& tlsCodes();

}  // namespace pgreach::checks::tls
