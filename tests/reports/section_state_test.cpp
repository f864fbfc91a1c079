// Sections and path hops in four states: a section with a check that could not decide is
// "not verified", never ok, whatever its codes filter says (issue 16).
#include <catch2/catch.hpp>

#include "reports/report/path.h"
#include "reports/report/playbook.h"
#include "reports/report/report.h"

using namespace pgreach;
using engine::Status;
using util::ResultState;

namespace {

engine::CheckResult check(const std::string& id, engine::Stage stage, Status status,
                          std::optional<ResultState> state = std::nullopt) {
  engine::CheckResult c;
  c.id = id;
  c.stage = stage;
  c.status = status;
  c.summary = id + " summary";
  c.stateOverride = state;
  return c;
}

const reports::Section& section(const std::vector<reports::Section>& all, const std::string& title) {
  for (const auto& s : all) {
    if (s.title == title) return s;
  }
  FAIL("no section " << title);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("sections: passed, failed, not verified, not applicable", "[unit][report]") {
  auto playbook = reports::playbookFor("planetscale");
  REQUIRE(playbook);
  // The path check could not decide (unknown steps): Warn with a finding outside the
  // section's codes filter, which used to read as ok for "Check security groups".
  auto path = check("cloud.aws.path", engine::Stage::Cloud, Status::Warn, ResultState::NotVerified);
  path.findings.push_back({"cloud.path_not_verified",
                           engine::Severity::Warning,
                           "2 of 2 paths not verified",
                           {"export: aws ec2 describe-network-acls ..."},
                           "aws ec2 describe-network-acls ..."});
  std::vector<engine::CheckResult> checks{check("cloud.aws.endpoint", engine::Stage::Cloud, Status::Pass),
                                          path};
  auto sections = reports::applyPlaybook(*playbook, checks);
  const auto& sg = section(sections, "Check security groups");
  CHECK(sg.state == ResultState::NotVerified);
  CHECK(reports::markOf(sg.status, sg.state) == "not verified");
  bool evidence = false;
  for (const auto& e : sg.evidence) evidence = evidence || e.find("cloud.path_not_verified") == 0;
  CHECK(evidence);  // the reader sees why
  for (const auto& e : sg.evidence) CHECK(e.find("which is not what this step checks") == std::string::npos);
  // Passed on evidence.
  CHECK(section(sections, "Verify endpoint status").state == ResultState::Passed);
  CHECK(reports::markOf(Status::Pass, ResultState::Passed) == "ok");
  // Nothing ran: not applicable, shown as skip with what to check by hand.
  const auto& test = section(sections, "Test your new connection");
  CHECK(test.state == ResultState::NotApplicable);
  CHECK_FALSE(test.manual.empty());

  // A skipped check that was asked for and could not run leaves its section not verified.
  auto skipped = check("cloud.aws.path", engine::Stage::Cloud, Status::Skip, ResultState::NotVerified);
  sections = reports::applyPlaybook(*playbook, {checks[0], skipped});
  CHECK(section(sections, "Check NACLs").state == ResultState::NotVerified);

  // A denial fails the section.
  auto blocked = check("cloud.aws.path", engine::Stage::Cloud, Status::Fail);
  blocked.findings.push_back({"cloud.nacl_return_denied", engine::Severity::Critical, "blocked", {}, "fix"});
  sections = reports::applyPlaybook(*playbook, {checks[0], blocked});
  CHECK(section(sections, "Check NACLs").state == ResultState::Failed);
  CHECK(reports::markOf(Status::Fail, ResultState::Failed) == "FAIL");
}

TEST_CASE("generic sections and path hops take the worst state of their checks", "[unit][report]") {
  std::vector<engine::CheckResult> checks{
      check("tls.handshake", engine::Stage::Tls, Status::Pass),
      check("tls.direct", engine::Stage::Tls, Status::Skip, ResultState::NotVerified),
  };
  auto sections = reports::genericSections(checks);
  REQUIRE(sections.size() == 1);
  CHECK(sections[0].state == ResultState::NotVerified);
  CHECK(reports::stageState(checks, engine::Stage::Tls) == ResultState::NotVerified);
  CHECK(reports::worseState(ResultState::Failed, ResultState::NotVerified) == ResultState::Failed);
  CHECK(reports::worseState(ResultState::Passed, ResultState::NotApplicable) == ResultState::Passed);

  auto report = reports::assembleReport({}, checks, "2026-01-01T00:00:00.000Z", 1);
  for (const auto& hop : reports::buildPath(report)) {
    if (hop.name != "TLS") continue;
    CHECK(hop.state == ResultState::NotVerified);
    CHECK(reports::markOf(hop.status, hop.state) == "not verified");  // its status alone says ok
  }
}
