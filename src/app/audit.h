#pragma once
// `pgreach audit [CONNINFO]`: only the cloud configuration checks. No DNS query and no
// TCP probe is made; the same report formats and exit codes as `diagnose`.
#include <ostream>

#include "cli/options.h"

namespace pgreach::app {

int runAudit(const cli::Options& opts, std::ostream& out, std::ostream& err, bool outIsTerminal);

// The check ids/stages an audit runs: the user's --only entries that are cloud checks,
// else the whole cloud stage.
std::vector<std::string> auditSelection(const std::vector<std::string>& only);

}  // namespace pgreach::app
