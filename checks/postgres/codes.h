#pragma once
// The finding codes of the PostgreSQL checks (pg.startup, pg.connect), declared once:
// severity, title, meaning, why and fix, plus the tls.* codes libpq reports (texts from
// checks/common/tls_codes.h).
// Each check names the ones it can emit in its CheckInfo::codes (engine/codes.h); `pgreach
// explain`, the reports, reports/findings.json and the JSON Schema all come from them.
#include <initializer_list>
#include <string_view>
#include <vector>

#include "engine/codes.h"

namespace pgreach::checks::postgres {

const std::vector<engine::CodeDecl>& postgresCodes();

// The codes of what the server (or libpq) said, which both pg.startup and pg.connect
// classify (checks/postgres/classify.h), followed by the check's own `extra` codes.
std::vector<engine::CodeDecl> classifiedCodes(std::initializer_list<std::string_view> extra);

}  // namespace pgreach::checks::postgres
