// The export shapes users paste, brought to one model at load time, and every file of a
// folder accounted for: read with what it held, or ignored with why (export_shapes.h).
// The documents here are minimal shapes written for the test; the real ones are judged
// in real_exports_table_test.cpp.
#include <catch2/catch.hpp>

#include "cloud/aws_eval.h"
#include "cloud/aws_model.h"
#include "cloud/azure_eval.h"
#include "cloud/azure_model.h"
#include "cloud/export_shapes.h"
#include "engine/cloud_facts.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

const ExportOutcome* outcome(const std::vector<ExportOutcome>& all, const std::string& file) {
  for (const auto& o : all) {
    if (o.file == file) return &o;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("flattenArmProperties lifts properties at every depth, keeping the outer keys", "[unit][cloud]") {
  const Json arm = Json::parse(R"({"id": "x", "name": "n", "properties": {"name": "inner", "subnets": [
      {"name": "s", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})");
  const Json flat = flattenArmProperties(arm);
  CHECK(flat["name"] == "n");
  CHECK_FALSE(flat.contains("properties"));
  CHECK(flat["subnets"][0]["addressPrefix"] == "10.0.0.0/24");
}

TEST_CASE("AWS: create outputs, bare objects and bare arrays are read as the CLI's lists", "[unit][cloud]") {
  testing::TempDir dir("pgreach-shapes");
  dir.write("acl.json", R"({"NetworkAcl": {"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": []}})");
  dir.write("sg-one.json", R"({"GroupId": "sg-1", "IpPermissions": [], "IpPermissionsEgress": []})");
  dir.write("sg-query.json",
            R"([{"GroupId": "sg-2", "IpPermissions": []}, {"GroupId": "sg-3", "IpPermissions": []}])");
  dir.write("subnets.json",
            R"({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24"}]})");
  dir.write("rules.json", R"({"SecurityGroupRules": []})");
  dir.write("other.json", R"({"Foo": 1, "Bar": 2})");
  dir.write("notes.txt", "line one\nline two is not JSON\n");
  auto acc = loadAwsDir(dir.path.string());
  REQUIRE(acc);
  CHECK(acc->securityGroups.size() == 3);
  REQUIRE(acc->networkAcls.size() == 1);
  CHECK(acc->networkAcls[0].id == "acl-1");
  REQUIRE(acc->outcomes.size() == 7);
  CHECK(outcome(acc->outcomes, "acl.json")->describe() == "acl.json: network ACLs: 1");
  CHECK(outcome(acc->outcomes, "sg-one.json")->describe() == "sg-one.json: security groups: 1");
  CHECK(outcome(acc->outcomes, "sg-query.json")->describe() == "sg-query.json: security groups: 2");
  CHECK(outcome(acc->outcomes, "subnets.json")->describe() == "subnets.json: subnets: 1");
  CHECK(outcome(acc->outcomes, "other.json")->reason ==
        "a JSON object of no known export shape (keys: Bar, Foo)");
  CHECK(outcome(acc->outcomes, "rules.json")->reason.find("describe-security-groups") != std::string::npos);
  const auto* notes = outcome(acc->outcomes, "notes.txt");
  REQUIRE(notes);
  CHECK(notes->reason.rfind("not valid JSON (parse error at line 1", 0) == 0);
  CHECK(notes->reason.find("last read") == std::string::npos);  // the file's text is not echoed
  CHECK(acc->ignoredFiles == std::vector<std::string>{"notes.txt", "other.json", "rules.json"});
}

TEST_CASE("AWS: a mutation output naming a resource is not taken for the resource", "[unit][cloud]") {
  AwsAccount acc;
  auto r = mergeAwsExport(
      acc, "assoc.json",
      Json::parse(
          R"({"SubnetId": "subnet-1", "Ipv6CidrBlockAssociation": {"Ipv6CidrBlock": "2001:db8::/64"}})"));
  REQUIRE(r);
  CHECK_FALSE(*r);
  CHECK(acc.subnets.empty());
  REQUIRE(acc.outcomes.size() == 1);
  CHECK(acc.outcomes[0].reason ==
        "a JSON object of no known export shape (keys: Ipv6CidrBlockAssociation, SubnetId)");
}

