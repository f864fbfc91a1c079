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
#include "cloud/cloud.h"
#include "cloud/path_verdict.h"
#include "engine/check.h"
#include "engine/cloud_facts.h"

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

// What selects the endpoints to audit: --endpoint ids, the --endpoint-ip addresses (else
// those dns.resolve found), the target host and the client's address.
pgreach::cloud::EndpointQuery endpointQuery(const engine::CheckContext& ctx, const ClientInfo& client);

// Ports to evaluate: the provider's and the target's (as the TCP stage probes them).
std::vector<uint16_t> auditPorts(const engine::CheckContext& ctx);

// The path check's result, the same for AWS and Azure: `evaluate` runs for every
// (endpoint address, audit port); each blocked path becomes a critical finding with the
// blocking step's code and fix and every step as evidence. With noteAppliances, a
// reachable path through an appliance is an info finding (the appliance's own filtering
// is not modelled).
// Each path starts at the client's address of the endpoint address's family (a dual-stack
// endpoint is judged per family); with endpoints of both families the findings and the
// summary name the family.
using PathEvaluator =
    std::function<pgreach::cloud::PathVerdict(const net::IpAddress& endpoint, uint16_t port)>;
// Endpoint addresses of a family the client has no address of: no path of that family
// starts at the client. `absent`: an export lists the client's interface without such an
// address (the client cannot take these paths; with no endpoint address of a family the
// client has, cloud.client_family_missing); otherwise the client's address of that family
// is unknown and the paths are not verified.
struct FamilyGap {
  std::vector<net::IpAddress> endpoints;
  bool absent = false;
};
engine::CheckResult pathResult(const engine::CheckContext& ctx, const std::vector<net::IpAddress>& endpoints,
                               const PathEvaluator& evaluate, bool noteAppliances, const FamilyGap& gap = {});

// What differs between the clouds' path checks (cloud.aws.path, cloud.azure.path).
struct PathCheckSpec {
  engine::CheckInfo info;
  std::string kind;             // the CloudNetwork it evaluates: "aws"
  std::string noConfig;         // skip reason without that cloud's exports
  std::string clientUnknown;    // skip reason without the client's address
  std::string noEndpoint;       // skip reason without an endpoint address
  bool noteAppliances = false;  // see pathResult()
};
// The path check of every cloud: the endpoint addresses (--endpoint-ip, else the selected
// endpoints', else the resolved ones), each evaluated by the cloud's CloudNetwork.
class CloudPathCheck : public engine::Check {
 public:
  explicit CloudPathCheck(PathCheckSpec spec) : spec_(std::move(spec)) {}
  const engine::CheckInfo& info() const override { return spec_.info; }
  engine::CheckResult run(engine::CheckContext& ctx) override;

 private:
  PathCheckSpec spec_;
};

// A skipped result with its reason.
engine::CheckResult skipped(std::string reason);
// An error result for our own failure (unreadable export).
engine::CheckResult failedInput(std::string message);

}  // namespace pgreach::checks::cloud
