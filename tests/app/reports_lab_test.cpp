// Reports over real lab runs: the root cause and the provider's playbook step that
// covers it, for one scenario per stage and provider. Needs the lab up (scripts/test.sh)
// and PGREACH_LAB_PREFIX exported. The expected root causes are the lab's own table's
// (tests/support/lab_scenarios.h).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/lab.h"
#include "support/lab_scenarios.h"

using namespace pgreach;

namespace {

nlohmann::json labReport(const std::string& scenario, const std::string& hostKey,
                         const std::vector<std::string>& extra = {}) {
  testing::labScenario(scenario);
  const std::string conninfo = "host=" + testing::labEnv(hostKey) +
                               " user=app password=" + testing::labEnv("LAB_PASSWORD") +
                               " dbname=appdb sslmode=verify-full sslrootcert=" + testing::labEnv("LAB_CA");
  std::vector<std::string> args{"diagnose",  conninfo, "--vpc-cidr", "10.40.0.0/16",
                                "--timeout", "2s",     "--format",   "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = testing::pgreachInClient(args);
  INFO(r.err);
  REQUIRE(r.out.find(testing::labEnv("LAB_PASSWORD")) == std::string::npos);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  // Every code a check emitted is one it declares: the scheduler marks any other with
  // engine.undeclared_code (engine/codes.h).
  for (const auto& c : j["checks"]) {
    for (const auto& f : c["findings"]) CHECK(f["code"] != "engine.undeclared_code");
  }
  return j;
}

bool hasSection(const nlohmann::json& j, const std::string& title) {
  for (const auto& s : j["root_cause"]["sections"]) {
    if (s == title) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("lab: each root cause lands in the provider's playbook step", "[lab]") {
  auto healthy = labReport("healthy", "LAB_HOST_NEON");
  REQUIRE(testing::expectedCode("healthy") == testing::kVerdictOk);
  CHECK(healthy["verdict"] == "ok");
  CHECK(healthy["playbook"]["provider"] == "neon");

  auto ps = labReport("sg-missing-6432", "LAB_HOST_PLANETSCALE");
  CHECK(ps["root_cause"]["code"] == testing::expectedCode("sg-missing-6432"));
  CHECK(hasSection(ps, "Check security groups"));
  CHECK(hasSection(ps, "Check NACLs"));

  auto neon = labReport("dns-public", "LAB_HOST_NEON");
  CHECK(neon["root_cause"]["code"] == testing::expectedCode("dns-public"));
  CHECK(hasSection(neon, "Enable Private DNS"));

  auto az = labReport("azure-chain-broken", "LAB_HOST_AZURE");
  CHECK(az["root_cause"]["code"] == testing::expectedCode("azure-chain-broken"));
  CHECK(hasSection(az, "Validate DNS resolution"));

  auto heroku = labReport("refused-5433", "LAB_HOST_HEROKU", {"--ports", "5432,5433"});
  CHECK(heroku["root_cause"]["code"] == testing::expectedCode("refused-5433"));
  CHECK(hasSection(heroku, "Database and PgBouncer"));
  CHECK_FALSE(hasSection(heroku, "Security group allows 5432-5433"));  // a refusal is not a security group
}
