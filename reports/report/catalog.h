#pragma once
// The findings catalogue: what each finding code means, why it happens and how to fix it.
// Built from the declarations (CheckInfo::codes and engine::RegisterCodes tables, see
// engine/codes.h), the single source. `pgreach explain` prints it; reports use its fix when a
// finding carries none. reports/findings.json is a committed copy for readers and tools
// outside pgreach; a test fails when it differs from catalogJson() (tests/reports/catalog_test.cpp
// rewrites it with UPDATE_GOLDEN=1).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::reports {

struct CodeInfo {
  std::string code;
  std::string stage;     // the code's prefix: dns, tcp, tls, postgres, cloud, engine
  std::string severity;  // the usual severity: info, warning, critical
  std::string title;
  std::string meaning;
  std::string why;
  std::string fix;
};

std::optional<CodeInfo> lookupCode(std::string_view code);
std::vector<std::string> knownCodes();
// The whole catalogue as reports/findings.json holds it: {code: {stage, severity, title, ...}}.
nlohmann::json catalogJson();
// Codes close to `code` (same stage prefix, shared words, small edit distance), best first.
std::vector<std::string> closeCodes(std::string_view code, size_t max = 5);

}  // namespace pgreach::reports
