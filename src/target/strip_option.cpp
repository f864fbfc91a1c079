#include "target/strip_option.h"

#include <cctype>
#include <vector>

namespace pgreach::target {
namespace {

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

StrippedOption stripUri(std::string_view conninfo, std::string_view keyword) {
  StrippedOption r{std::string(conninfo), std::nullopt};
  const size_t q = conninfo.find('?');
  if (q == std::string_view::npos) return r;
  std::string_view query = conninfo.substr(q + 1);
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string_view param =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && percentDecode(param.substr(0, eq)) == keyword) {
      r.value = percentDecode(param.substr(eq + 1));
    } else if (!param.empty()) {
      kept.push_back(param);
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  if (!r.value) return r;
  std::string out(conninfo.substr(0, q));
  for (size_t i = 0; i < kept.size(); ++i) out += (i == 0 ? "?" : "&") + std::string(kept[i]);
  r.conninfo = out;
  return r;
}

StrippedOption stripKeywordValue(std::string_view s, std::string_view keyword) {
  StrippedOption r{std::string(s), std::nullopt};
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t pairStart = i;
    while (i < s.size() && isSpace(s[i])) ++i;
    if (i >= s.size()) {
      out.append(s.substr(pairStart));
      break;
    }
    const size_t keyStart = i;
    while (i < s.size() && !isSpace(s[i]) && s[i] != '=') ++i;
    const std::string_view key = s.substr(keyStart, i - keyStart);
    while (i < s.size() && isSpace(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return {std::string(s), std::nullopt};  // libpq will say what is wrong
    ++i;
    while (i < s.size() && isSpace(s[i])) ++i;
    std::string value;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          value += s[i + 1];
          i += 2;
        } else if (s[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          value += s[i++];
        }
      }
      if (!closed) return {std::string(s), std::nullopt};
    } else {
      while (i < s.size() && !isSpace(s[i])) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          value += s[i + 1];
          i += 2;
        } else {
          value += s[i++];
        }
      }
    }
    if (key == keyword) {
      r.value = value;
    } else {
      out.append(s.substr(pairStart, i - pairStart));
    }
  }
  if (r.value) r.conninfo = out;
  return r;
}

}  // namespace

StrippedOption stripOption(std::string_view conninfo, std::string_view keyword) {
  if (conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0) {
    return stripUri(conninfo, keyword);
  }
  return stripKeywordValue(conninfo, keyword);
}

}  // namespace pgreach::target
