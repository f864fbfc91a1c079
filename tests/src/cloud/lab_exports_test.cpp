// The audit's verdict for each lab scenario's exports (tests/lab/cloud) matches what
// the lab builds: the same network, described as the cloud would describe it.
#include <catch2/catch.hpp>

#include <filesystem>

#include "cloud/aws_eval.h"
#include "cloud/azure_eval.h"

using namespace pgreach;
using namespace pgreach::cloud;

namespace {

const std::string kLab = std::string(PGREACH_SOURCE_DIR) + "/tests/lab/cloud";
const auto kClient = *net::IpAddress::parse("10.40.1.10");
const auto kClient6 = *net::IpAddress::parse("fd40:0:0:1::10");

AwsAccount aws(const std::string& scenario) {
  auto acc = loadAwsDir(kLab + "/aws/" + scenario);
  INFO(scenario);
  REQUIRE(acc.ok());
  return std::move(*acc);
}

// The lab is dual-stack: each endpoint address from the client's address of its family.
std::vector<PathVerdict> awsPaths(const AwsAccount& acc, int port) {
  std::vector<PathVerdict> out;
  for (const auto& a : endpointAddresses(acc, acc.endpoints.at(0))) {
    AwsPathQuery q;
    q.client = a.isV4() ? kClient : kClient6;
    q.endpoint = a;
    q.port = port;
    out.push_back(evaluateAwsPath(acc, q));
  }
  REQUIRE(out.size() == 4);  // 10.40.2.120, fd40:0:0:2::120, 10.40.3.118, fd40:0:0:3::118
  return out;
}

bool isV6Path(const PathVerdict& v) { return v.endpoint.find(':') != std::string::npos; }

}  // namespace

TEST_CASE("lab exports exist for the network scenarios", "[unit][cloud]") {
  for (const char* s : {"healthy", "sg-missing-6432", "nacl-no-ephemeral"}) {
    INFO(s);
    CHECK(std::filesystem::is_directory(kLab + "/aws/" + s));
  }
}

TEST_CASE("lab healthy: every port reachable on both endpoint interfaces", "[unit][cloud]") {
  auto acc = aws("healthy");
  for (int port : {5432, 5433, 6432}) {
    for (const auto& v : awsPaths(acc, port)) {
      INFO(v.summary());
      CHECK(v.reachable());
    }
  }
}

TEST_CASE("lab sg-missing-6432: 6432 blocked at the endpoint SG, 5432 open", "[unit][cloud]") {
  auto acc = aws("sg-missing-6432");
  for (const auto& v : awsPaths(acc, 6432)) {
    REQUIRE_FALSE(v.reachable());
    CHECK(v.firstBlock()->code == "cloud.sg_ingress_missing");
    CHECK(v.firstBlock()->resource == "sg-0e9d000000000e9d1");
    if (isV6Path(v)) {
      CHECK(v.firstBlock()->fix ==
            "aws ec2 authorize-security-group-ingress --group-id sg-0e9d000000000e9d1 --ip-permissions "
            "IpProtocol=tcp,FromPort=6432,ToPort=6432,Ipv6Ranges=[{CidrIpv6=fd40:0:0:1::10/128}]");
    } else {
      CHECK(v.firstBlock()->fix ==
            "aws ec2 authorize-security-group-ingress --group-id sg-0e9d000000000e9d1 --protocol tcp --port "
            "6432 --cidr 10.40.1.10/32");
    }
  }
  for (const auto& v : awsPaths(acc, 5432)) CHECK(v.reachable());
}

TEST_CASE("lab nacl-no-ephemeral: the return path is blocked by the endpoint NACL", "[unit][cloud]") {
  auto acc = aws("nacl-no-ephemeral");
  for (int port : {5432, 6432}) {
    for (const auto& v : awsPaths(acc, port)) {
      REQUIRE_FALSE(v.reachable());
      CHECK(v.firstBlock()->code == "cloud.nacl_return_denied");
      CHECK(v.firstBlock()->direction == "return");
      CHECK(v.firstBlock()->resource == "acl-0e9d000000000e9d3");
      CHECK(v.firstBlock()->fix.find("--network-acl-id acl-0e9d000000000e9d3") != std::string::npos);
      CHECK(v.firstBlock()->fix.find("--egress") != std::string::npos);
      CHECK(v.firstBlock()->fix.find("From=1024,To=65535") != std::string::npos);
      // Each family's entry in its own form: the IPv6 one with --ipv6-cidr-block.
      CHECK(v.firstBlock()->fix.find(isV6Path(v) ? "--ipv6-cidr-block fd40:0:0:1::10/128"
                                                 : "--cidr-block 10.40.1.10/32") != std::string::npos);
      // The forward direction itself is fine.
      CHECK(v.steps[4].outcome == StepOutcome::Allowed);
    }
  }
}

