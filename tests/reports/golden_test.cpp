// Golden files: every format over the synthetic scenarios, byte for byte.
// UPDATE_GOLDEN=1 ./build/pgreach_tests "[golden]" rewrites tests/golden/.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "reports/render/render.h"
#include "reports/synthetic.h"
#include "util/atomic_file.h"

using namespace pgreach;

namespace {

const char* kFormats[] = {"text", "markdown", "html", "json", "junit", "nagios", "prometheus"};

std::string goldenPath(const std::string& scenario, const std::string& format) {
  return std::string(PGREACH_SOURCE_DIR) + "/tests/golden/" + scenario + "." +
         reports::formatExtension(format);
}

}  // namespace

TEST_CASE("every format matches its golden file", "[unit][golden]") {
  const bool update = std::getenv("UPDATE_GOLDEN") && std::string(std::getenv("UPDATE_GOLDEN")) == "1";
  for (const auto& s : testing::scenarios()) {
    const auto report = s.make();
    for (const char* format : kFormats) {
      INFO("scenario " << s.name << ", format " << format);
      auto text = reports::render(report, format, {});
      REQUIRE(text.has_value());
      const auto path = goldenPath(s.name, format);
      if (update) {
        REQUIRE(util::writeFileAtomically(path, *text));
        continue;
      }
      auto golden = util::readFile(path);
      REQUIRE(golden);  // missing: run with UPDATE_GOLDEN=1 and review the diff
      if (*text != *golden) {
        // Name the first differing line rather than dumping two whole reports.
        std::istringstream a(*text), b(*golden);
        std::string la, lb;
        int line = 0;
        while (true) {
          ++line;
          const bool ma = static_cast<bool>(std::getline(a, la)), mb = static_cast<bool>(std::getline(b, lb));
          if (!ma || !mb || la != lb) break;
        }
        FAIL_CHECK(path << ": line " << line << " differs\n  got:      " << la << "\n  expected: " << lb
                        << "\n(UPDATE_GOLDEN=1 regenerates; review the diff)");
      }
    }
  }
}

TEST_CASE("the root cause and playbook follow the scenario", "[unit]") {
  auto healthy = testing::healthyReport();
  CHECK(healthy.verdict == reports::Verdict::Ok);
  CHECK_FALSE(healthy.rootCause);
  CHECK(healthy.playbook.provider == "neon");

  auto ps = testing::planetscaleDroppedReport();
  REQUIRE(ps.rootCause);
  CHECK(ps.rootCause->code == "tcp.silently_dropped");
  CHECK(ps.rootCause->stage == engine::Stage::Tcp);
  CHECK(ps.playbook.provider == "planetscale");
  std::vector<std::string> titles;
  for (const auto& sec : ps.sections) titles.push_back(sec.title);
  CHECK(titles[0] == "Verify endpoint status");
  CHECK(titles[1] == "Check security groups");
  CHECK(titles[2] == "Check NACLs");
  CHECK(titles[3] == "Test DNS resolution");
  CHECK(ps.sections[1].status == engine::Status::Fail);
  CHECK_FALSE(ps.sections[1].fix.empty());
  // No cloud.aws.endpoint ran: the section says what to check by hand, with the AWS command.
  CHECK(ps.sections[0].status == engine::Status::Skip);
  CHECK(ps.sections[0].manual.find("aws ec2 describe-vpc-endpoints") != std::string::npos);

  auto neon = testing::neonPublicReport();
  REQUIRE(neon.rootCause);
  CHECK(neon.rootCause->code == "dns.answer_public");
  bool privateDns = false;
  for (const auto& sec : neon.sections) {
    if (sec.title == "Enable Private DNS") {
      privateDns = true;
      CHECK(sec.status == engine::Status::Fail);
      CHECK(sec.fix.find("Modify private DNS name") != std::string::npos);
    }
  }
  CHECK(privateDns);

  auto az = testing::azureNxdomainReport();
  REQUIRE(az.rootCause);
  CHECK(az.rootCause->code == "dns.azure_privatelink_nxdomain");
  // The finding had no fix: the catalogue supplies it.
  CHECK(az.rootCause->fix.find("168.63.129.16") != std::string::npos);
  CHECK(az.sections[0].title == "Validate DNS resolution");
  CHECK(az.sections[0].status == engine::Status::Fail);
}

TEST_CASE("a refused port does not blame security groups", "[unit]") {
  auto r = testing::planetscaleDroppedReport();
  auto& tcp = r.checks[1];
  tcp.findings[0].code = "tcp.refused";
  auto rebuilt = reports::assembleReport(r.target, r.checks, r.startedAt, r.durationMs);
  for (const auto& sec : rebuilt.sections) {
    if (sec.title == "Check security groups" || sec.title == "Check NACLs")
      CHECK(sec.status == engine::Status::Pass);
    if (sec.title == "Test your new connection") CHECK(sec.status == engine::Status::Fail);
  }
}
