// The audit per address family (issue 21): a dual-stack endpoint's paths are judged for
// IPv4 and for IPv6 apart, and the classic misses (a security group rule or NSG rule that
// names the IPv4 range only, a NACL without IPv6 entries, no IPv6 route) are named with
// the family, the exact rule and the fix. Real exports from public sources
// (tests/data/real/SOURCES.md) first, then the lab's dual-stack exports with one thing
// changed each.
#include <catch2/catch.hpp>
#include <filesystem>

#include "cloud/aws_eval.h"
#include "cloud/azure_eval.h"
#include "support/path_steps.h"
#include "support/temp_dir.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

const std::string kReal = std::string(PGREACH_SOURCE_DIR) + "/tests/data/real/aws/";
const std::string kLab = std::string(PGREACH_SOURCE_DIR) + "/tests/lab/cloud/";

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

// Loads the named real files (relative to tests/data/real/aws) as one export folder.
AwsAccount realAws(std::initializer_list<const char*> files) {
  testing::TempDir dir("pgreach-dual-stack");
  for (const char* f : files) {
    std::filesystem::copy_file(kReal + f, dir.path / std::filesystem::path(f).filename());
  }
  auto acc = loadAwsDir(dir.path.string());
  REQUIRE(acc.ok());
  return std::move(*acc);
}

AwsAccount labAws(const std::string& scenario) {
  auto acc = loadAwsDir(kLab + "aws/" + scenario);
  REQUIRE(acc.ok());
  return std::move(*acc);
}

PathVerdict path(const AwsAccount& acc, const char* client, const char* endpoint, int port = 5432,
                 const std::string& clientSubnet = "") {
  AwsPathQuery q;
  q.client = ip(client);
  q.endpoint = ip(endpoint);
  q.port = port;
  q.clientSubnetId = clientSubnet;
  return evaluateAwsPath(acc, q);
}

using testing::step;

bool has(const std::vector<AuditFinding>& fs, const char* code) {
  return std::any_of(fs.begin(), fs.end(), [&](const AuditFinding& f) { return f.code == code; });
}
const AuditFinding& get(const std::vector<AuditFinding>& fs, const char* code) {
  auto it = std::find_if(fs.begin(), fs.end(), [&](const AuditFinding& f) { return f.code == code; });
  REQUIRE(it != fs.end());
  return *it;
}

}  // namespace

TEST_CASE(
    "real describe-network-acls: an ACL with IPv4 entries only blocks IPv6, one with IPv6 entries "
    "allows it",
    "[unit][cloud][ipv6]") {
  auto acc = realAws({"network-acls/describe-network-acls-ipv6.json"});
  REQUIRE(acc.networkAcls.size() == 2);
  // acl-0ea1f54ca7EXAMPLE (subnet-0931fc2fa5EXAMPLE) lists 0.0.0.0/0 entries only.
  const std::string subnet = "subnet-0931fc2fa5EXAMPLE";
  auto v4 = path(acc, "10.0.0.5", "10.0.1.5", 5432, subnet);
  const PathStep& out4 = step(v4, "client subnet network ACL egress");
  CHECK(out4.outcome == StepOutcome::Allowed);
  CHECK(out4.decidedBy == "acl-0ea1f54ca7EXAMPLE rule 100 allow all 0.0.0.0/0");

  auto v6 = path(acc, "2001:db8:1234:1a00::5", "2001:db8:1234:1a01::5", 5432, subnet);
  REQUIRE(v6.blocked());
  const PathStep& out6 = *v6.firstBlock();
  CHECK(out6.component == "client subnet network ACL egress");
  CHECK(out6.code == "cloud.nacl_ipv6_entry_missing");
  CHECK(out6.decidedBy ==
        "IPv6: acl-0ea1f54ca7EXAMPLE rule * (32768, implicit default deny); IPv4 entry rule 100 allow all "
        "0.0.0.0/0 allows these ports, but no IPv6 entry (Ipv6CidrBlock) does");
  CHECK(out6.fix ==
        "aws ec2 create-network-acl-entry --network-acl-id acl-0ea1f54ca7EXAMPLE --rule-number 110 --egress "
        "--protocol tcp --port-range From=5432,To=5432 --ipv6-cidr-block 2001:db8:1234:1a01::5/128 "
        "--rule-action allow");

  // acl-0e2a78e4e2EXAMPLE has its IPv6 twin entries (101 allow ::/0, 32768 deny ::/0).
  const NetworkAcl& dual = acc.networkAcls.at(1);
  REQUIRE(dual.id == "acl-0e2a78e4e2EXAMPLE");
  for (bool egress : {false, true}) {
    CHECK(matchNacl(dual, egress, ip("10.0.0.5"), kProtoTcp, 5432)->ruleNumber == 100);
    const NaclEntry* e6 = matchNacl(dual, egress, ip("2001:db8::5"), kProtoTcp, 5432);
    REQUIRE(e6);
    CHECK(e6->ruleNumber == 101);
    CHECK(e6->allow);
  }
}

