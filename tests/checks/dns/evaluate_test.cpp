#include "checks/dns/evaluate.h"

#include <catch2/catch.hpp>

#include "checks/dns/packets.h"
#include "net/hosts_file.h"
#include "net/resolv_conf.h"

using namespace pgreach;
using namespace pgreach::checks::dns;
namespace pkt = pgreach::testing::dnspkt;

namespace {

const std::string kNeon = "ep-cool-lab-123456.vpce.us-east-1.aws.neon.tech";
const std::string kNeonPublic = "ep-cool-lab-123456.us-east-1.aws.neon.tech";
const std::string kAzure = "labserver.postgres.database.azure.com";
const std::string kAzurePl = "labserver.privatelink.postgres.database.azure.com";

QueryResult answered(const std::string& qname, ldns_rr_type type, ldns_pkt_rcode rcode,
                     const std::vector<std::string>& rrs, double ms = 3) {
  QueryResult q;
  q.qtype = type;
  q.transport = net::ExchangeOutcome::Answered;
  auto w = pkt::responseWire(qname, type, rcode, rrs);
  q.answer = classifyWire(w.data(), w.size(), qname, type);
  q.ms = ms;
  return q;
}

QueryResult silent(ldns_rr_type type) {
  QueryResult q;
  q.qtype = type;
  q.transport = net::ExchangeOutcome::Timeout;
  q.transportDetail = "no response";
  q.ms = 1000;
  return q;
}

ResolverAnswer resolver(const std::string& server, ResolverRole role, QueryResult a, QueryResult aaaa) {
  ResolverAnswer r;
  r.server = *net::DnsServer::parse(server);
  r.role = role;
  r.a = std::move(a);
  r.aaaa = std::move(aaaa);
  return r;
}

// A resolver answering `qname` with A records `addrs` (TTL `ttl`) and no AAAA.
ResolverAnswer withA(const std::string& server, ResolverRole role, const std::string& qname,
                     const std::vector<std::string>& addrs, uint32_t ttl = 300) {
  std::vector<std::string> rrs;
  for (const auto& a : addrs) rrs.push_back(qname + ". " + std::to_string(ttl) + " IN A " + a);
  return resolver(server, role, answered(qname, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, rrs),
                  answered(qname, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, {}));
}

ResolverAnswer withRcode(const std::string& server, ResolverRole role, const std::string& qname,
                         ldns_pkt_rcode rc, const std::vector<std::string>& rrs = {}) {
  return resolver(server, role, answered(qname, LDNS_RR_TYPE_A, rc, rrs),
                  answered(qname, LDNS_RR_TYPE_AAAA, rc, rrs));
}

HostInput input(const std::string& host, target::Provider p, std::vector<ResolverAnswer> rs,
                bool vpc = true) {
  HostInput in;
  in.host = host;
  in.provider = p;
  in.resolvers = std::move(rs);
  if (vpc) in.vpcCidrs.push_back(*net::Cidr::parse("10.40.0.0/16"));
  in.timeoutMs = 1000;
  return in;
}

const engine::Finding* find(const HostEvaluation& ev, const std::string& code) {
  for (const auto& f : ev.findings) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

// The code the report would pick as the root cause: the first critical finding.
std::string firstCritical(const HostEvaluation& ev) {
  for (const auto& f : ev.findings) {
    if (f.severity == engine::Severity::Critical) return f.code;
  }
  return "";
}

bool hasLine(const engine::Finding& f, const std::string& part) {
  for (const auto& l : f.evidence) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("evaluate: answers inside the VPC pass and become the probed addresses", "[unit]") {
  auto ev =
      evaluateHost(input(kNeon, target::Provider::Neon,
                         {withA("10.40.0.2", ResolverRole::System, kNeon, {"10.40.2.120", "10.40.3.118"})}));
  CHECK(firstCritical(ev).empty());
  const auto* f = find(ev, "dns.answer_in_vpc");
  REQUIRE(f);
  CHECK(f->severity == engine::Severity::Info);
  CHECK(hasLine(*f, ";; SERVER: 10.40.0.2#53"));
  CHECK(hasLine(*f, kNeon + ". 300 IN A 10.40.2.120"));
  CHECK(hasLine(*f, ";; Query time: 3 msec"));
  REQUIRE(ev.addresses.size() == 2);
  CHECK(ev.source == "10.40.0.2#53");
}

TEST_CASE("evaluate: AAAA answers inside the VPC's IPv6 CIDR are in the VPC, not public (issue 21)",
          "[unit]") {
  // A dual-stack VPC: 10.40.0.0/16 and 2001:db8:40::/56 (an AWS VPC's IPv6 CIDR is a global
  // prefix). Before, the AAAA answers were called public with the private-DNS fix.
  const std::vector<std::string> a = {kNeon + ". 300 IN A 10.40.2.120"};
  const std::vector<std::string> aaaa = {kNeon + ". 300 IN AAAA 2001:db8:40:2::120"};
  auto in = input(
      kNeon, target::Provider::Neon,
      {resolver("10.40.0.2", ResolverRole::System, answered(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, a),
                answered(kNeon, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, aaaa))});
  in.vpcCidrs.push_back(*net::Cidr::parse("2001:db8:40::/56"));
  auto ev = evaluateHost(in);
  CHECK(firstCritical(ev).empty());
  CHECK_FALSE(find(ev, "dns.answer_public"));
  CHECK(find(ev, "dns.answer_in_vpc"));
  CHECK(ev.addresses.size() == 2);

  // Without the IPv6 CIDR the same AAAA is outside what was given: named as such, critical.
  auto v4only = input(
      kNeon, target::Provider::Neon,
      {resolver("10.40.0.2", ResolverRole::System, answered(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, a),
                answered(kNeon, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, aaaa))});
  auto ev4 = evaluateHost(v4only);
  CHECK(firstCritical(ev4) == "dns.answer_public");

  // A public IPv4 answer is still public, VPC CIDRs or not.
  auto pub = evaluateHost(input(kNeon, target::Provider::Neon,
                                {withA("10.40.0.2", ResolverRole::System, kNeon, {"198.51.100.20"})}));
  CHECK(firstCritical(pub) == "dns.answer_public");
}

TEST_CASE("evaluate: without VPC CIDRs a private answer is only judged private", "[unit]") {
  auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                               {withA("10.40.0.2", ResolverRole::System, kNeon, {"10.40.2.120"})}, false));
  CHECK(find(ev, "dns.answer_private"));
  CHECK(firstCritical(ev).empty());
}

TEST_CASE("evaluate: a public answer is critical, with the provider's fix", "[unit]") {
  SECTION("Neon") {
    auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                                 {withA("10.40.0.2", ResolverRole::System, kNeon, {"198.51.100.20"})}));
    CHECK(firstCritical(ev) == "dns.answer_public");
    CHECK(find(ev, "dns.answer_public")->fix.find("private DNS") != std::string::npos);
    CHECK(ev.addresses.size() == 1);  // still probed, so the TCP stage shows what happens
  }
  SECTION("PlanetScale") {
    const std::string h = "pslab01.private-pg.psdb.cloud";
    auto ev = evaluateHost(
        input(h, target::Provider::PlanetScale, {withA("10.40.0.2", ResolverRole::System, h, {"3.5.6.7"})}));
    CHECK(firstCritical(ev) == "dns.answer_public");
    CHECK(find(ev, "dns.answer_public")->fix.find("Enable DNS name") != std::string::npos);
  }
  SECTION("Azure: public chain, privatelink zone not linked") {
    auto a = answered(kAzure, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR,
                      {kAzure + ". 30 IN CNAME labserver.rs-lab0public.postgres.database.azure.com.",
                       "labserver.rs-lab0public.postgres.database.azure.com. 30 IN A 198.51.100.20"});
    auto ev =
        evaluateHost(input(kAzure, target::Provider::Azure,
                           {resolver("10.40.0.2", ResolverRole::System, a, silent(LDNS_RR_TYPE_AAAA))}));
    CHECK(firstCritical(ev) == "dns.answer_public");
    const auto* f = find(ev, "dns.answer_public");
    CHECK(f->fix.find("privatelink.postgres.database.azure.com") != std::string::npos);
    CHECK(f->fix.find("168.63.129.16") != std::string::npos);
    CHECK(find(ev, "dns.azure_chain_not_privatelink"));
  }
}

