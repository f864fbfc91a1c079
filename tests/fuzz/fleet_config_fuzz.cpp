// The fleet config (`diagnose --config FILE`, INI with [target.NAME] sections): the pure
// parser, then the argv each target would get. Property: no crash, no hang; a parsed
// config has named targets and turns into arguments or an Error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/fleet.h"

namespace app = pgreach::app;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool fleet = app::isFleetConfig(text);
  auto cfg = app::parseFleetConfig(text);
  if (!cfg) return 0;
  if (fleet && cfg->targets.empty()) std::abort();
  (void)app::toArguments(cfg->global);
  for (const auto& t : cfg->targets) {
    if (t.name.empty()) std::abort();
    (void)app::toArguments(t.options);
  }
  return 0;
}
