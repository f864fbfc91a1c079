#include <catch2/catch.hpp>

#include "checks/dns/dns_stage.h"
#include "engine/cloud_facts.h"

using namespace pgreach;
using namespace pgreach::checks::dns;

namespace {
target::Target parseTarget(const std::string& conninfo) {
  auto t = target::Target::parse(conninfo);
  REQUIRE(t.ok());
  return *t;
}
bool hasCode(const std::vector<engine::Finding>& fs, const std::string& code) {
  for (const auto& f : fs) {
    if (f.code == code) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("gather: system, --resolver and platform resolvers in that order, deduplicated", "[unit]") {
  auto t =
      parseTarget("host=ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech,10.0.0.5 port=5432,5432 user=app");
  engine::RunConfig o;
  o.dns.resolvers = {"10.40.0.3", "10.40.0.2", "bogus"};
  engine::CheckResult cloud;
  engine::CloudContextFacts facts;
  facts.platformResolvers = {"169.254.169.253", "10.40.0.3"};
  facts.vpcCidrs = {"10.40.0.0/16", "nope"};
  cloud.setFacts(std::move(facts));
  std::vector<engine::Finding> setup;
  std::string source;
  auto in = gatherStageInput(t, o, &cloud, {"10.40.0.2"}, setup, source);
  REQUIRE(in.hosts.size() == 1);  // the literal needs no DNS
  REQUIRE(in.servers.size() == 3);
  CHECK(in.servers[0].first.label() == "10.40.0.2#53");
  CHECK(in.servers[0].second == ResolverRole::System);
  CHECK(in.servers[1].first.label() == "10.40.0.3#53");
  CHECK(in.servers[1].second == ResolverRole::Extra);
  CHECK(in.servers[2].first.label() == "169.254.169.253#53");
  CHECK(in.servers[2].second == ResolverRole::Platform);
  CHECK(hasCode(setup, "dns.invalid_resolver"));
  CHECK(hasCode(setup, "dns.invalid_vpc_cidr"));
  REQUIRE(in.vpcCidrs.size() == 1);
  CHECK(source == "cloud.context");
  CHECK(in.provider == target::Provider::Neon);
}

TEST_CASE("gather: --vpc-cidr wins over cloud.context; no context at all is empty", "[unit]") {
  auto t = parseTarget("host=db.example.internal");
  engine::RunConfig o;
  o.dns.vpcCidrs = {"172.31.0.0/16"};
  engine::CheckResult cloud;
  engine::CloudContextFacts facts;
  facts.vpcCidrs = {"10.40.0.0/16"};
  cloud.setFacts(std::move(facts));
  std::vector<engine::Finding> setup;
  std::string source;
  auto in = gatherStageInput(t, o, &cloud, {}, setup, source);
  REQUIRE(in.vpcCidrs.size() == 1);
  CHECK(in.vpcCidrs[0].toString() == "172.31.0.0/16");
  CHECK(source == "flags");

  engine::RunConfig none;
  auto in2 = gatherStageInput(t, none, nullptr, {}, setup, source);
  CHECK(in2.vpcCidrs.empty());
  CHECK(source.empty());
  CHECK(in2.servers.empty());
}

TEST_CASE("gather: hostaddr means no DNS for that host", "[unit]") {
  auto t = parseTarget("host=db.example.internal hostaddr=10.0.0.7");
  std::vector<engine::Finding> setup;
  std::string source;
  auto in = gatherStageInput(t, engine::RunConfig{}, nullptr, {"10.40.0.2"}, setup, source);
  CHECK(in.hosts.empty());
}
