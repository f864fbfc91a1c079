// The AWS evaluator on the fixture account in tests/data/cloud/aws/base, each case
// changing one thing and checking the verdict, the code, the rule that decided it and
// the fix.
#include <catch2/catch.hpp>

#include "cloud/aws_eval.h"
#include "support/path_steps.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

AwsAccount base() {
  auto acc = loadAwsDir(std::string(PGREACH_SOURCE_DIR) + "/tests/data/cloud/aws/base");
  REQUIRE(acc.ok());
  return std::move(*acc);
}

net::IpAddress ip(const char* s) { return *net::IpAddress::parse(s); }

PathVerdict path(const AwsAccount& acc, const char* client, const char* endpoint, int port) {
  AwsPathQuery q;
  q.client = ip(client);
  q.endpoint = ip(endpoint);
  q.port = port;
  return evaluateAwsPath(acc, q);
}

using testing::step;

NetworkAcl& acl(AwsAccount& acc, const std::string& id) {
  for (auto& a : acc.networkAcls) {
    if (a.id == id) return a;
  }
  FAIL("no acl " << id);
  throw std::logic_error("unreachable");
}

SecurityGroup& sg(AwsAccount& acc, const std::string& id) {
  for (auto& g : acc.securityGroups) {
    if (g.id == id) return g;
  }
  FAIL("no sg " << id);
  throw std::logic_error("unreachable");
}

void addEntry(NetworkAcl& a, NaclEntry e) {
  a.entries.push_back(e);
  std::stable_sort(a.entries.begin(), a.entries.end(), [](const NaclEntry& x, const NaclEntry& y) {
    return x.egress != y.egress ? x.egress < y.egress : x.ruleNumber < y.ruleNumber;
  });
}

std::vector<AuditFinding> endpointFindings(const AwsAccount& acc, const std::string& region = "us-east-1") {
  return auditAwsEndpoint(acc, *acc.endpoint("vpce-0neon"), {"neon", region, "us-east-1a"});
}

bool hasCode(const std::vector<AuditFinding>& fs, const std::string& code) {
  return std::any_of(fs.begin(), fs.end(), [&](const AuditFinding& f) { return f.code == code; });
}

}  // namespace

TEST_CASE("the fixture loads every export kind, recognised by content", "[unit][cloud]") {
  auto acc = base();
  CHECK(acc.securityGroups.size() == 3);
  CHECK(acc.networkAcls.size() == 3);
  CHECK(acc.interfaces.size() == 4);
  CHECK(acc.endpoints.size() == 1);
  REQUIRE(acc.vpc("vpc-0f00000000000a001"));
  CHECK(acc.vpc("vpc-0f00000000000a001")->dnsSupport == std::optional<bool>(true));
  CHECK(acc.vpc("vpc-0f00000000000a001")->cidrs.size() == 2);
  CHECK(acc.prefixLists.count("pl-0corp1234") == 1);               // id from the file name
  CHECK(acc.prefixLists.count("pl-0named") == 1);                  // id from the PrefixListId key
  CHECK(acc.routeTableForSubnet("subnet-epa")->id == "rtb-main");  // main table by default
  CHECK(acc.naclForSubnet("subnet-other")->id == "acl-default");   // default ACL by default
}

TEST_CASE("a healthy path is reachable both ways and names each deciding rule", "[unit][cloud]") {
  auto acc = base();
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  CHECK(v.reachable());
  CHECK(step(v, "client security groups egress").decidedBy.find("sg-client egress rule #0") !=
        std::string::npos);
  CHECK(step(v, "endpoint subnet network ACL ingress").decidedBy.find("acl-endpoint rule 100 allow") !=
        std::string::npos);
  CHECK(step(v, "endpoint subnet network ACL egress (return)").decidedBy.find("1024-65535") !=
        std::string::npos);
  CHECK(step(v, "client subnet route table").decidedBy.find("local") != std::string::npos);
  CHECK(path(acc, "10.0.1.10", "10.0.3.30", 5432).reachable());
}

