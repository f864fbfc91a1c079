#pragma once
// `pgreach diagnose --config FILE` with [target.NAME] sections: a fleet run for cron or a
// systemd timer. Options outside a section apply to every target; a target's own
// `key = value` lines override them, and the command line overrides both. All targets
// run concurrently; the exit code is the worst status; one report per target plus a
// combined one go to --output-dir, and a --bundle per target; a lock file keeps two runs
// from overlapping.
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/options.h"
#include "util/expected.h"

namespace pgreach::app {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct FleetTarget {
  std::string name;
  KeyValues options;
};

struct FleetConfig {
  KeyValues global;
  std::vector<FleetTarget> targets;
};

// Pure INI parser: `# ; comments`, `key = value`, `[target.NAME]` sections. Hostile
// input (other sections, bad names, lines without '=', NUL bytes, huge files) is an
// Error naming the line.
// `maxTargets`: a fleet run starts every target at once, so it stops at 256; `pgreach
// serve` probes on demand with bounded concurrency and takes more.
Expected<FleetConfig> parseFleetConfig(std::string_view text, size_t maxTargets = 256);
// True when the text has at least one [target.NAME] section.
bool isFleetConfig(std::string_view text);

// argv-style arguments for cli::parseOptions: "--key=value", or "--flag" for true booleans.
Expected<std::vector<std::string>> toArguments(const KeyValues& kv);

// The bundle file of one fleet target: a path that several targets share (a global
// `bundle =` or --bundle on the command line) gets "-NAME" before ".tar.gz"; a path only
// this target names is used as it is.
std::string fleetBundlePath(const std::string& path, const std::string& name, bool shared);

// One target's options: the command line first, then the target's own lines, then the
// global ones (Boost keeps the first value of a single-valued option).
Expected<cli::Options> fleetTargetOptions(const std::vector<std::string>& cliArgs, const KeyValues& first,
                                          const KeyValues& second);

// Ordering for "worst status": CRITICAL(2) > UNKNOWN(3) > WARNING(1) > OK(0).
int worseExitCode(int a, int b);

// Runs the fleet. `cliArgs` are the command-line arguments without the program name,
// the `diagnose` word and --config.
int runFleet(const std::string& configPath, const std::vector<std::string>& cliArgs, std::ostream& out,
             std::ostream& err);

}  // namespace pgreach::app
