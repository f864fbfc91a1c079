#include "reports/report/catalog.h"

#include <algorithm>
#include <map>

#include "engine/registry.h"

namespace pgreach::reports {
namespace {

// "pg.auth_failed" -> "postgres": the stage a code sits at is its prefix, whichever check
// declares it (the PostgreSQL checks declare tls.* codes libpq reports).
std::string stageOfCode(std::string_view code) {
  const std::string_view prefix = code.substr(0, code.find('.'));
  return prefix == "pg" ? "postgres" : std::string(prefix);
}

CodeInfo fromDecl(const engine::CodeDecl& d) {
  CodeInfo info;
  info.code = std::string(d.code);
  info.stage = stageOfCode(d.code);
  info.severity = std::string(engine::toString(d.severity));
  info.title = std::string(d.title);
  info.meaning = std::string(d.meaning);
  info.why = std::string(d.why);
  info.fix = std::string(d.fix);
  return info;
}

// Built once from the declarations: every registered check's CheckInfo::codes, then the
// tables registered by the layers that emit codes outside checks. A code several checks
// declare comes from one table, so the first declaration stands for all
// (tests/src/engine/codes_test.cpp checks they agree). The declarations are views of
// static texts, so the catalogue holds no copy of them; a lookup builds its CodeInfo.
const std::map<std::string_view, engine::CodeDecl>& catalog() {
  static const std::map<std::string_view, engine::CodeDecl> entries = [] {
    std::map<std::string_view, engine::CodeDecl> out;
    for (const auto& info : engine::Registry::instance().infos()) {
      for (const auto& d : info.codes) out.emplace(d.code, d);
    }
    for (const auto& [name, codes] : engine::codeTables().entries()) {
      for (const auto& d : codes) out.emplace(d.code, d);
    }
    return out;
  }();
  return entries;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::optional<CodeInfo> lookupCode(std::string_view code) {
  auto it = catalog().find(code);
  if (it == catalog().end()) return std::nullopt;
  return fromDecl(it->second);
}

std::vector<std::string> knownCodes() {
  std::vector<std::string> out;
  for (const auto& [code, decl] : catalog()) out.emplace_back(code);
  return out;
}

nlohmann::json catalogJson() {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [code, decl] : catalog()) {
    const CodeInfo info = fromDecl(decl);
    out[info.code] = {{"stage", info.stage},     {"severity", info.severity}, {"title", info.title},
                      {"meaning", info.meaning}, {"why", info.why},           {"fix", info.fix}};
  }
  return out;
}

std::vector<std::string> closeCodes(std::string_view code, size_t max) {
  std::string needle(code);
  std::transform(needle.begin(), needle.end(), needle.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& [knownView, decl] : catalog()) {
    const std::string known(knownView);
    size_t score = editDistance(needle, known);
    // A fragment of a code ("dropped", "tcp.") is a close match too.
    if (!needle.empty() && known.find(needle) != std::string::npos) score = 0;
    const auto tail = known.substr(known.find('.') + 1);
    if (!needle.empty() && needle.find(tail) != std::string::npos) score = std::min<size_t>(score, 1);
    const auto needleTail = needle.substr(needle.find('.') == std::string::npos ? 0 : needle.find('.') + 1);
    if (needleTail.size() >= 4 && known.find(needleTail) != std::string::npos)
      score = std::min<size_t>(score, 1);
    if (score <= std::max<size_t>(3, needle.size() / 3)) scored.emplace_back(score, known);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [score, known] : scored) {
    if (out.size() >= max) break;
    out.push_back(known);
  }
  return out;
}

}  // namespace pgreach::reports
