#include "util/redact.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <vector>

#include "util/json_dump.h"
#include "util/secret.h"
#include "util/strings.h"

namespace pgreach::util {

void Redactor::addSecret(std::string value) {
  if (value.size() < 3) return;
  // The forms the value takes once escaped: as a report line (control characters made
  // visible) and inside a JSON string. Output redaction is the second net; the first is
  // redacting the report before any escaping (reports::redactReport).
  const std::string quoted = dumpJson(nlohmann::json(value));
  for (std::string form : {escapeControl(value), quoted.substr(1, quoted.size() - 2), value}) {
    if (form.size() >= 3 && std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end()) {
      secrets_.push_back(std::move(form));
    }
  }
  // Longest first, so a secret containing another is masked whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void Redactor::applyToStrings(nlohmann::json& j) const {
  if (j.is_string()) {
    j = apply(j.get<std::string>());
  } else if (j.is_array()) {
    for (auto& v : j) applyToStrings(v);
  } else if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      applyToStrings(it.value());
      out[apply(it.key())] = std::move(it.value());
    }
    j = std::move(out);
  }
}

namespace {

// Every position of `needle` in `lower` (a lowercase copy of the text), ascending.
std::vector<size_t> positionsOf(const std::string& lower, const std::string& needle) {
  std::vector<size_t> at;
  for (size_t p = lower.find(needle); p != std::string::npos; p = lower.find(needle, p + 1)) at.push_back(p);
  return at;
}

// regex_replace for a pattern whose every match begins at one of `starts` (ascending): the
// pattern is tried only there, anchored (match_continuous; match_prev_avail so \b sees the
// character before), left to right, skipping starts inside a replaced match, so the
// result is regex_replace's. std::regex scanning a whole report costs ~13 ms in a Debug
// build, three quarters of an in-process diagnose run (measured in the lab soak).
std::string replaceAt(const std::string& text, const std::vector<size_t>& starts, const std::regex& pattern,
                      const std::string& replacement) {
  std::string out;
  size_t done = 0;
  for (size_t p : starts) {
    if (p < done) continue;
    auto flags = std::regex_constants::match_continuous;
    if (p > 0) flags |= std::regex_constants::match_prev_avail;
    std::smatch m;
    if (!std::regex_search(text.begin() + static_cast<long>(p), text.end(), m, pattern, flags)) continue;
    out.append(text, done, p - done);
    out += m.format(replacement);
    done = p + static_cast<size_t>(m.length(0));
  }
  out.append(text, done, std::string::npos);
  return out;
}

}  // namespace

std::string redactPatterns(std::string text) {
  static const std::regex kUriUserinfo(R"(((?:postgres|postgresql)://[^:/@\s]*):([^@\s/]+)@)",
                                       std::regex::icase);
  // An unquoted value stops at '"' and '\\' too: inside a JSON string it must not eat the
  // closing quote (the literal secret is masked separately by Redactor::apply).
  static const std::regex kKeyword(R"((\b(?:password|sslpassword)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'&"\\]+))",
                                   std::regex::icase);
  static const std::regex kPscale(R"(pscale_pw_[A-Za-z0-9_\-]+)");
  // Each pattern only where its match can begin: "postgres", "password"/"sslpassword"
  // (any case, as the patterns are icase), "pscale_pw_".
  std::string lower = toLower(text);
  text = replaceAt(text, positionsOf(lower, "postgres"), kUriUserinfo, std::string("$1:") + kHidden + "@");
  lower = toLower(text);
  std::vector<size_t> keyword;
  for (size_t p : positionsOf(lower, "password")) {
    if (p >= 3 && lower.compare(p - 3, 3, "ssl") == 0) keyword.push_back(p - 3);
    keyword.push_back(p);
  }
  text = replaceAt(text, keyword, kKeyword, std::string("$1") + kHidden);
  text = replaceAt(text, positionsOf(text, "pscale_pw_"), kPscale, std::string("pscale_pw_") + kHidden);
  return text;
}

std::string Redactor::apply(std::string text) const {
  for (const auto& s : secrets_) text = replaceAll(std::move(text), s, kHidden);
  return redactPatterns(std::move(text));
}

}  // namespace pgreach::util
