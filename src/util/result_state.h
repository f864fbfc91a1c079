#pragma once
// The four states a check result or a path step is in. Here, in util, so the engine's
// CheckResult and the cloud layer's path steps (src/cloud/path_verdict.h) can share one
// type: neither may include the other.
//   Passed         the step was looked at and the evidence says it works
//   Failed         the step was looked at and it is broken
//   NotVerified    the step was asked for but could not be decided (blocked, timed out,
//                  an error inside pgreach, no permission to look)
//   NotApplicable  the step was not asked for, or there was nothing to check
#include <optional>
#include <string_view>

namespace pgreach::util {

enum class ResultState { Passed, Failed, NotVerified, NotApplicable };

// "passed", "failed", "not_verified", "not_applicable": the JSON report's `state`.
constexpr std::string_view toString(ResultState s) {
  switch (s) {
    case ResultState::Passed:
      return "passed";
    case ResultState::Failed:
      return "failed";
    case ResultState::NotVerified:
      return "not_verified";
    case ResultState::NotApplicable:
      return "not_applicable";
  }
  return "not_verified";
}

inline std::optional<ResultState> resultStateFromString(std::string_view s) {
  for (auto st :
       {ResultState::Passed, ResultState::Failed, ResultState::NotVerified, ResultState::NotApplicable}) {
    if (toString(st) == s) return st;
  }
  return std::nullopt;
}

}  // namespace pgreach::util