TEST_CASE("real describe-route-tables: IPv4 and IPv6 destinations take their own family's routes",
          "[unit][cloud][ipv6]") {
  auto acc = realAws({"route-tables/describe-route-tables-ipv6-2016.json"});
  // The main table of vpc-31896b55 has a local route per family; a subnet of that VPC
  // without its own association uses it (the subnet is ours, the table is the example's).
  acc.subnets.push_back({"subnet-test",
                         "vpc-31896b55",
                         "",
                         net::Cidr::parse("10.0.1.0/24"),
                         {*net::Cidr::parse("2001:db8:1234:a101::/64")}});
  acc.loadedKinds.push_back("Subnets");
  acc.index();
  auto v4 = path(acc, "10.0.1.5", "10.0.2.5", 5432, "subnet-test");
  CHECK(step(v4, "client subnet route table").decidedBy ==
        "rtb-1a459c7e route 10.0.0.0/16 -> local (longest prefix match)");
  auto v6 = path(acc, "2001:db8:1234:a101::5", "2001:db8:1234:a102::5", 5432, "subnet-test");
  CHECK(step(v6, "client subnet route table").decidedBy ==
        "rtb-1a459c7e route 2001:db8:1234:a100::/56 -> local (longest prefix match)");
  // An IPv6 destination outside the VPC's block leaves by the ::/0 route, not an IPv4 one.
  auto out = path(acc, "2001:db8:1234:a101::5", "2001:db8:ffff::5", 5432, "subnet-test");
  CHECK(step(out, "client subnet route table").decidedBy ==
        "rtb-1a459c7e route ::/0 -> igw-2fa4e34a (longest prefix match)");
}

TEST_CASE("real create-network-interface: a dual-stack interface answers on both families",
          "[unit][cloud][ipv6]") {
  auto acc = realAws({"network-interfaces/create-network-interface-dual-stack.json"});
  const NetworkInterface* eni = acc.interface("eni-05da417453f9a84bf");
  REQUIRE(eni);
  std::vector<std::string> addrs;
  for (const auto& a : eni->addresses) addrs.push_back(a.toString());
  // Ipv6Address and Ipv6Addresses[] name the same address: listed once.
  CHECK(addrs == std::vector<std::string>{"10.0.8.18", "2600:1f13:cfe:3650:a1dc:237c:393a:4ba7"});
  CHECK(acc.interfaceByAddress(ip("2600:1f13:cfe:3650:a1dc:237c:393a:4ba7")) == eni);
}

TEST_CASE("real create-vpc-endpoint: IpAddressType and DnsRecordIpType are read, per family",
          "[unit][cloud][ipv6]") {
  auto dual = realAws({"vpc-endpoints/keyspaces-tutorial-create-vpc-endpoint-dualstack.json"});
  REQUIRE(dual.endpoints.size() == 1);
  CHECK(dual.endpoints[0].ipAddressType == "dualstack");
  CHECK(dual.endpoints[0].dnsRecordIpType == "dualstack");
  // The Lattice resource endpoint prints "IPV4": read as ipv4. An AAAA answer for its name
  // is then not the endpoint's.
  auto v4 = realAws({"vpc-endpoints/create-vpc-endpoint-resource.json"});
  REQUIRE(v4.endpoints.size() == 1);
  CHECK(v4.endpoints[0].ipAddressType == "ipv4");
  AwsEndpointContext c;
  c.provider = "generic";
  c.dnsAnswers = {ip("2001:db8::10")};
  const auto fs = auditAwsEndpoint(v4, v4.endpoints[0], c);
  const AuditFinding& f = get(fs, "cloud.aaaa_not_from_endpoint");
  CHECK(f.summary.find("answers on IPv4 only") != std::string::npos);
  CHECK(f.fix.find("--ip-address-type dualstack --dns-options DnsRecordIpType=dualstack") !=
        std::string::npos);
  // The dual-stack endpoint publishes AAAA itself: no such finding.
  CHECK_FALSE(has(auditAwsEndpoint(dual, dual.endpoints[0], c), "cloud.aaaa_not_from_endpoint"));
  // An export without the attributes (older CLI output) says nothing about families.
  auto old = realAws({"vpc-endpoints/describe-vpc-endpoints.json"});
  for (const auto& ep : old.endpoints) {
    CHECK(ep.ipAddressType.empty());
    CHECK_FALSE(has(auditAwsEndpoint(old, ep, c), "cloud.aaaa_not_from_endpoint"));
  }
}

