// Compiled only by the ctest of the same name, which passes when this file FAILS to
// build: a check area may use checks/common, never another area (docs/ARCHITECTURE.md).
#include "checks/common/probe_targets.h"  // allowed: must be found
#include "checks/postgres/classify.h"     // another area: not on the include path
