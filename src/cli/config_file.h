#pragma once
// The one INI dialect of `--config FILE`, for a single target and for a fleet alike.
//
//   # a comment; so is a line starting with ';'
//   timeout = 3s            # a trailing comment: '#' or ';' after a blank
//   vpc-cidr = 10.40.0.0/16
//   [target.orders]         # a fleet: one section per target
//   conninfo = "host=db user=app password='a #1'"   # quoted: nothing inside is a comment
//
// Keys are the long option names of `pgreach diagnose` (no leading --). A key nobody
// reads, another section than [target.NAME], a line without '=' or a single-valued key
// given twice in one section are refused with `FILE:LINE: ...`: a mistyped key never
// silently does nothing. Values are never quoted back in an error (a conninfo line can
// hold a password); keys are, when they look like option names.
//
// Precedence (cli::effectiveConfig): the command line over the target's section over
// the lines before the first section. A key given in a target's section replaces every
// global line of that key, repeatable ones (vpc-cidr, resolver, only...) included.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace pgreach::cli {

struct ConfigLine {
  std::string key;    // lower case, as the long option name
  std::string value;  // unquoted, comment removed (may be a secret: never print it)
  size_t line = 0;    // 1-based
};

struct ConfigSection {
  std::string name;  // NAME of [target.NAME]
  size_t line = 0;
  std::vector<ConfigLine> lines;
};

struct ConfigFile {
  std::string path;                    // as given, for FILE:LINE messages
  std::vector<ConfigLine> global;      // lines before the first section
  std::vector<ConfigSection> targets;  // empty: a single-target config
  bool isFleet() const { return !targets.empty(); }
};

// How an option is read from a config line.
enum class ConfigKeyKind { Unknown, Forbidden, Single, Repeatable, Switch };
// What `key` is among the options (defined next to the option tables, options.cpp).
ConfigKeyKind configKeyKind(std::string_view key);
// The option names closest to a mistyped key (edit distance at most 2), best first.
std::vector<std::string> closeConfigKeys(std::string_view key);

// Pure parser: `path` only names the file in messages. Hostile input (NUL bytes, more
// than 1 MiB, more than 256 targets, odd names) is an Error naming the line.
// `maxTargets`: 256 for a fleet run; `pgreach serve` allows more.
inline constexpr size_t kMaxConfigTargets = 256;
Expected<ConfigFile> parseConfig(std::string_view text, const std::string& path,
                                 size_t maxTargets = kMaxConfigTargets);
// Reads and parses a file (a regular file only: a FIFO or device is refused, not read).
Expected<ConfigFile> readConfig(const std::string& path, size_t maxTargets = kMaxConfigTargets);

// The lines a target runs with, in order: the global lines whose key its section does not
// give, then its own. `target` null: the global lines alone.
std::vector<ConfigLine> effectiveConfig(const ConfigFile& file, const ConfigSection* target);

}  // namespace pgreach::cli
