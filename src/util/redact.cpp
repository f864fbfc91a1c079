#include "util/redact.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "util/secret.h"
#include "util/strings.h"

namespace pgreach::util {

void Redactor::addSecret(std::string value) {
  if (value.size() < 3) return;
  if (std::find(secrets_.begin(), secrets_.end(), value) == secrets_.end()) secrets_.push_back(std::move(value));
  // Longest first, so a secret containing another is masked whole.
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string redactPatterns(std::string text) {
  static const std::regex kUriUserinfo(R"(((?:postgres|postgresql)://[^:/@\s]*):([^@\s/]+)@)", std::regex::icase);
  // An unquoted value stops at '"' and '\\' too: inside a JSON string it must not eat the
  // closing quote (the literal secret is masked separately by Redactor::apply).
  static const std::regex kKeyword(R"((\b(?:password|sslpassword)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'&"\\]+))",
                                   std::regex::icase);
  static const std::regex kPscale(R"(pscale_pw_[A-Za-z0-9_\-]+)");
  // std::regex is slow (about 13 ms per report in a Debug build, three quarters of an
  // in-process diagnose run in the lab soak): run each pattern only when the literal it
  // cannot match without is in the text. Same result, since no match is possible without it.
  const std::string lower = toLower(text);
  if (lower.find("postgres://") != std::string::npos || lower.find("postgresql://") != std::string::npos) {
    text = std::regex_replace(text, kUriUserinfo, std::string("$1:") + kHidden + "@");
  }
  if (lower.find("password") != std::string::npos) {
    text = std::regex_replace(text, kKeyword, std::string("$1") + kHidden);
  }
  if (text.find("pscale_pw_") != std::string::npos) {
    text = std::regex_replace(text, kPscale, std::string("pscale_pw_") + kHidden);
  }
  return text;
}

std::string Redactor::apply(std::string text) const {
  for (const auto& s : secrets_) text = replaceAll(std::move(text), s, kHidden);
  return redactPatterns(std::move(text));
}

}  // namespace pgreach::util
