// A path's three states: reachable only on evidence, blocked when a step denies, not
// verified when no step denies but one is unknown (issue 16: unknown is not reachable).
#include <catch2/catch.hpp>

#include <algorithm>

#include "cloud/aws_eval.h"
#include "cloud/path_verdict.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

PathStep step(const char* component, StepOutcome o) {
  PathStep s;
  s.component = component;
  s.direction = "forward";
  s.outcome = o;
  return s;
}

PathVerdict verdict(std::vector<PathStep> steps) {
  PathVerdict v;
  v.client = "10.40.1.10";
  v.endpoint = "10.40.2.120";
  v.port = 5432;
  v.steps = std::move(steps);
  return v;
}

}  // namespace

namespace {
// The lab's client -> endpoint path on 5432, judged over the constructed exports in
// tests/data/cloud/<folder>.
AwsAccount labExports(const std::string& folder) {
  auto acc = loadAwsDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/" + folder);
  REQUIRE(acc.ok());
  return std::move(*acc);
}

PathVerdict labPathIn(const std::string& folder, int port = 5432) {
  AwsPathQuery q;
  q.client = *net::IpAddress::parse("10.40.1.10");
  q.endpoint = *net::IpAddress::parse("10.40.2.120");
  q.port = port;
  return evaluateAwsPath(labExports(folder), q);
}
}  // namespace

TEST_CASE("path verdict: three states, never collapsed", "[unit][cloud]") {
  auto ok = verdict({step("a", StepOutcome::Allowed), step("b", StepOutcome::NotApplicable)});
  CHECK(ok.state() == PathState::Reachable);
  CHECK(ok.reachable());
  CHECK(ok.summary() == "10.40.1.10 -> 10.40.2.120:5432 reachable");

  auto unknown = verdict({step("client security groups egress", StepOutcome::Unknown),
                          step("route", StepOutcome::Allowed),
                          step("endpoint subnet network ACL ingress", StepOutcome::Unknown)});
  CHECK(unknown.state() == PathState::NotVerified);
  CHECK_FALSE(unknown.reachable());  // was true: "no step denied"
  CHECK_FALSE(unknown.blocked());
  CHECK(unknown.unknownSteps().size() == 2);
  CHECK(unknown.summary() ==
        "10.40.1.10 -> 10.40.2.120:5432 not verified: 2 of 3 steps unknown (client security groups egress, "
        "endpoint subnet network ACL ingress)");

  // A denial decides even when other steps are unknown.
  auto denied = verdict({step("a", StepOutcome::Unknown), step("b", StepOutcome::Denied)});
  CHECK(denied.state() == PathState::Blocked);
  CHECK(denied.blocked());
  CHECK_FALSE(denied.reachable());

  // No step at all is no evidence.
  CHECK(verdict({}).state() == PathState::NotVerified);
}

TEST_CASE("path verdict JSON: reachable only on evidence, with state, verified and settle_with",
          "[unit][cloud]") {
  auto s = step("client subnet network ACL egress", StepOutcome::Unknown);
  s.settleWith = "aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=subnet-1";
  auto j = verdict({s, step("route", StepOutcome::Allowed)}).toJson();
  CHECK(j["reachable"] == false);
  CHECK(j["state"] == "not_verified");
  CHECK(j["verified"] == false);
  CHECK(j["steps"][0]["state"] == "not_verified");
  CHECK(j["steps"][0]["settle_with"] == s.settleWith);
  CHECK_FALSE(j["steps"][1].contains("settle_with"));
  auto ok = verdict({step("route", StepOutcome::Allowed)}).toJson();
  CHECK(ok["reachable"] == true);
  CHECK(ok["state"] == "reachable");
  CHECK(ok["verified"] == true);
}