TEST_CASE("a NACL deny before an allow decides by rule number", "[unit][cloud]") {
  auto acc = base();
  NaclEntry deny;
  deny.ruleNumber = 90, deny.protocol = kProtoTcp, deny.ports = {5432, 5432}, deny.egress = false;
  deny.cidr = *net::Cidr::parse("10.0.1.0/24"), deny.allow = false;
  addEntry(acl(acc, "acl-endpoint"), deny);
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  REQUIRE_FALSE(v.reachable());
  const PathStep* b = v.firstBlock();
  CHECK(b->code == "cloud.nacl_ingress_denied");
  CHECK(b->resource == "acl-endpoint");
  CHECK(b->decidedBy.find("rule 90 deny") != std::string::npos);
  CHECK(b->fix.find("aws ec2 create-network-acl-entry --network-acl-id acl-endpoint --rule-number 10 "
                    "--ingress --protocol tcp "
                    "--port-range From=5432,To=5432 --cidr-block 10.0.1.10/32 --rule-action allow") !=
        std::string::npos);
  // The same deny placed after the allow changes nothing.
  acl(acc, "acl-endpoint").entries.erase(acl(acc, "acl-endpoint").entries.begin());
  deny.ruleNumber = 150;
  addEntry(acl(acc, "acl-endpoint"), deny);
  CHECK(path(acc, "10.0.1.10", "10.0.2.20", 5432).reachable());
}

TEST_CASE("the NACL default deny (32767) decides when no rule matches", "[unit][cloud]") {
  auto acc = base();
  const NaclEntry* e = matchNacl(acl(acc, "acl-client"), true, ip("10.0.2.20"), kProtoTcp, 7000);
  REQUIRE(e);
  CHECK(e->ruleNumber == 32767);
  CHECK_FALSE(e->allow);
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 7000);
  CHECK(step(v, "client subnet network ACL egress").outcome == StepOutcome::Denied);
  CHECK(step(v, "client subnet network ACL egress").decidedBy.find("32767") != std::string::npos);
  // An ACL without the default entries still denies (implicitly).
  auto& a = acl(acc, "acl-client");
  a.entries.erase(std::remove_if(a.entries.begin(), a.entries.end(),
                                 [](const NaclEntry& x) { return x.ruleNumber >= 32767; }),
                  a.entries.end());
  CHECK(matchNacl(a, true, ip("10.0.2.20"), kProtoTcp, 7000) == nullptr);
  auto v2 = path(acc, "10.0.1.10", "10.0.2.20", 7000);
  CHECK(step(v2, "client subnet network ACL egress").decidedBy.find("implicit default deny") !=
        std::string::npos);
}

TEST_CASE("protocol -1 matches every protocol and port", "[unit][cloud]") {
  auto acc = base();
  const auto& d = acl(acc, "acl-default");
  for (int proto : {kProtoTcp, kProtoUdp, kProtoIcmp}) {
    const NaclEntry* e = matchNacl(d, false, ip("10.0.1.10"), proto, 31337);
    REQUIRE(e);
    CHECK(e->ruleNumber == 100);
    CHECK(e->allow);
  }
  // The endpoint SG's egress is -1 to 0.0.0.0/0: any port, any protocol.
  CHECK(matchSecurityGroups(acc, {"sg-endpoint"}, true, ip("10.0.1.10"), kProtoUdp, 53));
  CHECK(parseProtocol("-1") == kProtoAll);
  CHECK(parseProtocol("6") == kProtoTcp);
  CHECK(parseProtocol("tcp") == kProtoTcp);
  CHECK(parseProtocol("47") == 47);
  CHECK_FALSE(parseProtocol("tcpx"));
  CHECK_FALSE(parseProtocol("999"));
}

TEST_CASE("port ranges are intervals: inside passes, outside is missing", "[unit][cloud]") {
  auto acc = base();
  // 6000-6999 is allowed everywhere but at the endpoint SG (5432 only).
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 6500);
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->code == "cloud.sg_ingress_missing");
  CHECK(v.firstBlock()->resource == "sg-endpoint");
  CHECK(v.firstBlock()->fix ==
        "aws ec2 authorize-security-group-ingress --group-id sg-endpoint --protocol tcp --port 6500 --cidr "
        "10.0.1.10/32");
  CHECK(step(v, "client security groups egress").decidedBy.find("sg-client-extra") != std::string::npos);
  auto v2 = path(acc, "10.0.1.10", "10.0.2.20", 7000);
  CHECK(v2.firstBlock()->code == "cloud.sg_egress_missing");
  CHECK(v2.firstBlock()->fix.find("authorize-security-group-egress --group-id sg-client --protocol tcp "
                                  "--port 7000 --cidr 10.0.2.20/32") != std::string::npos);
  // NACL ranges evaluated per segment: 1024-65535 split at the first deny.
  auto segs = evaluateNaclRange(acl(acc, "acl-endpoint"), true, ip("10.0.9.10"), kProtoTcp, {1024, 65535});
  REQUIRE(segs.size() == 1);
  CHECK_FALSE(segs[0].allowed());
}