TEST_CASE("evaluate: a private answer outside the VPC CIDRs is critical", "[unit]") {
  auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                               {withA("10.40.0.2", ResolverRole::System, kNeon, {"172.16.5.5"})}));
  CHECK(firstCritical(ev) == "dns.answer_outside_vpc");
}

TEST_CASE("evaluate: rcodes of the system resolver map to their own codes", "[unit]") {
  using R = std::pair<ldns_pkt_rcode, std::string>;
  for (const auto& [rc, code] :
       {R{LDNS_RCODE_NXDOMAIN, "dns.nxdomain"}, R{LDNS_RCODE_SERVFAIL, "dns.servfail"},
        R{LDNS_RCODE_REFUSED, "dns.refused"}}) {
    auto ev = evaluateHost(
        input(kNeon, target::Provider::Neon, {withRcode("10.40.0.2", ResolverRole::System, kNeon, rc)}));
    CHECK(firstCritical(ev) == code);
    CHECK(ev.addresses.empty());
  }
  auto nx = evaluateHost(input(kNeon, target::Provider::Neon,
                               {withRcode("10.40.0.2", ResolverRole::System, kNeon, LDNS_RCODE_NXDOMAIN)}));
  CHECK(hasLine(*find(nx, "dns.nxdomain"), ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN"));
}

TEST_CASE("evaluate: Azure NXDOMAIN at the privatelink name has its own code", "[unit]") {
  auto ev = evaluateHost(input(kAzure, target::Provider::Azure,
                               {withRcode("10.40.0.2", ResolverRole::System, kAzure, LDNS_RCODE_NXDOMAIN,
                                          {kAzure + ". 30 IN CNAME " + kAzurePl + "."})}));
  CHECK(firstCritical(ev) == "dns.azure_privatelink_nxdomain");
  CHECK_FALSE(find(ev, "dns.nxdomain"));
  CHECK(hasLine(*find(ev, "dns.azure_privatelink_nxdomain"), "IN CNAME " + kAzurePl));
}

TEST_CASE("evaluate: a silent system resolver is dns.timeout; a later one answering makes it a warning",
          "[unit]") {
  auto silentSystem =
      resolver("10.40.0.2", ResolverRole::System, silent(LDNS_RR_TYPE_A), silent(LDNS_RR_TYPE_AAAA));
  auto ev = evaluateHost(input(kNeon, target::Provider::Neon, {silentSystem}));
  CHECK(firstCritical(ev) == "dns.timeout");
  CHECK(hasLine(*find(ev, "dns.timeout"), "connection timed out"));

  auto ev2 =
      evaluateHost(input(kNeon, target::Provider::Neon,
                         {silentSystem, withA("10.40.0.3", ResolverRole::System, kNeon, {"10.40.2.120"})}));
  CHECK(firstCritical(ev2).empty());
  REQUIRE(find(ev2, "dns.timeout"));
  CHECK(find(ev2, "dns.timeout")->severity == engine::Severity::Warning);
  CHECK(ev2.source == "10.40.0.3#53");

  // glibc also moves on after SERVFAIL.
  auto ev3 = evaluateHost(input(kNeon, target::Provider::Neon,
                                {withRcode("10.40.0.2", ResolverRole::System, kNeon, LDNS_RCODE_SERVFAIL),
                                 withA("10.40.0.3", ResolverRole::System, kNeon, {"10.40.2.120"})}));
  CHECK(find(ev3, "dns.servfail")->severity == engine::Severity::Warning);
}

TEST_CASE("evaluate: all system resolvers silent, an extra answers: union of answers is probed", "[unit]") {
  auto ev = evaluateHost(
      input(kNeon, target::Provider::Neon,
            {resolver("10.40.0.2", ResolverRole::System, silent(LDNS_RR_TYPE_A), silent(LDNS_RR_TYPE_AAAA)),
             withA("10.40.0.3", ResolverRole::Extra, kNeon, {"10.40.2.120"})}));
  CHECK(firstCritical(ev) == "dns.timeout");
  CHECK(ev.source == "union");
  REQUIRE(ev.addresses.size() == 1);
}

TEST_CASE("evaluate: a malformed answer from the system resolver is dns.malformed_answer", "[unit]") {
  QueryResult bad;
  bad.transport = net::ExchangeOutcome::Answered;
  std::vector<uint8_t> loop = pkt::header(7, 1, 0);
  pkt::append(loop, {0xC0, 0x0C, 0, 1, 0, 1});
  bad.answer = classifyWire(loop.data(), loop.size(), kNeon, LDNS_RR_TYPE_A);
  auto ev = evaluateHost(
      input(kNeon, target::Provider::Neon, {resolver("10.40.0.2", ResolverRole::System, bad, bad)}));
  CHECK(firstCritical(ev) == "dns.malformed_answer");
  CHECK(hasLine(*find(ev, "dns.malformed_answer"), "malformed response"));
}

TEST_CASE("evaluate: split horizon", "[unit]") {
  auto sys = withA("10.40.0.2", ResolverRole::System, kNeon, {"10.40.2.120", "10.40.3.118"});
  SECTION("both inside the VPC, CIDRs known: critical, and the root cause") {
    auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                                 {sys, withA("10.40.0.3", ResolverRole::Extra, kNeon, {"10.40.2.57"})}));
    CHECK(firstCritical(ev) == "dns.resolvers_disagree");
    const auto* f = find(ev, "dns.resolvers_disagree");
    CHECK(hasLine(*f, "10.40.0.3#53 (--resolver): 10.40.2.57"));
    CHECK(hasLine(*f, "10.40.0.2#53 (system, /etc/resolv.conf): 10.40.2.120, 10.40.3.118"));
    REQUIRE(ev.addresses.size() == 2);  // the system's answer is what gets probed
  }
  SECTION("both private, no VPC context: a warning") {
    auto ev =
        evaluateHost(input(kNeon, target::Provider::Neon,
                           {sys, withA("10.40.0.3", ResolverRole::Extra, kNeon, {"10.40.2.57"})}, false));
    REQUIRE(find(ev, "dns.resolvers_disagree"));
    CHECK(find(ev, "dns.resolvers_disagree")->severity == engine::Severity::Warning);
  }
  SECTION("one side public, no VPC context: critical") {
    auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                                 {sys, withA("10.40.0.3", ResolverRole::Platform, kNeon, {"198.51.100.20"})},
                                 false));
    CHECK(firstCritical(ev) == "dns.resolvers_disagree");
  }
  SECTION("the same answer in another order agrees") {
    auto ev = evaluateHost(
        input(kNeon, target::Provider::Neon,
              {sys, withA("10.40.0.3", ResolverRole::Extra, kNeon, {"10.40.3.118", "10.40.2.120"})}));
    CHECK_FALSE(find(ev, "dns.resolvers_disagree"));
  }
  SECTION("a silent extra resolver is a warning, not a disagreement") {
    auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                                 {sys, resolver("10.40.0.9", ResolverRole::Extra, silent(LDNS_RR_TYPE_A),
                                                silent(LDNS_RR_TYPE_AAAA))}));
    CHECK(firstCritical(ev).empty());
    CHECK(find(ev, "dns.timeout")->severity == engine::Severity::Warning);
    CHECK_FALSE(find(ev, "dns.resolvers_disagree"));
  }
}