TEST_CASE("lab v6-dropped: the endpoint SG names the IPv4 range only, so IPv6 is blocked per rule",
          "[unit][cloud][ipv6]") {
  auto acc = aws("v6-dropped");
  for (int port : {5432, 5433, 6432}) {
    for (const auto& v : awsPaths(acc, port)) {
      INFO(v.summary());
      if (!isV6Path(v)) {
        CHECK(v.reachable());
        continue;
      }
      REQUIRE(v.blocked());
      const PathStep* b = v.firstBlock();
      CHECK(b->code == "cloud.sg_ipv6_range_missing");
      CHECK(b->component == "endpoint security groups ingress");
      // The family, the exact rule and what it lacks.
      CHECK(b->decidedBy.rfind("IPv6: sg-0e9d000000000e9d1 ingress rule #", 0) == 0);
      CHECK(b->decidedBy.find(" 10.40.0.0/16) lists IPv4 ranges only (no Ipv6Ranges)") != std::string::npos);
      CHECK(b->fix ==
            "aws ec2 authorize-security-group-ingress --group-id sg-0e9d000000000e9d1 "
            "--ip-permissions IpProtocol=tcp,FromPort=" +
                std::to_string(port) + ",ToPort=" + std::to_string(port) +
                ",Ipv6Ranges=[{CidrIpv6=fd40:0:0:1::10/128}]");
    }
  }
}

TEST_CASE("lab healthy: the dual-stack endpoint's attributes and interface addresses",
          "[unit][cloud][ipv6]") {
  auto acc = aws("healthy");
  const VpcEndpoint& ep = acc.endpoints.at(0);
  CHECK(ep.ipAddressType == "dualstack");
  CHECK(ep.dnsRecordIpType == "dualstack");
  std::vector<std::string> addrs;
  for (const auto& a : endpointAddresses(acc, ep)) addrs.push_back(a.toString());
  CHECK(addrs ==
        std::vector<std::string>{"10.40.2.120", "fd40:0:0:2::120", "10.40.3.118", "fd40:0:0:3::118"});
  // The lab's AAAA answers are the endpoint's own: nothing to say per family.
  AwsEndpointContext c{"planetscale", "us-east-1", "us-east-1a"};
  c.clientHasIpv6 = true;
  c.dnsAnswers = {*net::IpAddress::parse("10.40.2.120"), *net::IpAddress::parse("fd40:0:0:2::120")};
  CHECK(auditAwsEndpoint(acc, ep, c).empty());
}

TEST_CASE("lab dns-public: private DNS off is reported on the endpoint", "[unit][cloud]") {
  auto acc = aws("dns-public");
  auto fs = auditAwsEndpoint(acc, acc.endpoints.at(0), {"planetscale", "us-east-1", "us-east-1a"});
  CHECK(std::any_of(fs.begin(), fs.end(),
                    [](const AuditFinding& f) { return f.code == "cloud.private_dns_disabled"; }));
}

TEST_CASE("lab azure scenarios", "[unit][cloud]") {
  auto load = [](const std::string& s) {
    auto n = loadAzureDir(kLab + "/azure/" + s);
    INFO(s);
    REQUIRE(n.ok());
    return std::move(*n);
  };
  auto peFindings = [](const AzureNetwork& n) {
    AzureEndpointContext c;
    c.serverName = "labserver";
    c.client = kClient;
    c.clientKnown = true;
    return auditAzureEndpoint(n, n.privateEndpoints.at(0), c);
  };
  auto has = [](const std::vector<AuditFinding>& fs, const char* code) {
    return std::any_of(fs.begin(), fs.end(), [&](const AuditFinding& f) { return f.code == code; });
  };
  auto path = [](const AzureNetwork& n, int port) {
    AzurePathQuery q;
    q.client = kClient;
    q.endpoint = *net::IpAddress::parse("10.40.2.120");
    q.port = port;
    return evaluateAzurePath(n, q);
  };
  auto healthy = load("healthy");
  CHECK(peFindings(healthy).empty());
  // The lab's Azure exports hold no effective-NSG export for the client's NIC: every
  // other step is evaluated and allowed, that one is not verified (it used to count as
  // "no NSG applies" and the path as reachable).
  for (int port : {5432, 6432}) {
    auto v = path(healthy, port);
    INFO(v.summary());
    CHECK(v.state() == PathState::NotVerified);
    REQUIRE(v.unknownSteps().size() == 1);
    CHECK(v.unknownSteps().front()->component == "client NIC network security group outbound");
  }
  auto blocked = load("sg-missing-6432");
  auto v = path(blocked, 6432);
  REQUIRE_FALSE(v.reachable());
  CHECK(v.firstBlock()->code == "cloud.nsg_denied");
  CHECK(v.firstBlock()->decidedBy.find("DenyPgBouncer6432 (priority 100") != std::string::npos);
  CHECK_FALSE(path(blocked, 5432).blocked());  // not verified only for the client NIC, as above
  CHECK(has(peFindings(load("azure-pending")), "cloud.azure_connection_pending"));
  CHECK(has(peFindings(load("azure-chain-broken")), "cloud.azure_zone_not_linked"));
}
