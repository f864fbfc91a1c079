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

std::string_view toString(PathState s) {
  switch (s) {
    case PathState::Reachable:
      return "reachable";
    case PathState::Blocked:
      return "blocked";
    case PathState::NotVerified:
      return "not_verified";
  }
  return "not_verified";
}

PathState PathVerdict::state() const {
  if (blocked()) return PathState::Blocked;
  // No step at all is no evidence either.
  if (steps.empty() || !unknownSteps().empty()) return PathState::NotVerified;
  return PathState::Reachable;
}

std::vector<const PathStep*> PathVerdict::unknownSteps() const {
  std::vector<const PathStep*> out;
  for (const auto& s : steps) {
    if (s.outcome == StepOutcome::Unknown) out.push_back(&s);
  }
  return out;
}

const PathStep* PathVerdict::firstBlock() const {
  for (const auto& s : steps) {
    if (s.outcome == StepOutcome::Denied) return &s;
  }
  return nullptr;
}

std::string PathVerdict::summary() const {
  std::string s = client + " -> " + endpoint + ":" + std::to_string(port);
  if (const PathStep* b = firstBlock()) return s + " blocked at " + b->component + " (" + b->decidedBy + ")";
  if (state() == PathState::Reachable) return s + " reachable";
  const auto unknown = unknownSteps();
  std::string which;
  for (const PathStep* u : unknown) which += (which.empty() ? "" : ", ") + u->component;
  return s + " not verified: " + std::to_string(unknown.size()) + " of " + std::to_string(steps.size()) +
         " steps unknown (" + which + ")";
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
    if (!s.settleWith.empty()) j["settle_with"] = s.settleWith;
    steps_.push_back(std::move(j));
  }
  return {{"client", client},
          {"endpoint", endpoint},
          {"port", port},
          // `reachable` is true only on evidence (every step evaluated); `state` tells a
          // blocked path from one that could not be verified.
          {"reachable", reachable()},
          {"state", toString(state())},
          {"verified", state() != PathState::NotVerified},
          {"steps", steps_}};
}

}  // namespace pgreach::cloud
