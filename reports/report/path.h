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
};

std::vector<Hop> buildPath(const Report& report);

// "ok", "WARN", "FAIL", "ERROR", "skip": the mark of a hop or a check.
std::string statusMark(engine::Status s);

}  // namespace pgreach::reports
