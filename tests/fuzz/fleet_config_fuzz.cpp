// The config file (`--config FILE`, one INI dialect for a single target and a fleet): the
// pure parser, then the effective lines each target would run with. Property: no crash,
// no hang; a parsed fleet has named targets, and no target runs with a key it did not
// give from the global lines when it gives that key itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cli/config_file.h"

namespace cli = pgreach::cli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = cli::parseConfig(text, "fuzz.ini");
  if (!cfg) return 0;
  (void)cli::effectiveConfig(*cfg, nullptr);
  for (const auto& t : cfg->targets) {
    if (t.name.empty()) std::abort();
    for (const auto& line : cli::effectiveConfig(*cfg, &t)) {
      if (line.key.empty() || line.line == 0) std::abort();
    }
  }
  return 0;
}
