#pragma once
// `pgreach explain CODE`: what a finding code means, why it happens and how to fix it,
// from the catalogue built from the checks' declarations (reports/catalog.h).
#include <ostream>
#include <string>

namespace pgreach::app {

// 0 when the code is known; 3 (with close matches on `err`) when it is not.
int explainCode(const std::string& code, std::ostream& out, std::ostream& err);

}  // namespace pgreach::app