TEST_CASE("IPv6 entries and the IPv6 default deny (32768)", "[unit][cloud]") {
  auto acc = base();
  auto v = path(acc, "2600:1f18:1:1::10", "2600:1f18:1:2::20", 5432);
  REQUIRE_FALSE(v.reachable());
  // sg-client opens 5432 for IPv4 ranges only: the dual-stack miss, named as such.
  CHECK(v.firstBlock()->code == "cloud.sg_ipv6_range_missing");
  CHECK(v.firstBlock()->decidedBy.find("lists IPv4 ranges only (no Ipv6Ranges)") != std::string::npos);
  CHECK(v.firstBlock()->fix.find("Ipv6Ranges=[{CidrIpv6=2600:1f18:1:2::20/128}]") != std::string::npos);
  SgRule r;
  r.protocol = kProtoTcp, r.ports = {5432, 5432}, r.cidrs = {*net::Cidr::parse("2600:1f18:1::/56")};
  sg(acc, "sg-client").egress.push_back(r);
  auto v2 = path(acc, "2600:1f18:1:1::10", "2600:1f18:1:2::20", 5432);
  CHECK(v2.reachable());
  CHECK(step(v2, "endpoint subnet network ACL ingress").decidedBy.find("rule 120 allow") !=
        std::string::npos);
  // From outside the allowed /64 the IPv6 default deny decides.
  const NaclEntry* e = matchNacl(acl(acc, "acl-endpoint"), false, ip("2600:1f18:1:9::1"), kProtoTcp, 5432);
  REQUIRE(e);
  CHECK(e->ruleNumber == 32768);
  // An IPv4 entry never matches an IPv6 address.
  CHECK(matchNacl(acl(acc, "acl-default"), false, ip("2600:1f18:1:9::1"), kProtoTcp, 5432)->ruleNumber ==
        32768);
}

TEST_CASE("security groups on one interface are unioned", "[unit][cloud]") {
  auto acc = base();
  SecurityGroup only6432;
  only6432.id = "sg-6432";
  SgRule r;
  r.protocol = kProtoTcp, r.ports = {6432, 6432}, r.cidrs = {*net::Cidr::parse("10.0.1.0/24")};
  only6432.ingress.push_back(r);
  acc.securityGroups.push_back(only6432);
  for (auto& e : acc.interfaces) {
    if (e.id == "eni-epa") e.groups.push_back("sg-6432");
  }
  // client egress and NACLs for 6432
  SgRule eg;
  eg.protocol = kProtoTcp, eg.ports = {6432, 6432}, eg.cidrs = {*net::Cidr::parse("10.0.0.0/16")};
  sg(acc, "sg-client").egress.push_back(eg);
  NaclEntry in;
  in.ruleNumber = 130, in.protocol = kProtoTcp, in.ports = {6432, 6432},
  in.cidr = *net::Cidr::parse("10.0.0.0/16"), in.allow = true;
  addEntry(acl(acc, "acl-endpoint"), in);
  in.egress = true;
  addEntry(acl(acc, "acl-client"), in);
  acc.index();
  CHECK(path(acc, "10.0.1.10", "10.0.2.20", 5432).reachable());  // from sg-endpoint
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 6432);            // from sg-6432
  CHECK(v.reachable());
  CHECK(step(v, "endpoint security groups ingress").decidedBy.find("sg-6432") != std::string::npos);
  CHECK_FALSE(path(acc, "10.0.1.10", "10.0.3.30", 6432).reachable());  // eni-epb lacks sg-6432
}

