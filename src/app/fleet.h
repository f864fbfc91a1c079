#pragma once
// `pgreach diagnose --config FILE` with [target.NAME] sections: a fleet run for cron or a
// systemd timer. The file is read by the one config parser (cli/config_file.h): options
// outside a section apply to every target, a target's own `key = value` lines replace
// them (repeatable keys too), and the command line overrides both. Every target's
// options are checked before anything runs: a bad line stops the fleet with FILE:LINE
// on stderr and exit 3. All targets
// run concurrently; the exit code is the worst status; one report per target plus a
// combined one go to --output-dir, and a --bundle per target; a lock file keeps two runs
// from overlapping.
#include <ostream>
#include <string>
#include <vector>

#include "cli/config_file.h"
#include "cli/options.h"
#include "util/expected.h"

namespace pgreach::app {

// The bundle file of one fleet target: a path that several targets share (a global
// `bundle =` or --bundle on the command line) gets "-NAME" before ".tar.gz"; a path only
// this target names is used as it is.
std::string fleetBundlePath(const std::string& path, const std::string& name, bool shared);

// Ordering for "worst status": CRITICAL(2) > UNKNOWN(3) > WARNING(1) > OK(0).
int worseExitCode(int a, int b);

// The options one target of `config` runs with: the command line (`cliArgs`), then the
// target's section, then the global lines (cli::effectiveConfig). `target` null: the
// global lines alone. `pgreach serve` builds its targets with it too.
Expected<cli::Options> fleetTargetOptions(const std::vector<std::string>& cliArgs,
                                          const cli::ConfigFile& config, const cli::ConfigSection* target);

// Runs the fleet of `config` (isFleet()). `cliArgs` are the command-line arguments
// without the program name, the `diagnose` word and --config.
int runFleet(const cli::ConfigFile& config, const std::vector<std::string>& cliArgs, std::ostream& out,
             std::ostream& err);

}  // namespace pgreach::app
