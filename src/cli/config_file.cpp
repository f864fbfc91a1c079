#include "cli/config_file.h"

#include <algorithm>
#include <cctype>

#include "util/atomic_file.h"
#include "util/strings.h"

namespace pgreach::cli {
namespace {

constexpr size_t kMaxConfigBytes = 1 << 20;

bool validName(std::string_view s, size_t max, bool allowDot) {
  if (s.empty() || s.size() > max) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '_' || c == '-' || (allowDot && c == '.'))) return false;
  }
  return true;
}

// A comment starts at '#' or ';' that opens the line or follows a blank; so
// `options=-c a;b` and `sslrootcert=/x#y` keep theirs, and a quoted value keeps anything.
std::string withoutComment(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '#' || text[i] == ';') &&
        (i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])))) {
      return util::trim(text.substr(0, i));
    }
  }
  return util::trim(text);
}

std::string switchValueError(const std::string& where, const std::string& key, const std::string& value) {
  const std::string v = util::toLower(value);
  // Explicit: an empty `no-color =` could mean either.
  const bool ok = v == "true" || v == "false" || v == "yes" || v == "no" || v == "1" || v == "0";
  return ok ? std::string() : where + "\"" + key + "\" takes true or false";
}

}  // namespace

Expected<ConfigFile> parseConfig(std::string_view text, const std::string& path, size_t maxTargets) {
  if (text.size() > kMaxConfigBytes) return makeError(path + ": larger than 1 MiB");
  if (text.find('\0') != std::string_view::npos)
    return makeError(path + ": contains a NUL byte (not a text file)");
  ConfigFile cfg;
  cfg.path = path;
  ConfigSection* current = nullptr;
  size_t lineNo = 0;
  for (const auto& raw : util::split(text, '\n')) {
    ++lineNo;
    const std::string where = path + ":" + std::to_string(lineNo) + ": ";
    const std::string line = util::trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      const std::string header = withoutComment(line);
      if (header.back() != ']') return makeError(where + "a section header must end with ']'");
      const std::string section = util::trim(header.substr(1, header.size() - 2));
      if (!util::startsWith(section, "target.")) {
        const std::string shown = validName(section, 40, true) ? "[" + section + "]" : "(name not shown)";
        return makeError(where + "unknown section " + shown + " (only [target.NAME])");
      }
      const std::string name = section.substr(7);
      if (!validName(name, 64, false))
        return makeError(where + "target names are 1-64 letters, digits, '-' or '_'");
      for (const auto& t : cfg.targets) {
        if (t.name == name)
          return makeError(where + "target \"" + name + "\" is defined twice (first on line " +
                           std::to_string(t.line) + ")");
      }
      if (cfg.targets.size() >= maxTargets)
        return makeError(where + "more than " + std::to_string(maxTargets) + " targets");
      cfg.targets.push_back({name, lineNo, {}});
      current = &cfg.targets.back();
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) return makeError(where + "expected key = value (line not shown)");
    const std::string key = util::toLower(util::trim(line.substr(0, eq)));
    if (!validName(key, 40, false))
      return makeError(where + "invalid key (letters, digits and '-'; not shown)");
    switch (configKeyKind(key)) {
      case ConfigKeyKind::Unknown: {
        std::string message = where + "unknown key \"" + key + "\"";
        const auto close = closeConfigKeys(key);
        if (!close.empty()) message += " (did you mean \"" + close.front() + "\"?)";
        return makeError(message);
      }
      case ConfigKeyKind::Forbidden:
        return makeError(where + "\"" + key + "\" is not read from a config file" +
                         (key == "config" ? " (config files cannot include other config files)" : ""));
      default:
        break;
    }
    // The value: quoted ("..." or '...', nothing inside is a comment) or bare.
    const std::string after = line.substr(eq + 1);
    std::string value;
    const std::string start = util::trim(after);
    if (!start.empty() && (start[0] == '"' || start[0] == '\'')) {
      const auto close = start.find(start[0], 1);
      if (close == std::string::npos) return makeError(where + "\"" + key + "\": the quote is not closed");
      const std::string rest = util::trim(start.substr(close + 1));
      if (!rest.empty() && rest[0] != '#' && rest[0] != ';')
        return makeError(where + "\"" + key + "\": text after the closing quote");
      value = start.substr(1, close - 1);
    } else {
      value = withoutComment(after);
    }
    auto& lines = current ? current->lines : cfg.global;
    const ConfigKeyKind kind = configKeyKind(key);
    if (kind == ConfigKeyKind::Switch) {
      if (auto e = switchValueError(where, key, value); !e.empty()) return makeError(e);
    }
    if (kind != ConfigKeyKind::Repeatable) {
      for (const auto& l : lines) {
        if (l.key == key)
          return makeError(where + "\"" + key + "\" is given twice in this section (first on line " +
                           std::to_string(l.line) + ")");
      }
    }
    lines.push_back({key, value, lineNo});
  }
  return cfg;
}

Expected<ConfigFile> readConfig(const std::string& path, size_t maxTargets) {
  auto text = util::readFile(path);
  if (!text) return makeError("--config: " + text.error());
  return parseConfig(*text, path, maxTargets);
}

std::vector<ConfigLine> effectiveConfig(const ConfigFile& file, const ConfigSection* target) {
  std::vector<ConfigLine> out;
  auto replaced = [&](const std::string& key) {
    if (!target) return false;
    return std::any_of(target->lines.begin(), target->lines.end(),
                       [&](const ConfigLine& l) { return l.key == key; });
  };
  for (const auto& l : file.global) {
    if (!replaced(l.key)) out.push_back(l);
  }
  if (target) out.insert(out.end(), target->lines.begin(), target->lines.end());
  return out;
}

}  // namespace pgreach::cli
