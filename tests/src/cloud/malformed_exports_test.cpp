// Malformed exports: wrong types, missing fields, truncated files. The error names the
// file and the field; nothing crashes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "cloud/aws_model.h"
#include "cloud/azure_model.h"
#include "cloud/export_dir.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace pgreach::cloud;
namespace fs = std::filesystem;

namespace {

const char* const kTempPrefix = "pgreach-cloud-test";

std::string awsError(const std::string& name, const std::string& text) {
  AwsAccount acc;
  auto doc = parseExport(name, text);
  if (!doc) return doc.error();
  auto r = mergeAwsExport(acc, name, *doc);
  return r ? "" : r.error();
}

std::string azureError(const std::string& name, const std::string& text) {
  AzureNetwork net;
  auto doc = parseExport(name, text);
  if (!doc) return doc.error();
  auto r = mergeAzureExport(net, name, *doc);
  return r ? "" : r.error();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a wrong type names the file and the exact field", "[unit][cloud]") {
  auto r = loadAwsDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/malformed");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error() ==
        "describe-sgs.json: SecurityGroups[3].IpPermissions[0].FromPort: expected a number, got \"abc\"");
}

TEST_CASE("missing fields and wrong shapes are named", "[unit][cloud]") {
  CHECK(
      awsError(
          "acls.json",
          R"({"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"Protocol":"6","Egress":true,"CidrBlock":"10.0.0.0/8","RuleAction":"allow"}]}]})") ==
      "acls.json: NetworkAcls[0].Entries[0].RuleNumber: missing");
  CHECK(awsError("sgs.json", R"({"SecurityGroups":{}})") ==
        "sgs.json: SecurityGroups: expected an array, got an object");
  CHECK(awsError("sgs.json", R"({"SecurityGroups":[5]})") ==
        "sgs.json: SecurityGroups[0]: expected an object, got 5");
  CHECK(
      awsError(
          "acls.json",
          R"({"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"RuleNumber":1,"Protocol":"6","Egress":"yes","CidrBlock":"10.0.0.0/8","RuleAction":"allow"}]}]})") ==
      "acls.json: NetworkAcls[0].Entries[0].Egress: expected true or false, got \"yes\"");
  CHECK(
      awsError(
          "acls.json",
          R"({"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"RuleNumber":1,"Protocol":"6","Egress":true,"CidrBlock":"10.0.0.300/8","RuleAction":"allow"}]}]})") ==
      "acls.json: NetworkAcls[0].Entries[0].CidrBlock: expected a CIDR block, got \"10.0.0.300/8\"");
  CHECK(awsError("sgs.json",
                 R"({"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcpx"}]}]})") ==
        "sgs.json: SecurityGroups[0].IpPermissions[0].IpProtocol: expected a protocol (tcp, udp, icmp, -1 or "
        "a number), got \"tcpx\"");
  CHECK(
      awsError(
          "sgs.json",
          R"({"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":70000,"ToPort":70000}]}]})") ==
      "sgs.json: SecurityGroups[0].IpPermissions[0].FromPort: expected a port (0-65535), got 70000");
  CHECK(awsError("vpce.json", R"({"VpcEndpoints":[{"VpcEndpointId":"vpce-1","ServiceName":"x"}]})") ==
        "vpce.json: VpcEndpoints[0].State: missing");
  CHECK(awsError("attr.json", R"({"VpcId":"vpc-1","EnableDnsSupport":{"Value":"yes"}})") ==
        "attr.json: EnableDnsSupport.Value: expected true or false, got \"yes\"");
  CHECK(awsError("list.json", R"({"Entries":[{"Cidr":"10.0.0.0/8"}]})")
            .find("list.json: Entries: a prefix-list export needs") == 0);
  CHECK(
      azureError(
          "nsg.json",
          R"({"name":"n","securityRules":[{"name":"r","priority":"abc","direction":"Inbound","access":"Allow","protocol":"Tcp"}]})") ==
      "nsg.json: securityRules[0].priority: expected a number, got \"abc\"");
  CHECK(
      azureError(
          "nsg.json",
          R"({"name":"n","securityRules":[{"name":"r","priority":200,"direction":"Inbound","access":"Allow","protocol":"Tcp","destinationPortRange":"54x"}]})") ==
      "nsg.json: securityRules[0].destinationPortRange: expected a port or range (5432, 1024-65535, *), got "
      "\"54x\"");
  CHECK(azureError("links.json", R"([{"name":"l","virtualNetwork":{}}])") ==
        "links.json: [0].virtualNetwork.id: missing");
  CHECK(azureError("pe.json", R"({"privateLinkServiceConnections":[{"name":"c"}]})") ==
        "pe.json: privateLinkServiceConnections[0].privateLinkServiceConnectionState: missing");
}

