#include "cloud/path_verdict.h"

namespace pgreach::cloud {

std::string_view toString(StepOutcome o) {
  switch (o) {
    case StepOutcome::Allowed:
      return "allowed";
    case StepOutcome::Denied:
      return "denied";
    case StepOutcome::Unknown:
      return "unknown";
    case StepOutcome::NotApplicable:
      return "not_applicable";
  }
  return "unknown";
}

bool PathVerdict::reachable() const { return firstBlock() == nullptr; }

const PathStep* PathVerdict::firstBlock() const {
  for (const auto& s : steps) {
    if (s.outcome == StepOutcome::Denied) return &s;
  }
  return nullptr;
}

std::string PathVerdict::summary() const {
  std::string s = client + " -> " + endpoint + ":" + std::to_string(port);
  if (const PathStep* b = firstBlock()) return s + " blocked at " + b->component + " (" + b->decidedBy + ")";
  return s + " reachable";
}

util::ResultState stateOf(StepOutcome o) {
  switch (o) {
    case StepOutcome::Allowed:
      return util::ResultState::Passed;
    case StepOutcome::Denied:
      return util::ResultState::Failed;
    case StepOutcome::Unknown:
      return util::ResultState::NotVerified;
    case StepOutcome::NotApplicable:
      return util::ResultState::NotApplicable;
  }
  return util::ResultState::NotVerified;
}

nlohmann::json PathVerdict::toJson() const {
  nlohmann::json steps_ = nlohmann::json::array();
  for (const auto& s : steps) {
    nlohmann::json j{{"component", s.component},       {"direction", s.direction},
                     {"outcome", toString(s.outcome)}, {"state", util::toString(stateOf(s.outcome))},
                     {"resource", s.resource},         {"decided_by", s.decidedBy}};
    if (!s.code.empty()) j["code"] = s.code;
    if (!s.fix.empty()) j["fix"] = s.fix;
    if (!s.note.empty()) j["note"] = s.note;
    steps_.push_back(std::move(j));
  }
  return {{"client", client},
          {"endpoint", endpoint},
          {"port", port},
          {"reachable", reachable()},
          {"steps", steps_}};
}

}  // namespace pgreach::cloud
