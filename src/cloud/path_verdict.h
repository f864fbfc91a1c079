#pragma once
// The result of evaluating one network path component by component, shared by the AWS
// and Azure evaluators. Each step says what decided it (the exact rule or default) and,
// when it blocks, the smallest fix as a command to paste.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/result_state.h"

namespace pgreach::cloud {

enum class StepOutcome { Allowed, Denied, Unknown, NotApplicable };
std::string_view toString(StepOutcome o);
// The step in the four states every result shares (util/result_state.h): Allowed is
// passed, Denied failed, Unknown not verified, NotApplicable not applicable.
util::ResultState stateOf(StepOutcome o);

struct PathStep {
  std::string component;  // "client security groups egress"
  std::string direction;  // "forward" or "return"
  StepOutcome outcome = StepOutcome::Unknown;
  std::string code;       // stable code when Denied: cloud.sg_ingress_missing...
  std::string resource;   // sg-..., acl-..., rtb-..., NSG name
  std::string decidedBy;  // "acl-1 rule 90 deny tcp 5432 10.40.1.0/24"
  std::string fix;        // CLI command, when Denied
  std::string note;       // anything the reader should know (unknown data, appliance)
  // When Unknown: the export (a read-only CLI command, with this path's ids) that would
  // settle the step, e.g. `aws ec2 describe-network-acls --filters Name=association.subnet-id,...`.
  std::string settleWith;
};

// A path as a whole, in three states that are never collapsed: a path with a step
// nobody could evaluate is neither reachable nor blocked, it is not verified.
enum class PathState { Reachable, Blocked, NotVerified };
// "reachable", "blocked", "not_verified": the JSON's `state`.
std::string_view toString(PathState s);

struct PathVerdict {
  std::string client, endpoint;  // addresses
  int port = 0;
  std::vector<PathStep> steps;
  // Blocked when a step denies (whatever else is unknown), NotVerified when no step
  // denies but one is Unknown, Reachable only when every step was evaluated.
  PathState state() const;
  // Reachable on evidence: every step allowed or not applicable. A path with an unknown
  // step is not reachable (it is not blocked either: see blocked()).
  bool reachable() const { return state() == PathState::Reachable; }
  bool blocked() const { return firstBlock() != nullptr; }
  // The first step that denies, or nullptr.
  const PathStep* firstBlock() const;
  // The steps nobody could evaluate (Unknown), in path order.
  std::vector<const PathStep*> unknownSteps() const;
  // "10.40.1.10 -> 10.40.2.120:6432 blocked at endpoint security groups ingress (...)",
  // "... reachable", or "... not verified: 2 of 8 steps unknown (...)".
  std::string summary() const;
  nlohmann::json toJson() const;
};

}  // namespace pgreach::cloud
