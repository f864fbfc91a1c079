#pragma once
// The finding codes of the cloud checks (cloud.context, the AWS and Azure endpoint and path
// checks, cloud.correlate), declared once: severity, title, meaning, why and fix. Most come
// from the evaluators in src/cloud, which the checks call.
// Each check names the ones it can emit in its CheckInfo::codes (engine/codes.h); `pgreach
// explain`, the reports, reports/findings.json and the JSON Schema all come from them.
#include <vector>

#include "engine/codes.h"

namespace pgreach::checks::cloud {

const std::vector<engine::CodeDecl>& cloudCodes();

}  // namespace pgreach::checks::cloud
