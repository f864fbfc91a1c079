// Compiled only by the ctest of the same name, which passes when this file FAILS to
// build: the engine may not include the CLI (docs/ARCHITECTURE.md). It is compiled with
// the include path the engine gets.
#include "cli/options.h"        // above the engine: not on its include path
#include "engine/run_config.h"  // allowed: must be found