TEST_CASE("AWS: streamed and fast-read lists are counted per file", "[unit][cloud]") {
  testing::TempDir dir("pgreach-shapes");
  dir.write("a-sg.json", R"({"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": []},
                                                 {"GroupId": "sg-2", "IpPermissions": []}]})");
  dir.write("b-eni.json",
            R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "PrivateIpAddress": "10.0.0.5"}]})");
  dir.write("c-empty.json", R"({"RouteTables": []})");
  auto acc = loadAwsDir(dir.path.string());
  REQUIRE(acc);
  REQUIRE(acc->outcomes.size() == 3);
  CHECK(acc->outcomes[0].describe() == "a-sg.json: security groups: 2");
  CHECK(acc->outcomes[1].describe() == "b-eni.json: network interfaces: 1");
  CHECK(acc->outcomes[2].describe() == "c-empty.json: route tables: 0");
}

TEST_CASE("Azure: ARM bodies, value lists, create wrappers and an empty effective-NSG list",
          "[unit][cloud]") {
  testing::TempDir dir("pgreach-shapes");
  dir.write(
      "nsg-rest.json",
      R"({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n1",
      "name": "n1", "properties": {"securityRules": [{"name": "AllowPg", "properties": {"priority": 200,
      "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.0/16",
      "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "5432"}}]}})");
  dir.write("vnet-create.json",
            R"({"newVNet": {"name": "v", "addressSpace": {"addressPrefixes": ["10.0.0.0/22"]},
      "subnets": []}})");
  dir.write("vnets-rest.json",
            R"({"value": [{"name": "v2", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
      "subnets": [{"name": "s", "properties": {"addressPrefix": "10.1.0.0/24"}}]}}], "nextLink": "x"})");
  dir.write("effective-nsg.json", R"({"value": []})");
  dir.write("group.json", R"({"id": "/subscriptions/s/resourceGroups/rg", "name": "rg",
      "properties": {"provisioningState": "Succeeded"}, "type": "Microsoft.Resources/resourceGroups"})");
  dir.write(
      "subnet-rest.json",
      R"({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
      "name": "s", "properties": {"addressPrefix": "10.0.0.0/24"}})");
  dir.write("readme.md", "# how I exported these\n");
  auto net = loadAzureDir(dir.path.string());
  REQUIRE(net);
  REQUIRE(net->nsgs.size() == 1);
  REQUIRE(net->nsgs[0].rules.size() == 1);
  CHECK(net->nsgs[0].rules[0].destinationPorts[0].from == 5432);
  CHECK(net->vnets.size() == 2);
  REQUIRE(net->outcomes.size() == 7);
  CHECK(outcome(net->outcomes, "nsg-rest.json")->describe() == "nsg-rest.json: NSGs: 1");
  CHECK(outcome(net->outcomes, "vnet-create.json")->describe() == "vnet-create.json: virtual networks: 1");
  CHECK(outcome(net->outcomes, "vnets-rest.json")->describe() == "vnets-rest.json: virtual networks: 1");
  // A NIC without an NSG: read, zero NSGs, not dropped.
  CHECK(outcome(net->outcomes, "effective-nsg.json")->describe() == "effective-nsg.json: effective NSGs: 0");
  CHECK(net->has("EffectiveSecurityRules"));
  CHECK(outcome(net->outcomes, "group.json")->reason ==
        "an Azure resource of type Microsoft.Resources/resourceGroups, which pgreach does not read");
  CHECK(outcome(net->outcomes, "subnet-rest.json")->reason.find("az network vnet show") != std::string::npos);
  CHECK(outcome(net->outcomes, "readme.md")->reason.rfind("not valid JSON", 0) == 0);
  CHECK(net->ignoredFiles.size() == 3);
}

