#pragma once
// The DNS stage's network part, apart from the engine so tests can run it against
// resolvers on loopback: every (host, resolver, A/AAAA) exchange at once with one deadline,
// getaddrinfo alongside, then evaluate.h's judgement per host.
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "checks/dns/evaluate.h"
#include "engine/result.h"
#include "engine/run_config.h"
#include "target/target.h"

namespace pgreach::checks::dns {

inline constexpr const char* kCloudContextId = "cloud.context";
inline constexpr const char* kDnsSystemId = "dns.system";
// Bound on exchanges in flight (hosts × resolvers × 2); more resolvers than this are ignored.
inline constexpr size_t kMaxExchanges = 64;

struct StageInput {
  std::vector<std::string> hosts;  // names to resolve (no literals)
  std::vector<std::string> given;  // addresses given as such (host=IP, hostaddr=): nothing to resolve
  std::vector<std::pair<net::DnsServer, ResolverRole>> servers;
  std::vector<net::Cidr> vpcCidrs;
  std::string vpcSource;  // where vpcCidrs came from ("flags", "cloud.context" or "")
  target::Provider provider = target::Provider::Generic;
  std::chrono::milliseconds timeout{3000};  // per exchange; all run at once
  bool systemLookup = true;                 // also run getaddrinfo alongside
};

// Runs every exchange, then judges. Returns a CheckResult (findings, summary and
// engine::DnsResolveFacts); status from the findings.
engine::CheckResult runStage(const StageInput& in,
                             const std::function<bool(const net::IpAddress&)>& hasRoute);

// What to ask whom, from the target, the run configuration, cloud.context's result (may be null) and
// the system's nameservers (resolv.conf order). Problems with the input become `setup`
// findings; the VPC source ("flags", "cloud.context" or "") goes to `vpcSource`.
StageInput gatherStageInput(const target::Target& target, const engine::RunConfig& config,
                            const engine::CheckResult* cloudContext,
                            const std::vector<std::string>& systemNameservers,
                            std::vector<engine::Finding>& setup, std::string& vpcSource);

// Names that never go to DNS (RFC 6761): "localhost" and "*.localhost".
bool isLocalhostName(const std::string& host);

}  // namespace pgreach::checks::dns
