#pragma once
// The finding codes of the PostgreSQL checks (pg.startup, pg.connect), declared once:
// severity, title, meaning, why and fix, plus the tls.* codes libpq reports (texts from
// checks/common/tls_codes.h).
// Each check names the ones it can emit in its CheckInfo::codes (engine/codes.h); `pgreach
// explain`, the reports, reports/findings.json and the JSON Schema all come from them.
#include <vector>

#include "engine/codes.h"

namespace pgreach::checks::postgres {

const std::vector<engine::CodeDecl>& postgresCodes();

}  // namespace pgreach::checks::postgres