TEST_CASE("Azure: a list with items of no known shape names them", "[unit][cloud]") {
  AzureNetwork net;
  auto r =
      mergeAzureExport(net, "mixed.json", Json::parse(R"([{"name": "v", "addressSpace": {"addressPrefixes":
      ["10.0.0.0/16"]}}, {"name": "x", "foo": 1}])"));
  REQUIRE(r);
  REQUIRE(net.outcomes.size() == 1);
  CHECK(net.outcomes[0].describe() ==
        "mixed.json: virtual networks: 1, items of no known shape, not read: 1");
}

TEST_CASE("cloud.context facts list every file, read or ignored, for both clouds", "[unit][cloud]") {
  auto aws = std::make_shared<AwsAccount>();
  aws->outcomes = {{"sg.json", {{"SecurityGroups", 3}}, ""}, {"x.json", {}, "why"}};
  auto azure = std::make_shared<AzureNetwork>();
  azure->outcomes = {{"nsg.json", {{"EffectiveSecurityRules", 0}}, ""},
                     {"y.txt", {}, "not valid JSON (...)"}};
  engine::CloudContextFacts f;
  f.networks = {awsNetwork(aws), azureNetwork(azure)};
  const auto j = f.toJson();
  REQUIRE(j["export_files"].size() == 4);
  CHECK(
      j["export_files"][0] ==
      nlohmann::json::parse(
          R"({"cloud": "aws", "file": "sg.json", "read": true, "contents": [{"kind": "SecurityGroups", "count": 3}]})"));
  CHECK(j["export_files"][3] == nlohmann::json::parse(R"j({"cloud": "azure", "file": "y.txt", "read": false,
      "contents": [], "reason": "not valid JSON (...)"})j"));
  CHECK(j["export_files"][2]["contents"][0]["count"] == 0);
  CHECK(j["ignored_files"] == nlohmann::json::array({"x.json", "y.txt"}));
}

TEST_CASE("Azure: a NIC ipConfiguration given a block keeps it apart from the addresses", "[unit][cloud]") {
  AzureNetwork net;
  auto r = mergeAzureExport(net, "nic.json", Json::parse(R"({"id":
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1",
      "properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "172.20.2.4"}},
      {"properties": {"privateIPAddress": "172.20.2.16/28", "privateIPAddressPrefixLength": 28}}]}})"));
  REQUIRE(r);
  REQUIRE(net.nics.size() == 1);
  REQUIRE(net.nics[0].addresses.size() == 1);
  CHECK(net.nics[0].addresses[0].toString() == "172.20.2.4");
  REQUIRE(net.nics[0].prefixes.size() == 1);
  CHECK(net.nics[0].prefixes[0].toString() == "172.20.2.16/28");
  // A block without its prefix length stays an error naming the field.
  AzureNetwork bad;
  auto e = mergeAzureExport(bad, "nic.json", Json::parse(R"({"id": "/x/networkInterfaces/n",
      "ipConfigurations": [{"privateIPAddress": "172.20.2.16/28"}]})"));
  REQUIRE_FALSE(e);
  CHECK(e.error().find("ipConfigurations[0].privateIPAddress") != std::string::npos);
}

TEST_CASE("Azure: a private link connection without a name is named by its id's last segment",
          "[unit][cloud]") {
  AzureNetwork net;
  auto r = mergeAzureExport(net, "pe.json", Json::parse(R"({"name": "pe1",
      "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1",
      "properties": {"subnet": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s1"},
      "privateLinkServiceConnections": [{"id":
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1/privateLinkServiceConnections/pe1-conn",
      "properties": {"groupIds": ["postgresqlServer"],
      "privateLinkServiceConnectionState": {"status": "Pending"}}}]}})"));
  REQUIRE(r);
  REQUIRE(net.privateEndpoints.size() == 1);
  REQUIRE(net.privateEndpoints[0].connections.size() == 1);
  CHECK(net.privateEndpoints[0].connections[0].name == "pe1-conn");
}