TEST_CASE("evaluate: hostname, chain, TTL and IPv6 warnings", "[unit]") {
  SECTION("Neon public hostname") {
    auto ev = evaluateHost(input(kNeonPublic, target::Provider::Neon,
                                 {withA("10.40.0.2", ResolverRole::System, kNeonPublic, {"198.51.100.20"})}));
    CHECK(find(ev, "dns.not_private_hostname"));
    CHECK(firstCritical(ev) == "dns.answer_public");
  }
  SECTION("PlanetScale public hostname") {
    const std::string h = "pslab01.us-east-3.psdb.cloud";
    auto ev = evaluateHost(input(h, target::Provider::PlanetScale,
                                 {withA("10.40.0.2", ResolverRole::System, h, {"10.40.2.120"})}));
    CHECK(find(ev, "dns.not_private_hostname"));
  }
  SECTION("Azure chain not through privatelink, private answer") {
    auto ev = evaluateHost(input(kAzure, target::Provider::Azure,
                                 {withA("10.40.0.2", ResolverRole::System, kAzure, {"10.40.2.120"})}));
    REQUIRE(find(ev, "dns.azure_chain_not_privatelink"));
    CHECK(find(ev, "dns.azure_chain_not_privatelink")->severity == engine::Severity::Warning);
  }
  SECTION("long TTL on a private answer") {
    auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                                 {withA("10.40.0.2", ResolverRole::System, kNeon, {"10.40.2.120"}, 86400)}));
    REQUIRE(find(ev, "dns.long_ttl"));
    CHECK(find(ev, "dns.long_ttl")->severity == engine::Severity::Warning);
    auto ok = evaluateHost(input(kNeon, target::Provider::Neon,
                                 {withA("10.40.0.2", ResolverRole::System, kNeon, {"10.40.2.120"}, 3600)}));
    CHECK_FALSE(find(ok, "dns.long_ttl"));
  }
  SECTION("AAAA without an IPv6 route") {
    auto a = answered(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, {kNeon + ". 60 IN A 10.40.2.120"});
    auto aaaa = answered(kNeon, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, {kNeon + ". 60 IN AAAA fd00::5"});
    auto in =
        input(kNeon, target::Provider::Neon, {resolver("10.40.0.2", ResolverRole::System, a, aaaa)}, false);
    in.hasRoute = [](const net::IpAddress& x) { return x.isV4(); };
    auto ev = evaluateHost(in);
    REQUIRE(find(ev, "dns.aaaa_no_ipv6_route"));
    CHECK(find(ev, "dns.aaaa_no_ipv6_route")->severity == engine::Severity::Warning);
    CHECK(ev.addresses.size() == 2);

    auto onlyV6 = input(kNeon, target::Provider::Neon,
                        {resolver("10.40.0.2", ResolverRole::System,
                                  answered(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, {}), aaaa)},
                        false);
    onlyV6.hasRoute = in.hasRoute;
    CHECK(firstCritical(evaluateHost(onlyV6)) == "dns.aaaa_no_ipv6_route");
  }
}