TEST_CASE("endpoint audit: AAAA-only DNS or an IPv6-only endpoint for a client without IPv6",
          "[unit][cloud][ipv6]") {
  auto acc = labAws("healthy");
  VpcEndpoint ep = acc.endpoints.at(0);
  AwsEndpointContext c{"planetscale", "us-east-1", "us-east-1a"};
  c.clientHasIpv6 = false;
  c.clientInterface = "eni-0c1e47000000000c1";
  c.clientSubnet = "subnet-0c1e4700000000001";
  // Dual-stack both ways: nothing to say even for an IPv4-only client.
  CHECK(auditAwsEndpoint(acc, ep, c).empty());

  ep.ipAddressType = "ipv6";
  ep.dnsRecordIpType = "ipv6";
  auto fs = auditAwsEndpoint(acc, ep, c);
  const AuditFinding& f = get(fs, "cloud.endpoint_ipv6_only_client_no_ipv6");
  CHECK(f.severity == AuditSeverity::Critical);
  CHECK(f.summary.find("answers on IPv6 only (IpAddressType=ipv6)") != std::string::npos);
  CHECK(f.fix.rfind("Make the endpoint dual-stack: aws ec2 modify-vpc-endpoint --vpc-endpoint-id "
                    "vpce-0abc123def4567890 --ip-address-type dualstack",
                    0) == 0);
  CHECK(f.fix.find("--subnet-id subnet-0c1e4700000000001") != std::string::npos);
  CHECK(f.fix.find("--network-interface-id eni-0c1e47000000000c1 --ipv6-address-count 1") !=
        std::string::npos);

  // A dual-stack endpoint whose private DNS publishes AAAA only: publish A records too.
  ep.ipAddressType = "dualstack";
  fs = auditAwsEndpoint(acc, ep, c);
  CHECK(get(fs, "cloud.endpoint_ipv6_only_client_no_ipv6")
            .fix.rfind("Publish A records too: aws ec2 modify-vpc-endpoint --vpc-endpoint-id "
                       "vpce-0abc123def4567890 --dns-options DnsRecordIpType=dualstack",
                       0) == 0);
  // Not said when the client has IPv6, nor when nobody knows.
  c.clientHasIpv6 = true;
  CHECK_FALSE(has(auditAwsEndpoint(acc, ep, c), "cloud.endpoint_ipv6_only_client_no_ipv6"));
  c.clientHasIpv6.reset();
  CHECK_FALSE(has(auditAwsEndpoint(acc, ep, c), "cloud.endpoint_ipv6_only_client_no_ipv6"));

  // DnsRecordIpType=ipv4 and an AAAA answer: not the endpoint's records.
  ep.dnsRecordIpType = "ipv4";
  c.dnsAnswers = {ip("10.40.2.120"), ip("2001:db8::99")};
  fs = auditAwsEndpoint(acc, ep, c);
  const AuditFinding& a = get(fs, "cloud.aaaa_not_from_endpoint");
  CHECK(a.summary.find("2001:db8::99") != std::string::npos);
  CHECK(a.summary.find("publishes A records only") != std::string::npos);
  CHECK(a.fix.find("--dns-options DnsRecordIpType=dualstack") != std::string::npos);
  // The endpoint's own IPv6 address is no stray answer.
  c.dnsAnswers = {ip("fd40:0:0:2::120")};
  CHECK_FALSE(has(auditAwsEndpoint(acc, ep, c), "cloud.aaaa_not_from_endpoint"));
}

