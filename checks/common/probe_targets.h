#pragma once
// The (host, address, port) triples the TCP and TLS stages probe: every address the DNS
// stage found for every host (what the resolvers answered and what getaddrinfo gives the
// application), or the hostaddr the user pinned, on every port the provider implies or
// --ports names.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/check.h"
#include "net/address.h"

namespace pgreach::checks {

inline constexpr const char* kDnsResolveId = "dns.resolve";

struct ProbeTarget {
  std::string host;  // the name the user connects to (SNI, certificate check)
  net::IpAddress address;
  uint16_t port = 5432;
  std::string label() const;  // "10.0.2.120:6432"
};

// Ports to probe for a host whose connection-string port is `hostPort`.
std::vector<uint16_t> portsFor(const engine::CheckContext& ctx, uint16_t hostPort);

// Addresses from dns.resolve's facts (engine::DnsResolveFacts::addresses) or the
// target's hostaddr, crossed with portsFor(). Unique, in a stable order.
std::vector<ProbeTarget> probeTargets(const engine::CheckContext& ctx);

}  // namespace pgreach::checks