TEST_CASE("evaluate: NOERROR without addresses is dns.no_address", "[unit]") {
  auto ev = evaluateHost(input(kNeon, target::Provider::Neon,
                               {withRcode("10.40.0.2", ResolverRole::System, kNeon, LDNS_RCODE_NOERROR)}));
  CHECK(firstCritical(ev) == "dns.no_address");
}

TEST_CASE("hosts override: getaddrinfo vs DNS", "[unit]") {
  const std::string hosts =
      "127.0.0.1 localhost\n"
      "# 10.9.9.9 " +
      kNeon +
      "\n"
      "10.1.1.1   old-name.example   " +
      kNeon + "  # stale\n";
  auto inHosts =
      net::parseEtcHosts(hosts, kNeon);  // the parser's own test: tests/src/net/hosts_file_test.cpp
  REQUIRE(inHosts.size() == 1);

  const auto a = [](const char* s) { return *net::IpAddress::parse(s); };
  SECTION("an /etc/hosts entry overriding the name") {
    auto f = compareSystemWithDns(kNeon, {a("10.1.1.1")}, {a("10.40.2.120"), a("10.40.3.118")}, inHosts);
    REQUIRE(f.size() == 1);
    CHECK(f[0].code == "dns.hosts_override");
    CHECK(f[0].evidence.back() == "/etc/hosts: 10.1.1.1 " + kNeon);
  }
  SECTION("differs without a hosts entry") {
    auto f = compareSystemWithDns(kNeon, {a("10.1.1.1")}, {a("10.40.2.120")}, {});
    REQUIRE(f.size() == 1);
    CHECK(f[0].code == "dns.system_differs");
  }
  SECTION("same set in another order agrees") {
    CHECK(compareSystemWithDns(kNeon, {a("10.40.3.118"), a("10.40.2.120")},
                               {a("10.40.2.120"), a("10.40.3.118")}, {})
              .empty());
  }
}