TEST_CASE("aws: unknown steps name the export that settles them, with this path's ids", "[unit][cloud]") {
  // Route tables, security groups, subnets and the VPC endpoint; no NACLs, no interfaces.
  auto v = labPathIn("aws-partial");
  INFO(v.summary());
  CHECK(v.state() == PathState::NotVerified);
  auto find = [&](const std::string& component) -> const PathStep& {
    for (const auto& s : v.steps) {
      if (s.component == component) return s;
    }
    FAIL("no step " << component);
    throw std::logic_error("unreachable");
  };
  // The client's groups come from its interface, which the export lacks.
  CHECK(find("client security groups egress").outcome == StepOutcome::Unknown);
  CHECK(find("client security groups egress").settleWith ==
        "aws ec2 describe-network-interfaces --filters Name=addresses.private-ip-address,Values=10.40.1.10");
  CHECK(find("client subnet network ACL egress").settleWith ==
        "aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=subnet-0c1e4700000000001");
  CHECK(find("endpoint subnet network ACL ingress").settleWith ==
        "aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=subnet-0e9a0000000000a02");
  // Routes and the endpoint's groups (from describe-vpc-endpoints) are evidence.
  CHECK(find("client subnet route table").outcome == StepOutcome::Allowed);
  const auto& ingress = find("endpoint security groups ingress");
  CHECK(ingress.outcome == StepOutcome::Allowed);
  CHECK(ingress.note.find("groups of vpce-0abc123def4567890 from describe-vpc-endpoints") !=
        std::string::npos);
  // What the path check hands on: every unknown step has a command.
  for (const PathStep* u : v.unknownSteps()) {
    INFO(u->component);
    CHECK_FALSE(u->settleWith.empty());
  }
}

TEST_CASE("aws: the endpoint's own groups deny 5432 although its interfaces are not exported",
          "[unit][cloud]") {
  auto v = labPathIn("aws-no-enis-443");
  REQUIRE(v.blocked());
  CHECK(v.firstBlock()->code == "cloud.sg_ingress_missing");
  CHECK(v.firstBlock()->component == "endpoint security groups ingress");
  CHECK(v.firstBlock()->fix ==
        "aws ec2 authorize-security-group-ingress --group-id sg-0e9d000000000e9d1 --protocol tcp --port 5432 "
        "--cidr 10.40.1.10/32");
  // 443 is what the group allows.
  CHECK_FALSE(labPathIn("aws-no-enis-443", 443).blocked());

  // The endpoint check reports it too when the path check cannot place the endpoint.
  const auto acc = labExports("aws-no-enis-443");
  auto fs = auditEndpointGroups(acc, acc.endpoints.at(0), *net::IpAddress::parse("10.40.1.10"), {5432, 443});
  REQUIRE(fs.size() == 1);  // 5432 only; 443 is allowed
  CHECK(fs[0].code == "cloud.sg_ingress_missing");
  CHECK(fs[0].severity == AuditSeverity::Critical);
  CHECK(fs[0].summary.find("tcp 5432 from 10.40.1.10") != std::string::npos);
  CHECK(fs[0].evidence.back().find("aws ec2 describe-network-interfaces --network-interface-ids "
                                   "eni-0e9a00000000002a0 eni-0e9b00000000003b0") != std::string::npos);
  // With the interfaces exported, the path check decides: nothing here.
  auto healthy = loadAwsDir(std::string(PGREACH_SOURCE_DIR) + "/tests/lab/cloud/aws/healthy");
  REQUIRE(healthy.ok());
  CHECK(auditEndpointGroups(*healthy, healthy->endpoints.at(0), *net::IpAddress::parse("10.40.1.10"),
                            {5432, 443})
            .empty());
}

TEST_CASE("aws: a missing route table export names the VPC's tables; missing groups name the groups",
          "[unit][cloud]") {
  auto acc = loadAwsDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/aws-partial");
  REQUIRE(acc.ok());
  acc->loadedKinds.erase(std::remove(acc->loadedKinds.begin(), acc->loadedKinds.end(), "RouteTables"),
                         acc->loadedKinds.end());
  acc->routeTables.clear();
  AwsPathQuery q;
  q.client = *net::IpAddress::parse("10.40.1.10");
  q.endpoint = *net::IpAddress::parse("10.40.2.120");
  q.port = 5432;
  q.clientGroups = {"sg-0c1e470000000c1e4", "sg-0000000000000dead"};  // from instance metadata
  auto v = evaluateAwsPath(*acc, q);
  bool route = false, groups = false;
  for (const auto& s : v.steps) {
    if (s.component == "client subnet route table") {
      route = true;
      CHECK(s.outcome == StepOutcome::Unknown);
      CHECK(s.settleWith ==
            "aws ec2 describe-route-tables --filters Name=vpc-id,Values=vpc-0a1b2c3d4e5f60718");
    }
    if (s.component == "client security groups egress") {
      groups = true;
      CHECK(s.outcome == StepOutcome::Allowed);  // one group known and it allows: evidence
    }
  }
  CHECK(route);
  CHECK(groups);
  // Only unknown groups: the command names them.
  q.clientGroups = {"sg-0000000000000dead"};
  v = evaluateAwsPath(*acc, q);
  CHECK(v.steps.front().outcome == StepOutcome::Unknown);
  CHECK(v.steps.front().settleWith == "aws ec2 describe-security-groups --group-ids sg-0000000000000dead");
}