TEST_CASE("a group reference matches interfaces carrying that group", "[unit][cloud]") {
  auto acc = base();
  auto& ep = sg(acc, "sg-endpoint");
  ep.ingress.clear();
  SgRule r;
  r.protocol = kProtoTcp, r.ports = {5432, 5432}, r.groupRefs = {"sg-client-extra"};
  ep.ingress.push_back(r);
  acc.index();
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 5432);  // eni-client carries sg-client-extra
  CHECK(v.reachable());
  CHECK(step(v, "endpoint security groups ingress").decidedBy.find("sg-client-extra") != std::string::npos);
  CHECK_FALSE(matchSecurityGroups(acc, {"sg-endpoint"}, false, ip("10.0.9.10"), kProtoTcp,
                                  5432));  // eni-other does not
}

TEST_CASE("a prefix list is resolved to its CIDRs", "[unit][cloud]") {
  auto acc = base();
  auto& ep = sg(acc, "sg-endpoint");
  SgRule r;
  r.protocol = kProtoTcp, r.ports = {5432, 5432}, r.prefixLists = {"pl-0corp1234"};
  ep.ingress.push_back(r);
  auto m = matchSecurityGroups(acc, {"sg-endpoint"}, false, ip("10.0.9.10"), kProtoTcp, 5432);
  REQUIRE(m);
  CHECK(m->rule->prefixLists.front() == "pl-0corp1234");
  CHECK(matchSecurityGroups(acc, {"sg-endpoint"}, false, ip("192.168.50.7"), kProtoTcp, 5432));
  CHECK_FALSE(matchSecurityGroups(acc, {"sg-endpoint"}, false, ip("192.168.51.7"), kProtoTcp, 5432));
  r.prefixLists = {"pl-0unknown"};  // an unexported list matches nothing
  ep.ingress.back() = r;
  CHECK_FALSE(matchSecurityGroups(acc, {"sg-endpoint"}, false, ip("192.168.50.7"), kProtoTcp, 5432));
}

TEST_CASE("a missing ephemeral return rule blocks the return path and names the NACL", "[unit][cloud]") {
  auto acc = base();
  auto& a = acl(acc, "acl-endpoint");
  a.entries.erase(std::remove_if(a.entries.begin(), a.entries.end(),
                                 [](const NaclEntry& e) { return e.egress && e.ruleNumber == 100; }),
                  a.entries.end());
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  REQUIRE_FALSE(v.reachable());
  const PathStep* b = v.firstBlock();
  CHECK(b->code == "cloud.nacl_return_denied");
  CHECK(b->direction == "return");
  CHECK(b->resource == "acl-endpoint");
  CHECK(b->decidedBy.find("32767") != std::string::npos);
  CHECK(b->fix ==
        "aws ec2 create-network-acl-entry --network-acl-id acl-endpoint --rule-number 130 --egress "
        "--protocol tcp "
        "--port-range From=1024,To=65535 --cidr-block 10.0.1.10/32 --rule-action allow");
  // A partial range (only 32768-65535) still blocks the lower ephemeral ports.
  NaclEntry part;
  part.ruleNumber = 100, part.protocol = kProtoTcp, part.ports = {32768, 65535}, part.egress = true;
  part.cidr = *net::Cidr::parse("10.0.1.0/24"), part.allow = true;
  addEntry(a, part);
  auto v2 = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  REQUIRE_FALSE(v2.reachable());
  CHECK(v2.firstBlock()->decidedBy.find("denies ports 1024-32767") != std::string::npos);
}

TEST_CASE("the client side return NACL is checked too", "[unit][cloud]") {
  auto acc = base();
  auto& a = acl(acc, "acl-client");
  a.entries.erase(std::remove_if(a.entries.begin(), a.entries.end(),
                                 [](const NaclEntry& e) { return !e.egress && e.ruleNumber == 100; }),
                  a.entries.end());
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->component == "client subnet network ACL ingress (return)");
  CHECK(v.firstBlock()->code == "cloud.nacl_return_denied");
  CHECK(v.firstBlock()->fix.find("--ingress") != std::string::npos);
}

