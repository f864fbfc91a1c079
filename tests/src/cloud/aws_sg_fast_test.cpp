// The fast security-group reader and the streamed loader must read exactly what the
// exact (DOM) reader reads, and leave every malformed file to it, so errors keep naming
// the file and the field.
#include "cloud/aws_sg_fast.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "cloud/aws_model.h"
#include "cloud/export_dir.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace pgreach::cloud;
namespace fs = std::filesystem;

namespace {

const std::string kSrc = PGREACH_SOURCE_DIR;

const char* const kTempPrefix = "pgreach-sgfast-test";

std::string readText(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything the evaluator uses of a group, as text.
std::vector<std::string> describe(const std::vector<SecurityGroup>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) {
    out.push_back(g.id + "|" + g.name + "|" + g.vpcId);
    for (const auto* rules : {&g.ingress, &g.egress}) {
      for (const auto& r : *rules) {
        out.push_back((rules == &g.ingress ? " in #" : " out #") + std::to_string(r.index) + " " +
                      std::to_string(r.protocol) + " " + std::to_string(r.ports.from) + "-" +
                      std::to_string(r.ports.to) + " " + r.describe());
      }
    }
  }
  return out;
}

std::vector<SecurityGroup> exact(const std::string& name, const std::string& text) {
  AwsAccount acc;
  auto doc = parseExport(name, text);
  REQUIRE(doc.ok());
  REQUIRE(mergeAwsExport(acc, name, *doc).ok());
  return acc.securityGroups;
}

std::string exactError(const std::string& name, const std::string& text) {
  AwsAccount acc;
  auto doc = parseExport(name, text);
  if (!doc) return doc.error();
  auto r = mergeAwsExport(acc, name, *doc);
  return r ? "" : r.error();
}

}  // namespace

TEST_CASE("fast security-group reader: same groups and rules as the exact reader", "[unit][cloud]") {
  std::vector<fs::path> files;
  for (const auto& dir : {kSrc + "/tests/lab/cloud/aws", kSrc + "/tests/data/cloud/aws"}) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && readText(e.path()).find("\"SecurityGroups\"") != std::string::npos)
        files.push_back(e.path());
    }
  }
  REQUIRE(files.size() >= 7);
  for (const auto& f : files) {
    INFO(f.string());
    const std::string text = readText(f);
    std::vector<SecurityGroup> fast;
    REQUIRE(parseSecurityGroupsFast(text, fast));
    CHECK(describe(fast) == describe(exact(f.filename().string(), text)));
    CHECK_FALSE(fast.empty());
  }
  // Key order does not change the order of peers: IPv4 ranges first, as the exact reader.
  const std::string swapped =
      R"({"SecurityGroups": [{"Tags": [{"Key": "a", "Value": "b"}], "IpPermissionsEgress": [], "IpPermissions": [
           {"Ipv6Ranges": [{"CidrIpv6": "fd00::/8"}], "UserIdGroupPairs": [{"UserId": "1", "GroupId": "sg-2"}],
            "IpRanges": [{"Description": {"x": [1, 2]}, "CidrIp": "10.0.0.0/8"}], "ToPort": 6432, "FromPort": 5432,
            "IpProtocol": "tcp", "PrefixListIds": [{"PrefixListId": "pl-1"}]},
           {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "IpRanges": null}],
         "GroupId": "sg-1", "VpcId": null, "GroupName": "web"}], "NextToken": null})";
  std::vector<SecurityGroup> fast;
  REQUIRE(parseSecurityGroupsFast(swapped, fast));
  CHECK(describe(fast) == describe(exact("swapped.json", swapped)));
  CHECK(fast.at(0).ingress.at(0).describe() == "tcp 5432-6432 10.0.0.0/8, fd00::/8, pl-1, sg-2");
}

TEST_CASE("fast security-group reader leaves anything unusual to the exact reader, whose error stands",
          "[unit][cloud]") {
  const std::vector<std::string> unusual{
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": "abc", "ToPort": 5432}]}]})",
      R"({"SecurityGroups": [{"GroupName": "no id"}]})",
      R"({"SecurityGroups": [{"GroupId": null}]})",
      R"({"SecurityGroups": [{"GroupId": 12}]})",
      R"({"SecurityGroups": {"GroupId": "sg-1"}})",
      R"({"SecurityGroups": "none"})",
      R"({"SecurityGroups": [1]})",
      R"({"SecurityGroups": [[]]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.300/8"}]}]}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "IpRanges": [{"Description": "x"}]}]}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 6000, "ToPort": 5432}]}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "bogus"}]}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"FromPort": 1}]}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": {"IpProtocol": "tcp"}}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 70000}]}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupId": "sg-2"}]})",  // the exact reader keeps the last
      R"({"SecurityGroups": [], "SecurityGroups": [{"GroupId": "sg-3"}]})",
      R"({"NextToken": "t", "SecurityGroups": [{"GroupId": "sg-4"}]})",
      R"({"SecurityGroups": [{"GroupId": "sg-1"})",
      R"([{"SecurityGroups": []}])",
      "",
  };
  for (const auto& text : unusual) {
    INFO(text);
    std::vector<SecurityGroup> out(1);
    out[0].id = "sg-already";
    CHECK_FALSE(parseSecurityGroupsFast(text, out));
    REQUIRE(out.size() == 1);  // untouched
    CHECK(out[0].id == "sg-already");
    // Through the loader: the exact reader's verdict, error or groups.
    testing::TempDir dir(kTempPrefix);
    dir.write("describe-sgs.json", text);
    auto loaded = loadAwsDir(dir.path.string());
    const std::string want = exactError("describe-sgs.json", text);
    if (want.empty()) {
      REQUIRE(loaded.ok());
      CHECK(describe(loaded->securityGroups) == describe(exact("describe-sgs.json", text)));
    } else {
      REQUIRE_FALSE(loaded.ok());
      CHECK(loaded.error() == want);
    }
  }
}

