#pragma once
// Options → the engine's run configuration: the one place that knows both.
#include "cli/options.h"
#include "engine/run_config.h"

namespace pgreach::cli {

engine::RunConfig runConfig(const Options& options);

}  // namespace pgreach::cli