TEST_CASE("a blackhole route blocks and a more specific route wins", "[unit][cloud]") {
  auto acc = base();
  acc.routeTables[0].routes.push_back({*net::Cidr::parse("10.0.2.0/24"), "eni-0gone", true});
  auto v = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->code == "cloud.route_blackhole");
  CHECK(v.firstBlock()->fix ==
        "aws ec2 delete-route --route-table-id rtb-main --destination-cidr-block 10.0.2.0/24");
  CHECK(path(acc, "10.0.1.10", "10.0.3.30", 5432).reachable());  // the /16 local route still serves .3
  // An appliance next hop passes with a note.
  acc.routeTables[0].routes.back() = {*net::Cidr::parse("10.0.2.0/24"), "eni-0appliance", false};
  auto v2 = path(acc, "10.0.1.10", "10.0.2.20", 5432);
  CHECK(v2.reachable());
  CHECK(step(v2, "client subnet route table").note.find("appliance eni-0appliance") != std::string::npos);
  // No route at all.
  acc.routeTables[0].routes.clear();
  CHECK(path(acc, "10.0.1.10", "10.0.2.20", 5432).firstBlock()->code == "cloud.no_route");
}

TEST_CASE("NACLs do not apply inside one subnet", "[unit][cloud]") {
  auto acc = base();
  auto v = path(acc, "10.0.2.99", "10.0.2.20", 5432);
  CHECK(step(v, "endpoint subnet network ACL ingress").outcome == StepOutcome::NotApplicable);
}

TEST_CASE("endpoint configuration: healthy endpoint has no findings", "[unit][cloud]") {
  auto acc = base();
  CHECK(endpointFindings(acc).empty());
}

TEST_CASE("endpoint pendingAcceptance is not available", "[unit][cloud]") {
  auto acc = base();
  acc.endpoints[0].state = "pendingAcceptance";
  acc.index();
  auto fs = endpointFindings(acc);
  REQUIRE(hasCode(fs, "cloud.endpoint_not_available"));
  CHECK(fs[0].severity == AuditSeverity::Critical);
  CHECK(fs[0].fix.find("accept") != std::string::npos);
  acc.endpoints[0].state = "rejected";
  CHECK(endpointFindings(acc)[0].fix.find("delete-vpc-endpoints") != std::string::npos);
}

TEST_CASE("private DNS off, and VPC DNS attributes off", "[unit][cloud]") {
  auto acc = base();
  acc.endpoints[0].privateDnsEnabled = false;
  acc.vpcs[0].dnsHostnames = false;
  acc.index();
  auto fs = endpointFindings(acc);
  CHECK(hasCode(fs, "cloud.private_dns_disabled"));
  CHECK(hasCode(fs, "cloud.vpc_dns_hostnames_disabled"));
  // Heroku connects via the endpoint's own names: private DNS is not required.
  CHECK_FALSE(hasCode(auditAwsEndpoint(acc, acc.endpoints[0], {"heroku", "us-east-1", ""}),
                      "cloud.private_dns_disabled"));
}

TEST_CASE("a wrong service name or another region's service", "[unit][cloud]") {
  auto acc = base();
  CHECK(hasCode(endpointFindings(acc, "us-east-2"),
                "cloud.wrong_service_name"));  // us-east-1 service, us-east-2 database
  acc.endpoints[0].serviceName = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";
  acc.index();
  auto fs = endpointFindings(acc);
  REQUIRE(hasCode(fs, "cloud.wrong_service_name"));
  CHECK(neonServiceName("eu-central-1") == "com.amazonaws.vpce.eu-central-1.vpce-svc-0fa74d33d011f0803");
  CHECK(regionFromName("ep-cool-123.vpce.ap-southeast-2.aws.neon.tech") == "ap-southeast-2");
}

TEST_CASE("a single-AZ endpoint is a warning", "[unit][cloud]") {
  auto acc = base();
  acc.endpoints[0].subnetIds = {"subnet-epa"};
  acc.endpoints[0].networkInterfaceIds = {"eni-epa"};
  acc.index();
  auto fs = endpointFindings(acc);
  REQUIRE(hasCode(fs, "cloud.single_az"));
  CHECK(fs[0].severity == AuditSeverity::Warning);
  // The client's zone (us-east-1c) has no endpoint subnet.
  CHECK(hasCode(auditAwsEndpoint(acc, acc.endpoints[0], {"neon", "us-east-1", "us-east-1c"}),
                "cloud.no_endpoint_in_client_az"));
}
