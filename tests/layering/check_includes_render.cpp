// Compiled only by the ctest of the same name, which passes when this file FAILS to
// build: a check may not include a renderer (docs/ARCHITECTURE.md). It is compiled with
// the include path every checks/<area> gets.
#include "engine/check.h"           // allowed: must be found
#include "reports/render/render.h"  // above the checks: not on their include path
