// The provider profile table (src/target/provider_profile.cpp): complete, consistent,
// and every row's playbook is embedded.
#include "target/provider_profile.h"

#include <regex>
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
  std::set<std::size_t> ids;
  std::set<std::string> names;
  for (const auto& row : rows) {
    CHECK(ids.insert(row.id.row()).second);
    CHECK(names.insert(std::string(row.name)).second);
    CHECK(target::profileOf(row.id).name == row.name);
    CHECK(target::providerFromString(row.name) == row.id);
  }
  // A row's Provider is its position; each named constant must name its row.
  const std::pair<Provider, std::string_view> named[] = {{Provider::Generic, "generic"},
                                                         {Provider::Neon, "neon"},
                                                         {Provider::PlanetScale, "planetscale"},
                                                         {Provider::Heroku, "heroku"},
                                                         {Provider::Azure, "azure"}};
  for (const auto& [p, name] : named) CHECK(target::toString(p) == name);
  CHECK(rows.front().id == Provider::Generic);
}

TEST_CASE("every profile row has its playbook and its DNS fix wording", "[unit][target][provider]") {
  for (const auto& row : target::allProfiles()) {
    INFO(std::string(row.name));
    // The playbook is optional (the generic sections serve without one); a named one exists.
    if (!row.playbook.empty()) CHECK(reports::playbookFor(row.playbook).has_value());
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

TEST_CASE("the report schema accepts every profile's name", "[unit][target][provider]") {
  auto text = util::readFile(std::string(PGREACH_SOURCE_DIR) + "/reports/schema/report.schema.json");
  REQUIRE(text);
  const auto schema = nlohmann::json::parse(*text);
  // The schema does not list the providers (a new one is a table row and nothing else):
  // it gives the shape of a name, which every row's name must have.
  const auto& provider = schema["properties"]["target"]["properties"]["provider"];
  REQUIRE(provider["pattern"] == "^[a-z][a-z0-9-]*$");
  const std::regex shape(provider["pattern"].get<std::string>());
  for (const auto& row : target::allProfiles()) CHECK(std::regex_search(std::string(row.name), shape));
  CHECK(target::providerNames("|") == "neon|planetscale|heroku|azure|generic");
}
