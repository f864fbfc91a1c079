#pragma once
// The DNS stage's judgement, kept apart from the network: given what every resolver
// answered for one host, which addresses the connection will use and what is wrong.
// Pure: the route lookup is injected so tests decide it.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks/dns/classify.h"
#include "engine/dns_facts.h"
#include "engine/result.h"
#include "net/address.h"
#include "net/dns_exchange.h"
#include "target/provider.h"

namespace pgreach::checks::dns {

enum class ResolverRole {
  System,    // a nameserver line of /etc/resolv.conf: what libpq's getaddrinfo asks
  Extra,     // --resolver
  Platform,  // the cloud's own resolver, from cloud.context
};
std::string_view toString(ResolverRole r);

struct QueryResult {
  ldns_rr_type qtype = LDNS_RR_TYPE_A;
  net::ExchangeOutcome transport = net::ExchangeOutcome::Timeout;
  std::string transportDetail;
  Classified answer;  // meaningful when transport == Answered
  double ms = 0;      // response time
  bool viaTcp = false;
  bool truncatedOverUdp = false;
};

struct ResolverAnswer {
  net::DnsServer server;
  ResolverRole role = ResolverRole::System;
  QueryResult a, aaaa;
};

// What one resolver's A + AAAA answers amount to.
enum class ResolverState {
  Addresses,
  NoData,
  NxDomain,
  ServFail,
  Refused,
  OtherRcode,
  Malformed,
  TruncatedNoTcp,
  Timeout,
  Unreachable
};
std::string_view toString(ResolverState s);
ResolverState stateOf(const ResolverAnswer& r);
// Whether the C library would take this resolver's answer (glibc moves on to the next
// nameserver after no answer, SERVFAIL, REFUSED or garbage; it accepts NXDOMAIN/NODATA).
bool libraryAccepts(ResolverState s);

struct HostInput {
  std::string host;
  target::Provider provider = target::Provider::Generic;
  std::vector<ResolverAnswer> resolvers;  // system ones first, in resolv.conf order
  std::vector<net::Cidr> vpcCidrs;        // empty: no VPC context
  std::function<bool(const net::IpAddress&)> hasRoute = [](const net::IpAddress&) { return true; };
  long long timeoutMs = 0;  // what a silent resolver was given, for the evidence
};

struct HostEvaluation {
  std::vector<engine::Finding> findings;  // worst first
  std::vector<net::IpAddress> addresses;  // what the TCP/TLS stages will probe
  std::string source;                     // the resolver label they came from, or "union"
};

HostEvaluation evaluateHost(const HostInput& in);

// Evidence lines for one resolver's answer, as dig prints them.
std::vector<std::string> digEvidence(const ResolverAnswer& r, long long timeoutMs);

// Typed record of one resolver's answers for dns.resolve's facts (resolvers[]).
engine::DnsResolverFacts toFacts(const ResolverAnswer& r, const std::string& host);

// How a system lookup (getaddrinfo) compares with what DNS said: empty when they agree.
// `hostsFileAddresses`: addresses /etc/hosts gives the name (net::parseEtcHosts, net/hosts_file.h).
std::vector<engine::Finding> compareSystemWithDns(const std::string& host,
                                                  const std::vector<net::IpAddress>& system,
                                                  const std::vector<net::IpAddress>& dns,
                                                  const std::vector<net::IpAddress>& hostsFileAddresses);

}  // namespace pgreach::checks::dns
