// The provider profile table (src/target/provider_profile.cpp): complete, consistent,
// and every row's playbook is embedded.
#include "target/provider_profile.h"

#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "reports/report/catalog.h"
#include "reports/report/playbook.h"
#include "util/atomic_file.h"

using namespace pgreach;
using target::Provider;

TEST_CASE("every provider has exactly one profile row with a unique name", "[unit][target][provider]") {
  const auto& rows = target::allProfiles();
  std::set<int> ids;
  std::set<std::string> names;
  for (const auto& row : rows) {
    CHECK(ids.insert(static_cast<int>(row.id)).second);
    CHECK(names.insert(std::string(row.name)).second);
    CHECK(target::profileOf(row.id).name == row.name);
    CHECK(target::providerFromString(row.name) == row.id);
  }
  for (Provider p :
       {Provider::Generic, Provider::Neon, Provider::PlanetScale, Provider::Heroku, Provider::Azure}) {
    CHECK(ids.count(static_cast<int>(p)) == 1);
  }
  CHECK(rows.front().id == Provider::Generic);
}

TEST_CASE("every profile row has its playbook and its DNS fix wording", "[unit][target][provider]") {
  for (const auto& row : target::allProfiles()) {
    INFO(std::string(row.name));
    CHECK(reports::playbookFor(row.playbook).has_value());
    CHECK_FALSE(row.dnsFixes.answerPublic.empty());
    CHECK_FALSE(row.dnsFixes.outsideVpc.empty());
    CHECK_FALSE(row.dnsFixes.nxdomain.empty());
    // A provider with a private hostname form says how to use it.
    CHECK(row.privateHost.empty() == row.dnsFixes.publicHostname.empty());
    if (!row.privateZone.zone.empty()) {
      // The DNS check emits these codes, so they must be declared (checks/dns/codes.cpp).
      CHECK(reports::lookupCode(row.privateZone.notInChainCode).has_value());
      CHECK(reports::lookupCode(row.privateZone.nxdomainCode).has_value());
    }
    if (row.sni.required) CHECK_FALSE(row.sni.fix.empty());
    CHECK(row.managed == (row.id != Provider::Generic));
    // The same split checks/cloud/cloud_context.cpp makes: Azure in Azure, the other
    // managed providers in AWS, generic in either.
    CHECK(row.cloud == (row.id == Provider::Azure ? "azure" : row.managed ? "aws" : ""));
  }
}

TEST_CASE("host patterns: every part set must hold", "[unit][target][provider]") {
  const target::HostPattern ec2{".amazonaws.com", "ec2-", ".compute"};
  CHECK(ec2.matches("ec2-3-83-63-168.compute-1.amazonaws.com"));
  CHECK_FALSE(ec2.matches("ec2-3-83-63-168.amazonaws.com"));
  CHECK_FALSE(ec2.matches("x-ec2-1.compute-1.amazonaws.com"));
  CHECK_FALSE(target::HostPattern{}.matches("anything"));
  CHECK(target::HostPattern{"", "", ".vpce."}.matches("ep-x.vpce.us-east-1.aws.neon.tech"));
}

TEST_CASE("the report schema enumerates the profiles' names", "[unit][target][provider]") {
  auto text = util::readFile(std::string(PGREACH_SOURCE_DIR) + "/reports/schema/report.schema.json");
  REQUIRE(text);
  const auto schema = nlohmann::json::parse(*text);
  std::vector<std::string> names;
  for (const auto& row : target::allProfiles()) {
    if (row.id != Provider::Generic) names.push_back(std::string(row.name));
  }
  names.push_back("generic");
  INFO("properties.target.properties.provider.enum in reports/schema/report.schema.json, generic last");
  CHECK(schema["properties"]["target"]["properties"]["provider"]["enum"] == nlohmann::json(names));
  CHECK(target::providerNames("|") == "neon|planetscale|heroku|azure|generic");
}