TEST_CASE("a truncated or empty file names the file", "[unit][cloud]") {
  testing::TempDir d(kTempPrefix);
  d.write("describe-sgs.json", R"({"SecurityGroups":[{"GroupId":"sg-1","IpPerm)");
  auto r = loadAwsDir(d.path.string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().rfind("describe-sgs.json: not valid JSON (", 0) == 0);
  testing::TempDir e(kTempPrefix);
  e.write("empty.json", "");
  auto r2 = loadAzureDir(e.path.string());
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error() == "empty.json: not valid JSON (the file is empty)");
  CHECK_FALSE(loadAwsDir((d.path / "nope").string()).ok());
}

TEST_CASE("a number too large for a double names the file instead of ending the process", "[unit][cloud]") {
  // Regression seed from tests/fuzz/cloud_export_fuzz: nlohmann reports 1e999 as
  // out_of_range, not parse_error, and the DOM reader let it escape (std::terminate).
  testing::TempDir d(kTempPrefix);
  d.write("describe-sgs.json",
          R"({"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"FromPort":1e999}]}]})");
  auto r = loadAwsDir(d.path.string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().find("describe-sgs.json") != std::string::npos);
  testing::TempDir e(kTempPrefix);
  e.write("nsg.json", R"({"name":"n","securityRules":[{"name":"r","priority":1e999}]})");
  auto r2 = loadAzureDir(e.path.string());
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().rfind("nsg.json: not valid JSON (number overflow", 0) == 0);
  auto r3 = pgreach::cloud::parseExport("x.json", "[1e999]");
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.error().rfind("x.json: not valid JSON (number overflow", 0) == 0);
}

TEST_CASE("a number outside the integer range is an error naming the field, not a wrapped value",
          "[unit][cloud]") {
  // Regression seed from tests/fuzz/cloud_export_fuzz: a FromPort of 6.88889e+90 was cast
  // to long long (undefined behaviour); 2^64-1 used to wrap to -1.
  const std::pair<const char*, const char*> cases[] = {{"6.88889e+90", "6.88889e+90"},
                                                       {"-1e19", "-1e+19"},
                                                       {"18446744073709551615", "18446744073709551615"},
                                                       {"9223372036854775808", "9223372036854775808"},
                                                       {"80.5", "80.5"}};
  for (const auto& [text, shown] : cases) {
    testing::TempDir d(kTempPrefix);
    d.write("describe-sgs.json",
            std::string(
                R"({"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":)") +
                text + R"(,"ToPort":80}]}]})");
    auto r = loadAwsDir(d.path.string());
    INFO(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == std::string("describe-sgs.json: SecurityGroups[0].IpPermissions[0].FromPort: expected "
                                   "a whole number in range, got ") +
                           shown);
  }
  // Whole numbers, also written as floats, still load.
  for (const char* ok : {"80", "80.0", "8e1"}) {
    testing::TempDir d(kTempPrefix);
    d.write("describe-sgs.json",
            std::string(
                R"({"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":)") +
                ok + R"(,"ToPort":80}]}]})");
    INFO(ok);
    CHECK(loadAwsDir(d.path.string()).ok());
  }
}

// A note beside the exports used to be skipped without a word; every file is now
// accounted for (issue 16), so it is listed as ignored too, with why.
TEST_CASE("unknown JSON and notes beside the exports are listed as ignored, with why", "[unit][cloud]") {
  testing::TempDir d(kTempPrefix);
  d.write("other.json", R"({"Reservations":[]})");
  d.write("notes.txt", "hello");
  auto r = loadAwsDir(d.path.string());
  REQUIRE(r.ok());
  CHECK(r->ignoredFiles == std::vector<std::string>{"notes.txt", "other.json"});
  CHECK(r->loadedKinds.empty());
  REQUIRE(r->outcomes.size() == 2);
  CHECK(r->outcomes[0].reason.rfind("not valid JSON (parse error at line 1", 0) == 0);
  CHECK(r->outcomes[1].reason == "a JSON object of no known export shape (keys: Reservations)");
}

TEST_CASE("every truncation and byte flip of the fixtures loads or fails cleanly", "[unit][cloud]") {
  std::mt19937 rng(42);
  for (const char* area : {"aws", "azure"}) {
    for (const auto& f :
         fs::directory_iterator(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/" + area + "/base")) {
      const std::string text = slurp(f.path());
      const std::string name = f.path().filename().string();
      for (int i = 0; i < 40; ++i) {
        std::string t = text;
        if (i % 2 == 0)
          t.resize(rng() % (t.size() + 1));
        else if (!t.empty())
          t[rng() % t.size()] = static_cast<char>("\"{}[],:0a-"[rng() % 10]);
        const std::string err = std::string(area) == "aws" ? awsError(name, t) : azureError(name, t);
        if (!err.empty()) CHECK(err.rfind(name + ": ", 0) == 0);
      }
    }
  }
}
