#pragma once
// The findings catalogue (reports/findings.json, embedded): what each finding code
// means, why it happens and how to fix it. `pgreach explain` prints it; reports use
// its fix when a finding carries none.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgreach::reports {

struct CodeInfo {
  std::string code;
  std::string stage;
  std::string title;
  std::string meaning;
  std::string why;
  std::string fix;
};

std::optional<CodeInfo> lookupCode(std::string_view code);
std::vector<std::string> knownCodes();
// Codes close to `code` (same stage prefix, shared words, small edit distance), best first.
std::vector<std::string> closeCodes(std::string_view code, size_t max = 5);

}  // namespace pgreach::reports
