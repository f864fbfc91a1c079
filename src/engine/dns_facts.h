#pragma once
// What dns.resolve and dns.system hand to the TCP/TLS stages, to dns.system and to the
// report's path: one struct per check, one serialiser each (the JSON report's `data`,
// described per check in reports/schema/report.schema.json).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/facts.h"

namespace pgreach::engine {

// One address a host resolved to: what the TCP and TLS stages probe.
struct ResolvedAddress {
  std::string host;
  std::string address;
  std::string family;  // "ipv4" / "ipv6"
};

struct DnsAddressTtl {
  std::string address;
  uint32_t ttl = 0;
};

// One A or AAAA exchange with one resolver.
struct DnsQueryFacts {
  std::string type;       // "A" / "AAAA"
  std::string transport;  // net::ExchangeOutcome's name
  double responseMs = 0;
  bool viaTcp = false;
  bool truncated = false;
  bool answered = false;  // the fields below up to `malformed` are set only then
  std::string rcode;
  bool ad = false, aa = false;
  std::vector<std::string> cnameChain;
  std::vector<uint32_t> cnameTtls;
  std::vector<std::string> answers;  // the answer section as dig prints it
  std::vector<DnsAddressTtl> addresses;
  std::optional<std::string> malformed;  // why, when the answer was malformed
  std::string detail;                    // the transport's detail when not answered
};

// One (resolver, host) pair.
struct DnsResolverFacts {
  std::string host;
  std::string server;  // "10.40.0.2" or "10.40.0.2#5353"
  std::string role;    // system / extra / platform
  std::string state;   // what the resolver did for the host, as evaluate.h names it
  std::vector<DnsQueryFacts> queries;
};

// getaddrinfo's answer for one host, gathered alongside the DNS exchanges.
struct SystemLookupFacts {
  bool finished = false;
  std::string error;
  std::vector<std::string> addresses;
  double elapsedMs = 0;
};

struct DnsResolveFacts : Facts {
  std::vector<ResolvedAddress> addresses;  // what the later stages probe
  // Addresses the target gave as such (host=10.40.2.120, hostaddr=): nothing was resolved
  // for them; the path says "given as an address" instead of a skipped hop.
  std::vector<std::string> given;
  std::vector<DnsResolverFacts> resolvers;
  std::map<std::string, SystemLookupFacts> system;             // by host
  std::map<std::string, std::vector<std::string>> dnsAnswers;  // by host: DNS's addresses
  std::optional<size_t> exchanges;                             // unset when nothing was resolved
  std::optional<double> elapsedMs;
  std::vector<std::string> vpcCidrs;
  std::string vpcSource;  // "flags", "cloud.context" or ""

  nlohmann::json toJson() const override;
};

struct DnsSystemFacts : Facts {
  std::vector<ResolvedAddress> addresses;  // what getaddrinfo returned
  nlohmann::json toJson() const override;
};

}  // namespace pgreach::engine
