#include "target/pgpass.h"

#include <cstdlib>
#include <vector>

namespace pgreach::target {
namespace {

// Splits one line into its fields, honouring backslash escapes.
std::vector<std::string> fields(std::string_view line) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (ch == '\\' && i + 1 < line.size()) {
      out.back() += line[++i];
    } else if (ch == ':' && out.size() < 5) {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

bool matches(const std::string& pattern, std::string_view value) {
  return pattern == "*" || pattern == value;
}

}  // namespace

std::optional<std::string> pgpassPassword(std::string_view content, std::string_view host,
                                          std::string_view port, std::string_view database,
                                          std::string_view user) {
  size_t start = 0;
  for (int lineNo = 0; start <= content.size() && lineNo < 100000; ++lineNo) {
    size_t end = content.find('\n', start);
    std::string_view line =
        content.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? content.size() + 1 : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto f = fields(line);
    if (f.size() < 5 || f[4].empty()) continue;
    if (matches(f[0], host) && matches(f[1], port) && matches(f[2], database) && matches(f[3], user))
      return f[4];
  }
  return std::nullopt;
}

bool pgpassHasEntry(std::string_view content, std::string_view host, std::string_view port,
                    std::string_view database, std::string_view user) {
  return pgpassPassword(content, host, port, database, user).has_value();
}

std::string pgpassPath(const std::string& passfileOption) {
  if (!passfileOption.empty()) return passfileOption;
  if (const char* env = std::getenv("PGPASSFILE"); env && *env) return env;
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.pgpass";
  return "";
}

}  // namespace pgreach::target
