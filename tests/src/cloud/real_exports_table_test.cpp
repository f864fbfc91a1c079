// Every real export under tests/data/real/aws and tests/data/real/azure (public sources,
// tests/data/real/SOURCES.md) loaded on its own, as a user would drop it in an export
// folder, and judged against the table below: read as kind K with N items, ignored with
// its reason, or refused as an error (a .json that is not valid JSON as published, or a
// field pgreach cannot take). A file without a row fails the test, and so does a row
// without a file: a new fixture must say what it comes out as (run the test with
// PGREACH_REAL_TABLE_DUMP=FILE to have every file's row written to FILE).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "cloud/aws_model.h"
#include "cloud/azure_model.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace pgreach::cloud;
namespace fs = std::filesystem;

namespace {

// "read KIND N[, KIND N]", "ignored: REASON" or "error: MESSAGE", from one file's outcome.
std::string outcomeOf(const std::vector<ExportOutcome>& outcomes) {
  REQUIRE(outcomes.size() == 1);
  const auto& o = outcomes.front();
  if (!o.read()) return "ignored: " + o.reason;
  std::string s = "read";
  for (size_t i = 0; i < o.contents.size(); ++i)
    s += (i ? ", " : " ") + o.contents[i].first + " " + std::to_string(o.contents[i].second);
  return s;
}

std::string judge(const std::string& cloud, const fs::path& file) {
  testing::TempDir dir("pgreach-real-table");
  fs::copy_file(file, dir.path / file.filename());
  if (cloud == "aws") {
    auto a = loadAwsDir(dir.path.string());
    return a ? outcomeOf(a->outcomes) : "error: " + a.error();
  }
  auto a = loadAzureDir(dir.path.string());
  return a ? outcomeOf(a->outcomes) : "error: " + a.error();
}

// clang-format off
const std::map<std::string, std::string> kExpected = {
    {"aws/load-balancers/create-load-balancer-nlb.json",
     R"x(ignored: a JSON object of no known export shape (keys: LoadBalancers))x"},
    {"aws/load-balancers/set-ip-address-type-dualstack.json",
     R"x(ignored: a JSON object of no known export shape (keys: IpAddressType))x"},
    {"aws/network-acls/botocore-describe-network-acls-mismatched-ids.json",
     R"x(read NetworkAcls 1)x"},
    {"aws/network-acls/create-network-acl.json",
     R"x(read NetworkAcls 1)x"},
    {"aws/network-acls/describe-network-acls-ipv6-2016.json",
     R"x(read NetworkAcls 4)x"},
    {"aws/network-acls/describe-network-acls-ipv6.json",
     R"x(read NetworkAcls 2)x"},
    {"aws/network-interfaces/create-network-interface-dual-stack.json",
     R"x(read NetworkInterfaces 1)x"},
    {"aws/network-interfaces/describe-network-interfaces-2.json",
     R"x(read NetworkInterfaces 1)x"},
    {"aws/network-interfaces/describe-network-interfaces.json",
     R"x(read NetworkInterfaces 2)x"},
    {"aws/prefix-lists/describe-managed-prefix-lists.json",
     R"x(ignored: the list of prefix lists without their entries: export aws ec2 get-managed-prefix-list-entries --prefix-list-id pl-... for each)x"},
    {"aws/prefix-lists/get-managed-prefix-list-entries.json",
     R"x(error: get-managed-prefix-list-entries.json: Entries: a prefix-list export needs a "PrefixListId" key or a file name starting with the id (pl-....json))x"},
    {"aws/route-tables/botocore-describe-route-tables-main-local-only.json",
     R"x(read RouteTables 1)x"},
    {"aws/route-tables/describe-route-tables-ipv6-2016.json",
     R"x(read RouteTables 3)x"},
    {"aws/route-tables/describe-route-tables.json",
     R"x(read RouteTables 3)x"},
    {"aws/security-group-rules/authorize-security-group-ingress-icmpv6.json",
     R"x(ignored: security group rules one by one (describe-security-group-rules), which pgreach does not read: export aws ec2 describe-security-groups)x"},
    {"aws/security-group-rules/authorize-security-group-ingress-ipv6.json",
     R"x(ignored: security group rules one by one (describe-security-group-rules), which pgreach does not read: export aws ec2 describe-security-groups)x"},
    {"aws/security-group-rules/authorize-security-group-ingress-prefix-list.json",
     R"x(ignored: security group rules one by one (describe-security-group-rules), which pgreach does not read: export aws ec2 describe-security-groups)x"},
    {"aws/security-group-rules/describe-security-group-rules-ipv6.json",
     R"x(ignored: security group rules one by one (describe-security-group-rules), which pgreach does not read: export aws ec2 describe-security-groups)x"},
    {"aws/security-group-rules/describe-security-group-rules-single.json",
     R"x(ignored: security group rules one by one (describe-security-group-rules), which pgreach does not read: export aws ec2 describe-security-groups)x"},
    {"aws/security-groups/create-security-group-doc-missing-comma.json",
     R"x(error: create-security-group-doc-missing-comma.json: not valid JSON (parse error at line 3, column 13: syntax error while parsing object - unexpected string literal; expected '}'))x"},
    {"aws/security-groups/describe-security-groups-doc-trailing-comma.json",
     R"x(error: describe-security-groups-doc-trailing-comma.json: not valid JSON (parse error at line 53, column 9: syntax error while parsing object key - unexpected '}'; expected string literal))x"},
    {"aws/security-groups/describe-security-groups-query-names.json",
     R"x(ignored: a JSON list of objects of no known export shape (keys of the first: Name))x"},
    {"aws/subnets/associate-subnet-cidr-block-ipv6.json",
     R"x(ignored: a JSON object of no known export shape (keys: Ipv6CidrBlockAssociation, SubnetId))x"},
    {"aws/subnets/botocore-describe-subnets-minimal.json",
     R"x(read Subnets 1)x"},
    {"aws/subnets/create-subnet-dual-stack.json",
     R"x(read Subnets 1)x"},
    {"aws/subnets/create-subnet-ipv6-only.json",
     R"x(read Subnets 1)x"},
    {"aws/subnets/describe-subnets-doc-single-quote.json",
     R"x(error: describe-subnets-doc-single-quote.json: not valid JSON (parse error at line 17, column 39: syntax error while parsing value - invalid literal; last read: '"CustomerOwnedIpv4Pool:": ''))x"},
    {"aws/subnets/describe-subnets-vpc.json",
     R"x(read Subnets 1)x"},
    {"aws/subnets/keyspaces-tutorial-describe-subnets-ipv6-redacted.json",
     R"x(error: keyspaces-tutorial-describe-subnets-ipv6-redacted.json: Subnets[0].CidrBlock: expected a CIDR block, got "**********/20")x"},
    {"aws/vpc-endpoint-services/describe-vpc-endpoint-connections.json",
     R"x(ignored: a JSON object of no known export shape (keys: VpcEndpointConnections))x"},
    {"aws/vpc-endpoint-services/describe-vpc-endpoint-service-configurations.json",
     R"x(ignored: a JSON object of no known export shape (keys: ServiceConfigurations))x"},
    {"aws/vpc-endpoint-services/describe-vpc-endpoint-services-detail.json",
     R"x(ignored: a JSON object of no known export shape (keys: ServiceDetails, ServiceNames))x"},
    {"aws/vpc-endpoints/create-vpc-endpoint-gateway-doc-bad-escape.json",
     R"x(error: create-vpc-endpoint-gateway-doc-bad-escape.json: not valid JSON (parse error at line 3, column 123: syntax error while parsing value - invalid string: forbidden character after backslash; last read: '"{\"Version\":\"2008-10-17\",\"Statement\":[{\"Sid\":\"\",\"Effect\":\"Allow\",\"Principal\":\"\*'))x"},
    {"aws/vpc-endpoints/create-vpc-endpoint-interface.json",
     R"x(read VpcEndpoints 1)x"},
    {"aws/vpc-endpoints/create-vpc-endpoint-resource.json",
     R"x(read VpcEndpoints 1)x"},
    {"aws/vpc-endpoints/create-vpc-endpoint-service-network.json",
     R"x(read VpcEndpoints 1)x"},
    {"aws/vpc-endpoints/describe-vpc-endpoints.json",
     R"x(read VpcEndpoints 3)x"},
    {"aws/vpc-endpoints/keyspaces-tutorial-create-vpc-endpoint-dualstack.json",
     R"x(read VpcEndpoints 1)x"},
    {"aws/vpcs/associate-vpc-cidr-block-ipv6.json",
     R"x(ignored: a JSON object of no known export shape (keys: Ipv6CidrBlockAssociation, VpcId))x"},
    {"aws/vpcs/create-vpc-ipv6.json",
     R"x(read Vpcs 1)x"},
    {"aws/vpcs/describe-vpcs-ipv6-2016.json",
     R"x(read Vpcs 3)x"},
    {"aws/vpcs/describe-vpcs.json",
     R"x(read Vpcs 2)x"},
    {"aws/vpcs/keyspaces-tutorial-describe-vpcs-ipv6.json",
     R"x(read Vpcs 1)x"},
    {"azure/effective-nsg/docs-cli-effective-rule-AllowInternetOutBound-ellipsis.json",
     R"x(error: docs-cli-effective-rule-AllowInternetOutBound-ellipsis.json: not valid JSON (parse error at line 20, column 3: syntax error while parsing value - invalid literal; last read: '"12.0.0.0/6",<U+000A>  .'))x"},
    {"azure/effective-nsg/docs-cli-effective-rule-DenyAllOutBound.json",
     R"x(ignored: a JSON object of no known export shape (keys: access, additionalProperties, destinationAddressPrefix, destinationAddressPrefixes, destinationPortRange, destinationPortRanges, ...))x"},
    {"azure/effective-nsg/rest-NetworkInterfaceEffectiveNSGList.json",
     R"x(read EffectiveSecurityRules 1)x"},
    {"azure/effective-routes/docs-cli-effective-route-internet.json",
     R"x(error: docs-cli-effective-route-internet.json: not valid JSON (parse error at line 13, column 2: syntax error while parsing value - unexpected ','; expected end of input))x"},
    {"azure/effective-routes/docs-cli-effective-route-nexthop-none.json",
     R"x(error: docs-cli-effective-route-nexthop-none.json: not valid JSON (parse error at line 13, column 2: syntax error while parsing value - unexpected ','; expected end of input))x"},
    {"azure/effective-routes/rest-NetworkInterfaceEffectiveRouteTableList.json",
     R"x(ignored: a {"value": [...]} list of objects of no known export shape (keys of the first: addressPrefix, nextHopIpAddress, nextHopType, source, state))x"},
    {"azure/nic/rest-NetworkInterfaceGet.json",
     R"x(read NetworkInterface 1)x"},
    {"azure/nsg-rule/rest-NetworkSecurityGroupRuleGet.json",
     R"x(ignored: one security rule on its own: export the whole NSG (az network nsg show))x"},
    {"azure/nsg/docs-ipv6-nsg-rule-template-fragment.json",
     R"x(error: docs-ipv6-nsg-rule-template-fragment.json: not valid JSON (parse error at line 14, column 1: syntax error while parsing object - unexpected end of input; expected '}'))x"},
    {"azure/nsg/rest-NetworkSecurityGroupGet.json",
     R"x(read NetworkSecurityGroup 1)x"},
    {"azure/private-dns-zone-group/rest-PrivateEndpointDnsZoneGroupGet.json",
     R"x(ignored: an Azure resource (privateDnsZoneGroups in its id), which pgreach does not read)x"},
    {"azure/private-dns-zone/rest-PrivateZoneGet.json",
     R"x(ignored: an Azure resource of type Microsoft.Network/privateDnsZones, which pgreach does not read)x"},
    {"azure/private-endpoint/rest-PrivateEndpointGet.json",
     R"x(read PrivateEndpoint 1)x"},
    {"azure/private-endpoint/rest-PrivateEndpointGetForManualApproval.json",
     R"x(read PrivateEndpoint 1)x"},
    {"azure/record-set/rest-RecordSetAAAAGet.json",
     R"x(ignored: an Azure resource of type Microsoft.Network/privateDnsZones/AAAA, which pgreach does not read)x"},
    {"azure/record-set/rest-RecordSetAGet.json",
     R"x(read ARecordSets 1)x"},
    {"azure/record-set/rest-RecordSetAList.json",
     R"x(read ARecordSets 2)x"},
    {"azure/resource-group/docs-cli-group-create.json",
     R"x(ignored: an Azure resource of type Microsoft.Resources/resourceGroups, which pgreach does not read)x"},
    {"azure/route-table/docs-ipv6-route-table-template-fragment.json",
     R"x(error: docs-ipv6-route-table-template-fragment.json: not valid JSON (parse error at line 15, column 1: syntax error while parsing object - unexpected end of input; expected '}'))x"},
    {"azure/route-table/rest-RouteTableGet.json",
     R"x(read RouteTable 1)x"},
    {"azure/route-table/rest-RouteTableList.json",
     R"x(read RouteTable 2)x"},
    {"azure/subnet/rest-SubnetGet.json",
     R"x(ignored: one subnet on its own (az network vnet subnet show): export the VNet that holds it (az network vnet show))x"},
    {"azure/vnet-link/rest-VirtualNetworkLinkGet.json",
     R"x(read PrivateDnsLinks 1)x"},
    {"azure/vnet-link/rest-VirtualNetworkLinkList.json",
     R"x(read PrivateDnsLinks 2)x"},
    {"azure/vnet/docs-cli-vnet-create-newVNet.json",
     R"x(read VirtualNetwork 1)x"},
    {"azure/vnet/rest-VirtualNetworkGet.json",
     R"x(read VirtualNetwork 1)x"},
};
// clang-format on

}  // namespace

TEST_CASE("real exports: each file is read, ignored or refused as the table says", "[unit][cloud][real]") {
  const fs::path root = fs::path(PGREACH_SOURCE_DIR) / "tests" / "data" / "real";
  std::set<std::string> seen;
  for (const char* cloud : {"aws", "azure"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / cloud)) {
      if (!e.is_regular_file()) continue;
      const std::string rel = fs::relative(e.path(), root).string();
      seen.insert(rel);
      const std::string got = judge(cloud, e.path());
      INFO(rel);
      INFO("outcome: " << got);
      auto it = kExpected.find(rel);
      if (const char* dump = std::getenv("PGREACH_REAL_TABLE_DUMP")) {
        std::ofstream(dump, std::ios::app) << "    {\"" << rel << "\",\n     R\"x(" << got << ")x\"},\n";
      }
      if (it == kExpected.end()) {
        FAIL_CHECK("no expectation for " << rel << "\n      {\"" << rel << "\",\n       \"" << got << "\"},");
        continue;
      }
      CHECK(got == it->second);
    }
  }
  for (const auto& [rel, want] : kExpected) {
    INFO(rel);
    CHECK(seen.count(rel) == 1);
  }
  CHECK(seen.size() >= 66);
}