TEST_CASE("lab exports: a NACL without IPv6 entries and a table without the IPv6 route, per family",
          "[unit][cloud][ipv6]") {
  auto acc = labAws("healthy");
  SECTION("the endpoint subnets' ACL lost its IPv6 entries") {
    for (auto& a : acc.networkAcls) {
      if (a.id != "acl-0e9d000000000e9d3") continue;
      a.entries.erase(
          std::remove_if(a.entries.begin(), a.entries.end(),
                         [](const NaclEntry& e) { return !e.cidr.base.isV4() && e.ruleNumber < 32767; }),
          a.entries.end());
    }
    acc.index();
    CHECK(path(acc, "10.40.1.10", "10.40.2.120").reachable());
    auto v6 = path(acc, "fd40:0:0:1::10", "fd40:0:0:2::120");
    REQUIRE(v6.blocked());
    const PathStep& b = *v6.firstBlock();
    CHECK(b.component == "endpoint subnet network ACL ingress");
    CHECK(b.code == "cloud.nacl_ipv6_entry_missing");
    CHECK(b.decidedBy ==
          "IPv6: acl-0e9d000000000e9d3 rule * (32768, default) deny all ::/0; IPv4 entry rule 100 allow tcp "
          "5432-5433 10.40.0.0/16 allows these ports, but no IPv6 entry (Ipv6CidrBlock) does");
    CHECK(b.fix ==
          "aws ec2 create-network-acl-entry --network-acl-id acl-0e9d000000000e9d3 --rule-number 120 "
          "--ingress --protocol tcp --port-range From=5432,To=5432 --ipv6-cidr-block fd40:0:0:1::10/128 "
          "--rule-action allow");
  }
  SECTION("the route table lost its IPv6 local route") {
    for (auto& t : acc.routeTables) {
      t.routes.erase(std::remove_if(t.routes.begin(), t.routes.end(),
                                    [](const Route& r) { return !r.destination.base.isV4(); }),
                     t.routes.end());
    }
    acc.index();
    CHECK(path(acc, "10.40.1.10", "10.40.2.120").reachable());
    auto v6 = path(acc, "fd40:0:0:1::10", "fd40:0:0:2::120");
    REQUIRE(v6.blocked());
    const PathStep& b = *v6.firstBlock();
    CHECK(b.code == "cloud.no_route");
    CHECK(b.decidedBy == "rtb-0a1b2c3d4e5f60001 has no IPv6 route to fd40:0:0:2::120");
    CHECK(b.fix.rfind("aws ec2 create-route --route-table-id rtb-0a1b2c3d4e5f60001 "
                      "--destination-ipv6-cidr-block fd40:0:0:2::120/128",
                      0) == 0);
  }
}

TEST_CASE("azure: an NSG allow rule with IPv4 prefixes only blocks the IPv6 path", "[unit][cloud][ipv6]") {
  auto loaded = loadAzureDir(kLab + "azure/healthy");
  REQUIRE(loaded.ok());
  AzureNetwork net = std::move(*loaded);
  // The lab VNet made dual-stack, with the organisation's own deny-all before Azure's
  // defaults (as many add): the IPv4-only allow rule is all IPv6 could have matched.
  Vnet& vnet = net.vnets.at(0);
  vnet.prefixes.push_back(*net::Cidr::parse("fd40::/48"));
  for (auto& s : vnet.subnets) {
    const std::string v4 = s.prefixes.at(0).toString();  // 10.40.N.0/24 -> fd40:0:0:N::/64
    const std::string n = v4.substr(6, v4.find(".0/24") - 6);
    s.prefixes.push_back(*net::Cidr::parse("fd40:0:0:" + n + "::/64"));
  }
  Nsg& nsg = net.nsgs.at(0);
  NsgRule deny;
  deny.name = "DenyAllInboundCustom";
  deny.priority = 4096;
  deny.inbound = true;
  deny.allow = false;
  deny.sources = {"*"};
  deny.destinations = {"*"};
  deny.sourcePorts = {PortRange{}};
  deny.destinationPorts = {PortRange{}};
  nsg.rules.push_back(deny);
  std::stable_sort(nsg.rules.begin(), nsg.rules.end(),
                   [](const NsgRule& a, const NsgRule& b) { return a.priority < b.priority; });

  auto run = [&](const char* client, const char* endpoint) {
    AzurePathQuery q;
    q.client = ip(client);
    q.endpoint = ip(endpoint);
    q.port = 5432;
    return evaluateAzurePath(net, q);
  };
  auto v4 = run("10.40.1.10", "10.40.2.120");
  CHECK_FALSE(v4.blocked());
  auto v6 = run("fd40:0:0:1::10", "fd40:0:0:2::120");
  REQUIRE(v6.blocked());
  const PathStep& b = *v6.firstBlock();
  CHECK(b.code == "cloud.nsg_ipv6_prefix_missing");
  CHECK(b.decidedBy.rfind("IPv6: lab-pe-nsg DenyAllInboundCustom", 0) == 0);
  CHECK(b.decidedBy.find("AllowPostgresFromVnet") != std::string::npos);
  CHECK(b.decidedBy.find("allows the port for IPv4 prefixes only (no IPv6 prefix)") != std::string::npos);
  CHECK(b.fix.find("--name allow-postgres-ipv6-5432") != std::string::npos);
  CHECK(b.fix.find("--source-address-prefixes fd40:0:0:1::10/128") != std::string::npos);
}
