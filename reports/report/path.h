#pragma once
// The path picture at the top of every report: client → resolver → endpoint addresses →
// ports → TLS → Postgres, each hop marked from the checks' typed facts (DnsResolveFacts,
// TcpConnectFacts, CloudContextFacts' client).
#include <string>
#include <vector>

#include "reports/report/report.h"

namespace pgreach::reports {

struct Hop {
  std::string name;  // "client", "resolver", "addresses", "ports", "TLS", "Postgres"
  engine::Status status = engine::Status::Skip;
  std::vector<std::string> details;  // one short line each: "10.40.2.120:5432 open (2 ms)"
  // passed, failed, not_verified (a check behind it could not decide), not_applicable:
  // set by buildPath from the hop's status and its stage's checks.
  util::ResultState state = util::ResultState::NotApplicable;
  // Why a not_applicable hop had nothing to do ("given as an address" for a target that
  // names its addresses, "nothing to resolve" for its resolver); empty otherwise.
  std::string reason;
};

std::vector<Hop> buildPath(const Report& report);

// "ok", "WARN", "FAIL", "ERROR", "skip": the mark of a hop or a check.
std::string statusMark(engine::Status s);
// What a hop, a section or a check shows in every format: statusMark, except "not verified"
// for one that was asked for and could not be decided (never "ok" or "skip" without
// evidence). A failure or our own error keeps its mark.
bool shownNotVerified(engine::Status s, util::ResultState state);
std::string markOf(engine::Status s, util::ResultState state);
// What a hop shows in every format: "n/a" for a hop with a reason (the reason is in its
// details and the JSON's `reason`), else markOf.
std::string hopMark(const Hop& h);
// The status whose colour or icon the mark takes: Warn for "not verified".
engine::Status colourOf(engine::Status s, util::ResultState state);

}  // namespace pgreach::reports