TEST_CASE("resolv.conf nameservers and resolver specs", "[unit]") {
  auto ns = net::parseResolvConfNameservers(
      "# generated\nsearch example.internal\nnameserver 10.40.0.2\nnameserver   10.40.0.3 # second\n"
      "nameserver not-an-ip\n; nameserver 1.1.1.1\nnameserver fe80::1%eth0\nnameserver 10.0.0.9\n");
  CHECK(ns == std::vector<std::string>{"10.40.0.2", "10.40.0.3", "fe80::1"});
  CHECK(net::parseResolvConfNameservers("").empty());

  CHECK(net::DnsServer::parse("10.40.0.2")->label() == "10.40.0.2#53");
  CHECK(net::DnsServer::parse("127.0.0.1#5353")->port == 5353);
  CHECK(net::DnsServer::parse("127.0.0.1:5353")->port == 5353);
  CHECK(net::DnsServer::parse("[::1]:5353")->label() == "::1#5353");
  CHECK(net::DnsServer::parse("::1")->port == 53);
  CHECK_FALSE(net::DnsServer::parse("resolver.example"));
  CHECK_FALSE(net::DnsServer::parse("10.0.0.1#0"));
  CHECK_FALSE(net::DnsServer::parse("10.0.0.1#99999"));
  CHECK_FALSE(net::DnsServer::parse("[::1"));
}

TEST_CASE("evaluate: VPC CIDRs of one family do not judge the other family's answers", "[unit][ipv6]") {
  // --vpc-cidr 10.40.0.0/16 alone for a dual-stack endpoint whose AAAA is a ULA: the IPv6
  // answer is judged as with no VPC context (private), not called outside the VPC.
  const std::vector<std::string> a = {kNeon + ". 300 IN A 10.40.2.120"};
  const std::vector<std::string> aaaa = {kNeon + ". 300 IN AAAA fd40:0:0:2::120"};
  auto in = input(
      kNeon, target::Provider::Neon,
      {resolver("10.40.0.2", ResolverRole::System, answered(kNeon, LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, a),
                answered(kNeon, LDNS_RR_TYPE_AAAA, LDNS_RCODE_NOERROR, aaaa))});
  auto ev = evaluateHost(in);
  CHECK(firstCritical(ev).empty());
  CHECK_FALSE(find(ev, "dns.answer_outside_vpc"));
  // With the IPv6 range given, an AAAA outside it is outside the VPC.
  in.vpcCidrs.push_back(*net::Cidr::parse("fd41::/48"));
  CHECK(firstCritical(evaluateHost(in)) == "dns.answer_outside_vpc");
}