TEST_CASE("streamed loader: errors name the same element and field as the exact reader", "[unit][cloud]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"acls.json",
       R"({"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": []}, {"NetworkAclId": "acl-2", "Entries": [{"RuleNumber": "x"}]}]})"},
      {"subnets.json", R"({"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.0.0/24"}, 7]})"},
      {"enis.json",
       R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "PrivateIpAddress": "nope"}]})"},
      {"vpcs.json",
       R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}, {"CidrBlock": "10.1.0.0/16"}]})"},
      {"rts.json", R"({"RouteTables": [{"RouteTableId": "rtb-1", "Routes": [{"GatewayId": "local"}]}]})"},
      {"vpce.json", R"({"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "ServiceName": "s"}]})"},
      {"truncated.json", R"({"Subnets": [{"SubnetId": "subnet-1", "CidrBlock": "10.0.0.0/24"}, {"SubnetId")"},
      {"empty.json", "  \n"},
  };
  for (const auto& [name, text] : cases) {
    INFO(name << ": " << text);
    testing::TempDir dir(kTempPrefix);
    dir.write(name, text);
    auto loaded = loadAwsDir(dir.path.string());
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error() == exactError(name, text));
  }
  // A note beside the exports that is not JSON is still skipped; the rest loads.
  testing::TempDir dir(kTempPrefix);
  dir.write("README", "{\"Subnets\": [ not json");
  dir.write("subnets.json",
            R"({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24"}]})");
  auto loaded = loadAwsDir(dir.path.string());
  REQUIRE(loaded.ok());
  CHECK(loaded->subnets.size() == 1);
  CHECK(loaded->has("Subnets"));
  CHECK(loaded->files == std::vector<std::string>{"subnets.json (Subnets)"});
}

TEST_CASE("fast security-group reader on mutated exports: when it answers, the exact reader agrees",
          "[unit][cloud]") {
  const std::string seed = readText(kSrc + "/tests/data/cloud/aws/base/describe-sgs.json");
  REQUIRE_FALSE(seed.empty());
  const std::string alphabet = "{}[]\":,0123456789-./ abcxyzGroupIdIpProtocolFromPorttcpnull";
  std::mt19937 rng(20261122);
  int accepted = 0, refused = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string text = seed;
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
      }
      if (text.empty()) text = "{";
    }
    std::vector<SecurityGroup> fast;
    if (!parseSecurityGroupsFast(text, fast)) {
      ++refused;
      continue;
    }
    ++accepted;
    INFO(text);
    const std::string err = exactError("m.json", text);
    REQUIRE(err.empty());  // the fast reader never accepts what the exact one refuses
    REQUIRE(describe(fast) == describe(exact("m.json", text)));
  }
  CHECK(accepted > 100);  // mutations in descriptions and names keep the file good
  CHECK(refused > 100);
}

TEST_CASE("streamed loader on mutated exports: the exact reader's error or the exact reader's model",
          "[unit][cloud]") {
  const std::string base = kSrc + "/tests/data/cloud/aws/base/";
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]\":,0123456789-./ abcxyzRuleNumberEgressCidrBlocktruefalsenull";
  for (const char* file :
       {"describe-network-acls.json", "describe-enis.json", "subnets.json", "describe-route-tables.json"}) {
    const std::string seed = readText(base + file);
    REQUIRE_FALSE(seed.empty());
    int same = 0;
    for (int n = 0; n < 300; ++n) {
      std::string text = seed;
      for (int k = 1 + static_cast<int>(rng() % 2); k > 0; --k) {
        const size_t at = rng() % text.size();
        if (rng() % 2)
          text.erase(at, 1 + rng() % 6);
        else
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
        if (text.empty()) text = "[";
      }
      testing::TempDir dir(kTempPrefix);
      dir.write(file, text);
      auto loaded = loadAwsDir(dir.path.string());
      AwsAccount acc;
      const std::string want = exactError(file, text);
      INFO(file << ": " << text);
      if (!want.empty()) {
        REQUIRE_FALSE(loaded.ok());
        REQUIRE(loaded.error() == want);
      } else {
        REQUIRE(loaded.ok());
        auto doc = parseExport(file, text);
        REQUIRE(mergeAwsExport(acc, file, *doc).ok());
        REQUIRE(loaded->files == acc.files);
        REQUIRE(loaded->networkAcls.size() == acc.networkAcls.size());
        for (size_t i = 0; i < acc.networkAcls.size(); ++i) {
          REQUIRE(loaded->networkAcls[i].id == acc.networkAcls[i].id);
          REQUIRE(loaded->networkAcls[i].entries.size() == acc.networkAcls[i].entries.size());
          for (size_t j = 0; j < acc.networkAcls[i].entries.size(); ++j)
            REQUIRE(loaded->networkAcls[i].entries[j].describe() == acc.networkAcls[i].entries[j].describe());
        }
        REQUIRE(loaded->interfaces.size() == acc.interfaces.size());
        for (size_t i = 0; i < acc.interfaces.size(); ++i) {
          REQUIRE(loaded->interfaces[i].id == acc.interfaces[i].id);
          REQUIRE(loaded->interfaces[i].addresses == acc.interfaces[i].addresses);
        }
        REQUIRE(loaded->subnets.size() == acc.subnets.size());
        REQUIRE(loaded->routeTables.size() == acc.routeTables.size());
        for (size_t i = 0; i < acc.routeTables.size(); ++i)
          REQUIRE(loaded->routeTables[i].routes.size() == acc.routeTables[i].routes.size());
      }
      ++same;
    }
    CHECK(same == 300);
  }
}
