#pragma once
// What the cloud checks share: ids, reading the inputs cloud.context settled on, and
// choosing which endpoints and ports to evaluate.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cloud/audit_finding.h"
#include "cloud/aws_model.h"
#include "cloud/azure_model.h"
#include "cloud/path_verdict.h"
#include "engine/check.h"
#include "engine/facts/cloud.h"

namespace pgreach::checks::cloud {

inline constexpr const char* kContextId = "cloud.context";
inline constexpr const char* kAwsEndpointId = "cloud.aws.endpoint";
inline constexpr const char* kAwsPathId = "cloud.aws.path";
inline constexpr const char* kAzureEndpointId = "cloud.azure.endpoint";
inline constexpr const char* kAzurePathId = "cloud.azure.path";
inline constexpr const char* kCorrelateId = "cloud.correlate";

// What cloud.context settled on: the parsed exports and the client. nullptr when it did
// not run or stopped before loading anything (skipped, unreadable export).
const engine::CloudContextFacts* contextFacts(const engine::CheckContext& ctx);
using ClientInfo = engine::CloudClient;

// A cloud evaluator's finding as the engine's (the cloud layer cannot name engine types).
engine::Finding toFinding(pgreach::cloud::AuditFinding f);

// The --endpoint-ip addresses that parse (cloud.context has already rejected the others).
std::vector<net::IpAddress> endpointIpOptions(const engine::CheckContext& ctx);

// Addresses dns.resolve found for the target (empty when it did not run).
std::vector<net::IpAddress> resolvedAddresses(const engine::CheckContext& ctx);

// The VPC endpoints to audit: --endpoint ids, else those owning --endpoint-ip or
// resolved addresses, else those whose DnsEntries name the target host, else every
// interface endpoint in the client's VPC (or in the export).
std::vector<const pgreach::cloud::VpcEndpoint*> selectAwsEndpoints(const engine::CheckContext& ctx,
                                                                   const pgreach::cloud::AwsAccount& acc,
                                                                   const ClientInfo& client);
std::vector<const pgreach::cloud::PrivateEndpoint*> selectAzureEndpoints(const engine::CheckContext& ctx,
                                                                         const pgreach::cloud::AzureNetwork& net);

// Ports to evaluate: the provider's and the target's (as the TCP stage probes them).
std::vector<uint16_t> auditPorts(const engine::CheckContext& ctx);

// The path check's result, the same for AWS and Azure: `evaluate` runs for every
// (endpoint address, audit port); each blocked path becomes a critical finding with the
// blocking step's code and fix and every step as evidence. With noteAppliances, a
// reachable path through an appliance is an info finding (the appliance's own filtering
// is not modelled).
using PathEvaluator = std::function<pgreach::cloud::PathVerdict(const net::IpAddress& endpoint, uint16_t port)>;
engine::CheckResult pathResult(const engine::CheckContext& ctx, const std::vector<net::IpAddress>& endpoints,
                               const PathEvaluator& evaluate, bool noteAppliances);

// A skipped result with its reason.
engine::CheckResult skipped(std::string reason);
// An error result for our own failure (unreadable export).
engine::CheckResult failedInput(std::string message);

}  // namespace pgreach::checks::cloud
